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
