"""Ranking and scoring of townships and departments (issue 13 items 5-6): the quarterly
bulletin's ranking (季通报) and the annual assessment (年度考核) with weights and a veto
(一票否决). Pure: no Django import. The figures come from anjian.reports.indicators; the
indicators, weights, directions, bands and the veto are a named local policy
(data/assessment_policy.json, see its "_about"), because no national text fixes them.

Scoring, per indicator: among the units compared that have a value, the best gets 100,
the worst 0, the others linearly between (all equal: 100 each). A unit's score is the
weighted mean of its indicator scores over the indicators it has a value for (weights
renormalised), so a department that runs no sensors is not marked down for alarms. A
veto sets the score to 0 and the band to the lowest, with the reason. Exact arithmetic
(Fraction) until the rounding of the output to two places; ties share a rank (1, 2, 2,
4), ordered by unit name for display."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

POLICY_FILE = Path(__file__).with_name("data") / "assessment_policy.json"
HIGHER, LOWER = "higher", "lower"
Number = int | Decimal | Fraction


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class IndicatorRule:
    key: str
    weight: Fraction
    direction: str


@dataclass(frozen=True)
class Veto:
    key: str
    at_least: Fraction
    reason: str


@dataclass(frozen=True)
class Band:
    lower: Fraction
    label: str


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    indicators: tuple[IndicatorRule, ...]
    veto: Veto | None = None
    bands: tuple[Band, ...] = ()
    name_worst: int = 3


def _fraction(value: Any, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PolicyError(f"{where}: give a whole number or a decimal string")
    try:
        out = Fraction(Decimal(str(value)))
    except Exception as exc:  # decimal.InvalidOperation
        raise PolicyError(f"{where}: not a number: {value!r}") from exc
    return out


def parse_profile(name: str, data: Mapping[str, Any]) -> Profile:
    rules = []
    seen = set()
    for n, row in enumerate(data.get("indicators") or (), 1):
        key = row.get("key")
        if not isinstance(key, str) or not key or key in seen:
            raise PolicyError(f"{name}.indicators[{n}]: a unique key is required")
        seen.add(key)
        weight = _fraction(row.get("weight"), f"{name}.{key}.weight")
        if weight <= 0:
            raise PolicyError(f"{name}.{key}.weight: must be above 0")
        direction = row.get("direction")
        if direction not in (HIGHER, LOWER):
            raise PolicyError(f"{name}.{key}.direction: higher or lower")
        rules.append(IndicatorRule(key, weight, direction))
    if not rules:
        raise PolicyError(f"{name}: no indicators")
    veto = None
    if data.get("veto"):
        v = data["veto"]
        veto = Veto(
            key=str(v.get("key") or ""),
            at_least=_fraction(v.get("at_least", 1), f"{name}.veto.at_least"),
            reason=str(v.get("reason") or ""),
        )
        if not veto.key or not veto.reason:
            raise PolicyError(f"{name}.veto: key and reason are required")
    bands = tuple(
        sorted(
            (
                Band(_fraction(b.get("from"), f"{name}.bands"), str(b.get("label") or ""))
                for b in data.get("bands") or ()
            ),
            key=lambda b: b.lower,
            reverse=True,
        )
    )
    if bands and bands[-1].lower != 0:
        raise PolicyError(f"{name}.bands: the lowest band must start at 0")
    worst = data.get("name_worst", 3)
    if not isinstance(worst, int) or isinstance(worst, bool) or worst < 0:
        raise PolicyError(f"{name}.name_worst: a whole number, 0 or more")
    return Profile(name, str(data.get("label") or name), tuple(rules), veto, bands, worst)


def load_profiles(path: str | Path | None = None) -> dict[str, Profile]:
    raw = json.loads(Path(path or POLICY_FILE).read_text(encoding="utf-8"))
    return {name: parse_profile(name, data) for name, data in raw["profiles"].items()}


@dataclass(frozen=True)
class Part:
    key: str
    value: Number | None
    score: Fraction | None  # None: no value, left out
    weight: Fraction


@dataclass
class Result:
    unit: str
    name: str
    score: Fraction
    parts: list[Part] = field(default_factory=list)
    rank: int = 0
    band: str = ""
    vetoed_because: str = ""

    def score_text(self) -> str:
        return str(round2(self.score))


def round2(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _as_fraction(value: Number) -> Fraction:
    if isinstance(value, bool):
        raise ValueError("a figure cannot be true or false")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, Decimal)):
        return Fraction(value)
    raise ValueError(f"a figure must be an int, Decimal or Fraction, not {type(value).__name__}")


def indicator_scores(values: Mapping[str, Number | None], direction: str) -> dict[str, Fraction]:
    """Each unit's 0-100 score on one indicator (units without a value are left out)."""
    have = {u: _as_fraction(v) for u, v in values.items() if v is not None}
    if not have:
        return {}
    low, high = min(have.values()), max(have.values())
    if low == high:
        return dict.fromkeys(have, Fraction(100))
    span = high - low
    if direction == HIGHER:
        return {u: (v - low) / span * 100 for u, v in have.items()}
    return {u: (high - v) / span * 100 for u, v in have.items()}


def score(
    profile: Profile,
    figures: Mapping[str, Mapping[str, Number | None]],
    names: Mapping[str, str] | None = None,
) -> list[Result]:
    """Score and rank `figures` ({unit: {indicator key: value or None}}) by the profile.
    Returns the results ordered by rank (then name)."""
    names = names or {}
    per_indicator = {
        rule.key: indicator_scores({u: f.get(rule.key) for u, f in figures.items()}, rule.direction)
        for rule in profile.indicators
    }
    results = []
    for unit, unit_figures in figures.items():
        parts = []
        total = weights = Fraction(0)
        for rule in profile.indicators:
            s = per_indicator[rule.key].get(unit)
            parts.append(Part(rule.key, unit_figures.get(rule.key), s, rule.weight))
            if s is not None:
                total += s * rule.weight
                weights += rule.weight
        result = Result(
            unit, names.get(unit, unit), total / weights if weights else Fraction(0), parts
        )
        veto = profile.veto
        if veto is not None:
            hit = unit_figures.get(veto.key)
            if hit is not None and _as_fraction(hit) >= veto.at_least:
                result.score, result.vetoed_because = Fraction(0), veto.reason
        results.append(result)
    # A vetoed unit comes after every other, whatever the scores.
    results.sort(key=lambda r: (bool(r.vetoed_because), -r.score, r.name, r.unit))
    for n, result in enumerate(results):
        # Ties share a rank; the score is compared as shown (two places).
        previous = results[n - 1]
        same = (
            n
            and round2(previous.score) == round2(result.score)
            and bool(previous.vetoed_because) == bool(result.vetoed_because)
        )
        result.rank = results[n - 1].rank if same else n + 1
        result.band = band_of(profile.bands, result.score)
    return results


def band_of(bands: Sequence[Band], value: Fraction) -> str:
    for band in bands:
        if value >= band.lower:
            return band.label
    return ""


def worst(profile: Profile, results: Sequence[Result]) -> list[Result]:
    """The units the bulletin names as the worst: the last `name_worst` by rank (all of a
    tied last rank), vetoed units always."""
    if not results or profile.name_worst == 0:
        return [r for r in results if r.vetoed_because]
    cut = results[max(len(results) - profile.name_worst, 0)].rank
    return [r for r in results if r.rank >= cut or r.vetoed_because]
