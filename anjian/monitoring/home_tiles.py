"""Home tiles of monitoring and early warning: open alarms by level in scope for
regulators, the enterprise's open alarms for its staff; each links to the alarm list."""

from __future__ import annotations

from anjian.core import tiles

from . import boards
from .views import is_enterprise_user, is_regulator


@tiles.register("monitoring.alarms", order=31, template="monitoring/home/alarms.html")
def open_alarm_counts(user) -> dict | None:
    if is_regulator(user):
        counts = boards.level_counts(boards.open_alarms(user))
        return {"counts": counts, "total": sum(counts.values()), "own": False}
    if is_enterprise_user(user):
        counts = boards.level_counts(boards.open_alarms(user))
        return {
            "counts": counts,
            "total": sum(counts.values()),
            "own": True,
            "enterprise_id": user.enterprise_id,
        }
    return None
