"""Safety points (安全积分, issue 15 item 4): the rules and the arithmetic, without Django.

No national rule fixes the figures: the seed report praises a "safety points bank" that
rewards workers, so the figures are a local, configurable policy kept in
data/points_rules.json (or the file named by ANJIAN_POINTS_RULES). Entries already in
the ledger keep the points they were given; a change of policy applies to new ones.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "points_rules.json"

HAZARD_REPORT = "hazard_report"
SELF_CHECK_FINDING = "self_check_finding"
TRAINING_HOURS = "training_hours"
DRILL = "drill"
VIOLATION = "violation"
MANUAL = "manual"
REVERSAL = "reversal"

# Rules with a fixed figure per event.
FIXED = (HAZARD_REPORT, SELF_CHECK_FINDING, DRILL)
RULES = (HAZARD_REPORT, SELF_CHECK_FINDING, TRAINING_HOURS, DRILL, VIOLATION, MANUAL)
SEVERITIES = ("minor", "ordinary", "serious")


class RuleError(ValueError):
    """A bad rule, figure or input (the message names it)."""


@dataclass(frozen=True)
class Policy:
    fixed: Mapping[str, int]
    per_hour: int
    cap_per_year: int
    violation: Mapping[str, int]
    manual_min: int
    manual_max: int
    about: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{name}: an integer is required")
    return value


def parse_policy(data: Mapping[str, Any]) -> Policy:
    """The policy from the JSON document; every figure is checked (a typo must not give
    a worker a thousand points)."""
    rules = data.get("rules")
    if not isinstance(rules, Mapping):
        raise RuleError("rules: an object is required")
    fixed = {name: _int(rules.get(name, {}).get("points"), name) for name in FIXED}
    for name in (HAZARD_REPORT, SELF_CHECK_FINDING, DRILL):
        if fixed[name] < 0:
            raise RuleError(f"{name}: an award is not negative")
    hours = rules.get(TRAINING_HOURS, {})
    per_hour = _int(hours.get("per_hour"), "training_hours.per_hour")
    cap = _int(hours.get("cap_per_year"), "training_hours.cap_per_year")
    if per_hour < 0 or cap < 0:
        raise RuleError("training_hours: not negative")
    by_severity = rules.get(VIOLATION, {}).get("by_severity", {})
    violation = {s: _int(by_severity.get(s), f"violation.{s}") for s in SEVERITIES}
    if any(v > 0 for v in violation.values()):
        raise RuleError("violation: a deduction is negative or zero")
    manual = rules.get(MANUAL, {})
    low, high = _int(manual.get("min"), "manual.min"), _int(manual.get("max"), "manual.max")
    if not low < 0 < high:
        raise RuleError("manual: min < 0 < max")
    return Policy(
        fixed=fixed,
        per_hour=per_hour,
        cap_per_year=cap,
        violation=violation,
        manual_min=low,
        manual_max=high,
        about=str(data.get("about", "")),
    )


def load_policy(path: str | Path | None = None) -> Policy:
    path = Path(path or os.environ.get("ANJIAN_POINTS_RULES") or DEFAULT_PATH)
    with path.open(encoding="utf-8") as handle:
        return parse_policy(json.load(handle))


def fixed_points(policy: Policy, rule: str) -> int:
    if rule not in policy.fixed:
        raise RuleError(f"{rule}: not a fixed-figure rule")
    return policy.fixed[rule]


def violation_points(policy: Policy, severity: str) -> int:
    if severity not in policy.violation:
        raise RuleError(f"severity: one of {', '.join(SEVERITIES)}")
    return policy.violation[severity]


def manual_points(policy: Policy, points: Any) -> int:
    """A manual award or deduction: a non-zero integer within the policy's bounds."""
    if isinstance(points, bool) or not isinstance(points, int):
        raise RuleError("points: an integer is required")
    if points == 0 or not policy.manual_min <= points <= policy.manual_max:
        raise RuleError(f"points: non-zero, from {policy.manual_min} to {policy.manual_max}")
    return points


def training_points(policy: Policy, hours: Decimal | float | int, earned_this_year: int) -> int:
    """Whole hours times the figure per hour, but never beyond the year's cap (what the
    worker already earned from training that calendar year counts against it)."""
    hours = Decimal(str(hours))
    if hours < 0:
        raise RuleError("hours: not negative")
    wanted = math.floor(hours) * policy.per_hour
    room = max(policy.cap_per_year - max(earned_this_year, 0), 0)
    return min(wanted, room)


def reversal_points(points: int) -> int:
    return -points


def balance(points: Iterable[int]) -> int:
    return sum(points)


@dataclass(frozen=True)
class Ranked:
    rank: int
    key: Any
    points: int


def ranking(balances: Iterable[tuple[Any, int]]) -> list[Ranked]:
    """Highest first; equal balances share a rank (1, 2, 2, 4); ties keep input order."""
    rows = sorted(balances, key=lambda kv: -kv[1])
    out: list[Ranked] = []
    for i, (key, points) in enumerate(rows, start=1):
        rank = out[-1].rank if out and out[-1].points == points else i
        out.append(Ranked(rank, key, points))
    return out
