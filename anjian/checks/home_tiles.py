"""Self-checks' home tile: for an enterprise's staff, the checks due now, done in this
period and missed (still to fill in, as late)."""

from __future__ import annotations

from django.utils import timezone

from anjian.core import tiles

from .views import is_enterprise_user, today_board


@tiles.register("checks.today", order=31, template="checks/home/today.html")
def checks_today(user) -> dict | None:
    if not is_enterprise_user(user):
        return None
    board = today_board(user, timezone.now())
    due = len(board["due"]) + len(board["started"])
    if not (due or board["done"] or board["missed"]):
        return None  # an enterprise without check tasks
    return {"due": due, "done": len(board["done"]), "missed": len(board["missed"])}
