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


def enterprise_class(highest_unit_colour: str, code_colour: str, diagnosis_colour: str = "") -> str:
    """The highest of the unit colour, the safety code and the enterprise diagnosis
    (anjian.diagnosis: the one that counts); an enterprise with none of them is treated as
    yellow (unknown risk is not low risk)."""
    return highest([highest_unit_colour, code_colour, diagnosis_colour]) or "yellow"


def requirement(
    highest_unit_colour: str,
    code_colour: str,
    profile: str | None = None,
    diagnosis_colour: str = "",
) -> Requirement:
    name = profile or default_profile()
    if name not in _profiles():
        raise LookupError(f"no supervision profile named {name!r}")
    cls = enterprise_class(highest_unit_colour, code_colour, diagnosis_colour)
    row = _profiles()[name]["classes"][cls]
    return Requirement(
        cls,
        int(row["inspections_per_year"]),
        tuple(row["measures"]),
        tuple(row["measures_en"]),
        name,
    )
