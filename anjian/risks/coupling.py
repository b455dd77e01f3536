"""Compound (coupling) risk: a unit is raised when its hazard factors combine. Pure.

The seed report's complaint is exactly this: high-temperature work plus dust explosion
was rated "general" because each factor was graded alone. A rule names a set of
factors; when a unit has all of them, its colour rises `raise_levels` steps (never past
red). Several firing rules do not stack beyond the largest raise: they describe the same
unit's compound risk, not independent ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

COLOURS = ("red", "orange", "yellow", "blue")  # highest first


@dataclass(frozen=True)
class Rule:
    name: str
    factors: frozenset[str]
    raise_levels: int = 1


@dataclass(frozen=True)
class Coupled:
    inherent: str
    colour: str
    fired: tuple[str, ...]

    @property
    def raised(self) -> bool:
        return self.colour != self.inherent


def raise_colour(colour: str, steps: int) -> str:
    index = COLOURS.index(colour)
    return COLOURS[max(0, index - max(0, steps))]


def apply(inherent: str, factors: Iterable[str], rules: Iterable[Rule]) -> Coupled:
    present = set(factors)
    fired = [r for r in rules if r.factors and r.factors <= present]
    if not inherent or not fired:
        return Coupled(inherent, inherent, tuple(r.name for r in fired))
    steps = max(r.raise_levels for r in fired)
    return Coupled(inherent, raise_colour(inherent, steps), tuple(r.name for r in fired))


def highest(colours: Iterable[str]) -> str:
    """The highest of some colours ('' when none)."""
    ranked = [COLOURS.index(c) for c in colours if c in COLOURS]
    return COLOURS[min(ranked)] if ranked else ""
