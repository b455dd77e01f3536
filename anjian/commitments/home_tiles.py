"""Home tiles of the daily commitment notice: for the staff of an enterprise that owes it,
today's notice (submitted / due by 10:00 / late / missing); for regulators, how many
enterprises in scope are missing or late today."""

from __future__ import annotations

from django.utils import timezone

from anjian.core import tiles

from . import rules, services
from .views import is_enterprise_user, is_regulator


@tiles.register("commitments.today", order=32, template="commitments/home/today.html")
def today_notice(user) -> dict | None:
    if not is_enterprise_user(user) or not services.enterprise_owes(user.enterprise_id):
        return None
    now = timezone.now()
    return {
        "status": services.today_status(user.enterprise_id, now),
        "deadline": rules.deadline(timezone.localdate(now), services.TZ),
        "may_submit": services.may_submit(user, user.enterprise_id),
    }


@tiles.register("commitments.board", order=33, template="commitments/home/board.html")
def board_counts(user) -> dict | None:
    if not is_regulator(user):
        return None
    counts = services.day_counts(user, timezone.localdate())
    total = sum(counts.values())
    if not total:
        return None
    return {"counts": counts, "total": total}
