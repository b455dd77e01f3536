"""The credit file's figures and the listing rules. Pure: no Django import.

Why a list at all: the Work Safety Law (安全生产法, 2021) 第七十八条 has the supervising
departments keep records of enterprises' illegal conduct and, for serious cases, add them
to the list of untrustworthy subjects (失信联合惩戒), published and shared across
departments; the seed report asks for this 联合惩戒 to follow from the hazard ledger
itself. WHICH figures put an enterprise on the list, and how long a clean period takes
it off, is LOCAL POLICY: the thresholds are read from data/list_rules.json.

Figures, over a period (default 12 months) ending on the evaluation day:
* with_deadline — hazards with a deadline that were closed in the period, or are open
  past their deadline (overdue);
* on_time — of those, closed on or before their deadline;
* on_time_rate — on_time / with_deadline (None when there are none);
* overdue — open hazards past their deadline now;
* major_overdue_days — how many days the longest-overdue open major hazard is late;
* relapses — re-checks (回头看) in the period whose result was "relapsed";
* rejections — acceptances rejected and on-site reviews failed in the period;
* open_major — major hazards not yet closed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import operator
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("data") / "list_rules.json"


@dataclass(frozen=True)
class Figures:
    with_deadline: int = 0
    on_time: int = 0
    overdue: int = 0
    major_overdue_days: int = 0
    relapses: int = 0
    rejections: int = 0
    open_major: int = 0

    @property
    def on_time_rate(self) -> float | None:
        if self.with_deadline <= 0:
            return None
        return self.on_time / self.with_deadline

    def as_dict(self) -> dict[str, Any]:
        rate = self.on_time_rate
        return {**asdict(self), "on_time_rate": None if rate is None else round(rate, 4)}

    def metric(self, name: str) -> float | None:
        if name == "on_time_rate":
            return self.on_time_rate
        if name not in METRICS:
            raise KeyError(name)
        return float(getattr(self, name))


METRICS = (
    "with_deadline",
    "on_time",
    "overdue",
    "major_overdue_days",
    "relapses",
    "rejections",
    "open_major",
    "on_time_rate",
)
OPS = {">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le}


@dataclass(frozen=True)
class Condition:
    metric: str
    op: str
    value: float

    def holds(self, figures: Figures) -> bool:
        got = figures.metric(self.metric)
        return got is not None and OPS[self.op](got, self.value)


@dataclass(frozen=True)
class Rule:
    id: str
    text: str  # shown on the list: why the enterprise is on it
    conditions: tuple[Condition, ...]  # all must hold

    def fires(self, figures: Figures) -> bool:
        return all(c.holds(figures) for c in self.conditions)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    period_months: int = 12
    clean_months: int = 6

    def fired(self, figures: Figures) -> list[Rule]:
        return [r for r in self.rules if r.fires(figures)]


class RulesError(ValueError):
    pass


def _condition(raw: Mapping[str, Any], where: str) -> Condition:
    try:
        metric, op, value = raw["metric"], raw["op"], float(raw["value"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"{where}: metric, op and value needed ({exc})") from exc
    if metric not in METRICS:
        raise RulesError(f"{where}: unknown metric {metric!r}")
    if op not in OPS:
        raise RulesError(f"{where}: unknown op {op!r}")
    return Condition(metric, op, value)


def rules_from(data: Mapping[str, Any]) -> RuleSet:
    rules = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("rules", ()), 1):
        rule_id = str(raw.get("id", ""))
        if not rule_id or rule_id in seen:
            raise RulesError(f"rule {n}: missing or duplicate id")
        seen.add(rule_id)
        conditions = tuple(_condition(c, f"rule {rule_id}") for c in raw.get("conditions", ()))
        if not conditions:
            raise RulesError(f"rule {rule_id}: no conditions")
        rules.append(Rule(rule_id, str(raw.get("text", rule_id)), conditions))
    period, clean = int(data.get("period_months", 12)), int(data.get("clean_months", 6))
    if period < 1 or clean < 1:
        raise RulesError("period_months and clean_months must be at least 1")
    return RuleSet(tuple(rules), period, clean)


def load_rules(path: Path = RULES_FILE) -> RuleSet:
    return rules_from(json.loads(path.read_text(encoding="utf-8")))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_start(today: dt.date, months: int) -> dt.date:
    """First day counted in a period of `months` ending on `today`."""
    return add_months(today, -months) + dt.timedelta(days=1)


@dataclass(frozen=True)
class Decision:
    list_rule: Rule | None  # put on the list for this rule (first firing, in file order)
    remove: bool  # take off the list: clean long enough
    fired: tuple[str, ...]


def decide(
    figures: Figures,
    rules: RuleSet,
    *,
    today: dt.date,
    listed: bool,
    last_fired_on: dt.date | None,
    listed_on: dt.date | None = None,
) -> Decision:
    """What to do with one enterprise today. Listed and no rule firing: removed once no
    rule has fired for `clean_months` (counted from the last day one fired, or from the
    listing day)."""
    fired = rules.fired(figures)
    ids = tuple(r.id for r in fired)
    if not listed:
        return Decision(fired[0] if fired else None, False, ids)
    if fired:
        return Decision(None, False, ids)
    since = max(d for d in (last_fired_on, listed_on, dt.date.min) if d is not None)
    return Decision(None, today >= add_months(since, rules.clean_months), ids)


def figures_from(row: Mapping[str, Any] | None) -> Figures:
    row = row or {}
    return Figures(**{k: int(row.get(k) or 0) for k in Figures.__dataclass_fields__})


__all__: Sequence[str] = (
    "Condition",
    "Decision",
    "Figures",
    "Rule",
    "RuleSet",
    "add_months",
    "decide",
    "load_rules",
    "period_start",
    "rules_from",
)
