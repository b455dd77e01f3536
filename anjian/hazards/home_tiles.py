"""The hazard ledger's home tiles: quick actions for enterprise staff; open, overdue and
major hazards for everyone who keeps or supervises a ledger."""

from __future__ import annotations

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import tiles
from anjian.core.sections import REGISTRY_ROLES
from anjian.hazards import ledger


@tiles.register("hazards.quick", order=20, template="hazards/home/quick.html")
def quick_actions(user) -> dict | None:
    if user.role not in ENTERPRISE_ROLES or not user.enterprise_id:
        return None
    return {"enterprise_id": user.enterprise_id}


@tiles.register("hazards.counts", order=25, template="hazards/home/counts.html")
def hazard_counts(user) -> dict | None:
    if user.role not in REGISTRY_ROLES and user.role not in ENTERPRISE_ROLES:
        return None
    # A regulator's numbers come from the hazard rollup (ledger.home_counts): the home
    # page of a county with 2,000,000 hazards must not count them on every visit.
    return {"counts": ledger.home_counts(user)}
