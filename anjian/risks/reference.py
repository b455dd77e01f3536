"""Hazard factors (for coupling rules and the unit form), loaded once from data/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "hazard_factors.json"


@cache
def hazard_factors() -> tuple[dict[str, str], ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["factors"])


def hazard_factor_codes() -> frozenset[str]:
    return frozenset(f["code"] for f in hazard_factors())


def hazard_factor_names() -> dict[str, str]:
    return {f["code"]: f["name"] for f in hazard_factors()}


def load_coupling_rules(rule_model) -> None:
    for row in json.loads(DATA.read_text(encoding="utf-8"))["coupling_rules"]:
        rule_model.objects.update_or_create(
            name=row["name"],
            defaults={
                "factors": row["factors"],
                "raise_levels": row["raise_levels"],
                "basis": row["basis"],
            },
        )


def ensure_coupling_rules() -> None:
    from .models import CouplingRule

    if not CouplingRule.objects.exists():
        load_coupling_rules(CouplingRule)
