"""Risk grading's home tiles: the safety codes in a regulator's scope; an enterprise's own
safety code for its staff."""

from __future__ import annotations

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping, tiles
from anjian.core.sections import REGISTRY_ROLES
from anjian.risks.models import RiskState
from anjian.risks.services import colour_counts
from anjian.risks.templatetags.risks_ui import code_name

CODE_COLOURS = ("red", "yellow", "blue")


@tiles.register("risks.codes", order=40, template="risks/home/codes.html")
def codes_in_scope(user) -> dict | None:
    if user.role not in REGISTRY_ROLES:
        return None
    counts = colour_counts(user)
    rows = [
        {"colour": colour, "label": code_name(colour), "count": counts.get(colour, 0)}
        for colour in CODE_COLOURS
    ]
    return {"rows": rows, "total": sum(row["count"] for row in rows)}


@tiles.register("risks.own_code", order=35, template="risks/home/own_code.html")
def own_code(user) -> dict | None:
    if user.role not in ENTERPRISE_ROLES or not user.enterprise_id:
        return None
    state = (
        scoping.visible(user, RiskState)
        .filter(enterprise_id=user.enterprise_id)
        .select_related("code")
        .first()
    )
    return {"enterprise_id": user.enterprise_id, "risk_state": state}
