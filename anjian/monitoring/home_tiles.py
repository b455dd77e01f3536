"""Home tiles of monitoring and early warning: open alarms by level in scope for
regulators, the enterprise's open alarms for its staff; each links to the board and the
alarm list. Like the commitment board's tile, it shows only when an alarm is open (a
quiet day adds nothing to the home page; the nav entry is always there)."""

from __future__ import annotations

from anjian.core import tiles

from . import boards
from .views import is_enterprise_user, is_regulator


@tiles.register("monitoring.alarms", order=31, template="monitoring/home/alarms.html")
def open_alarm_counts(user) -> dict | None:
    own = is_enterprise_user(user) and not is_regulator(user)
    if not (own or is_regulator(user)):
        return None
    counts = boards.level_counts(boards.open_alarms(user))
    total = sum(counts.values())
    if not total:
        return None
    data = {"counts": counts, "total": total, "own": own}
    if own:
        data["enterprise_id"] = user.enterprise_id
    return data
