"""Supervision by colour: the required inspection frequency of an enterprise. Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .coupling import highest

DATA = Path(__file__).with_name("data") / "supervision_policy.json"


@dataclass(frozen=True)
class Requirement:
    enterprise_class: str  # red / orange / yellow / blue
    inspections_per_year: int
    measures: tuple[str, ...]
    measures_en: tuple[str, ...]
    profile: str


@cache
def _profiles() -> dict:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {p["name"]: p for p in raw["profiles"]}


def profile_names() -> list[str]:
    return list(_profiles())


def default_profile() -> str:
    return next(name for name, p in _profiles().items() if p.get("default"))


def enterprise_class(highest_unit_colour: str, code_colour: str) -> str:
    """The higher of the unit colour and the safety code; an enterprise with neither is
    treated as yellow (unknown risk is not low risk)."""
    return highest([highest_unit_colour, code_colour]) or "yellow"


def requirement(
    highest_unit_colour: str, code_colour: str, profile: str | None = None
) -> Requirement:
    name = profile or default_profile()
    if name not in _profiles():
        raise LookupError(f"no supervision profile named {name!r}")
    cls = enterprise_class(highest_unit_colour, code_colour)
    row = _profiles()[name]["classes"][cls]
    return Requirement(
        cls,
        int(row["inspections_per_year"]),
        tuple(row["measures"]),
        tuple(row["measures_en"]),
        name,
    )
