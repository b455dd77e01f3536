"""Form posts of the permit pages turned into the services' values (no checks here:
the services check everything at once)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from . import permit_rules as rules

APPLY_TEXT = (
    "kind",
    "grade",
    "height_m",
    "load_t",
    "place",
    "content",
    "risk_unit",
    "planned_start",
    "planned_end",
    "guardian",
)
GAS_TEXT = (
    "sampled_at",
    "point",
    "oxygen_pct",
    "combustible_pct",
    "combustible_lel_pct",
    "analyst",
)


def apply_values(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {k: post.get(k, "") for k in APPLY_TEXT if post.get(k, "") != ""}
    values["workers"] = post.getlist("workers")
    values.setdefault("guardian", "")
    return values


def gas_values(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {k: post.get(k, "") for k in GAS_TEXT if post.get(k, "") != ""}
    values["analyst"] = post.get("analyst", "")
    name = post.get("toxic_name", "").strip()
    if name or post.get("toxic_value") or post.get("toxic_limit"):
        values["toxic"] = [
            {
                "name": name,
                "value": post.get("toxic_value", ""),
                "limit": post.get("toxic_limit", ""),
                "unit": post.get("toxic_unit", ""),
            }
        ]
    if post.get("enriched_air") == "on":
        values["enriched_air"] = True
    return values


def grade_choices() -> list[tuple[str, str, str]]:
    """(kind, code, name) for the grade select."""
    return [(k, g, rules.GRADE_NAMES[(k, g)]) for k, gs in rules.GRADES.items() for g in gs]
