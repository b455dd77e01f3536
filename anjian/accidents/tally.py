"""The accident rollup's arithmetic (issue 13 item 3). Pure: no Django import.

What one accident adds to the counters, per month and per day. The statistics group by
one dimension at a time (division, industry, lead department, GB 6441 type, grade) and
always filter by division, so each accident is counted once per dimension: rows keyed
(division, dimension, value), e.g. (grid 7, "type", "19"). A query reads one dimension's
rows, few per month, instead of rows keyed by every dimension at once (as sparse as the
accidents themselves). A withdrawn report adds nothing (anjian.accidents.statistics
counts accidents that are not withdrawn).

A window of the statistics runs from a month's first day (a period's start, or the same
day a year earlier) to any day: its whole months are read from the monthly counters and
its last, partial month from the daily ones (see `split`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

COUNTERS = (
    "accidents",
    "deaths",
    "serious_injuries",
    "minor_injuries",
    "missing",
    "loss_cents",
    "larger_plus",
    "larger_plus_deaths",
    "enterprise_deaths",
    "enterprise_serious",
    "enterprise_minor",
)
KEY = ("division", "dim", "value")
# The dimensions and the value an accident has in each ("all": the division alone).
ALL, INDUSTRY, DEPARTMENT, TYPE, GRADE = "all", "industry", "department", "type", "grade"
DIMENSIONS = (ALL, INDUSTRY, DEPARTMENT, TYPE, GRADE)
NO_ENTERPRISE = "-"  # the department value of an accident outside any enterprise
LARGER_PLUS = frozenset({"larger", "major", "especially_major"})  # 493号令 第三条
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Fact:
    """What the rollup needs of one accident (`lead` is its enterprise's lead
    department, 0 for none)."""

    occurred_on: dt.date
    division: int
    industry: int
    lead: int
    at_enterprise: bool
    kind: str
    grade: str
    deaths: int = 0
    serious_injuries: int = 0
    minor_injuries: int = 0
    missing: int = 0
    loss: Decimal = Decimal("0")
    withdrawn: bool = False

    def values(self) -> dict[str, str]:
        return {
            ALL: "",
            INDUSTRY: str(self.industry or ""),
            DEPARTMENT: str(self.lead or "") if self.at_enterprise else NO_ENTERPRISE,
            TYPE: self.kind,
            GRADE: self.grade,
        }


def cents(amount: Decimal | None) -> int:
    return 0 if amount is None else int((Decimal(amount) * 100).to_integral_value())


Table = dict[tuple, dict[str, int]]  # (division, dim, value, month or day) → counters


def counters(fact: Fact) -> dict[str, int]:
    larger = fact.grade in LARGER_PLUS
    values = {
        "accidents": 1,
        "deaths": fact.deaths,
        "serious_injuries": fact.serious_injuries,
        "minor_injuries": fact.minor_injuries,
        "missing": fact.missing,
        "loss_cents": cents(fact.loss),
        "larger_plus": int(larger),
        "larger_plus_deaths": fact.deaths if larger else 0,
        "enterprise_deaths": fact.deaths if fact.at_enterprise else 0,
        "enterprise_serious": fact.serious_injuries if fact.at_enterprise else 0,
        "enterprise_minor": fact.minor_injuries if fact.at_enterprise else 0,
    }
    return {n: v for n, v in values.items() if v}


def contributions(fact: Fact, sign: int = 1) -> tuple[Table, Table]:
    if fact.withdrawn:
        return {}, {}
    added = {n: sign * v for n, v in counters(fact).items()}
    month = fact.occurred_on.replace(day=1)
    monthly: Table = {}
    daily: Table = {}
    for dim, value in fact.values().items():
        monthly[(fact.division, dim, value, month)] = dict(added)
        daily[(fact.division, dim, value, fact.occurred_on)] = dict(added)
    return monthly, daily


def merge(into: Table, more: Table) -> None:
    for key, values in more.items():
        row = into.setdefault(key, {})
        for name, value in values.items():
            row[name] = row.get(name, 0) + value


def clean(table: Table) -> Table:
    return {k: {n: v for n, v in c.items() if v} for k, c in table.items() if any(c.values())}


def change(old: Fact | None, new: Fact | None) -> tuple[Table, Table]:
    monthly: Table = {}
    daily: Table = {}
    for fact, sign in ((old, -1), (new, 1)):
        if fact is not None:
            m, d = contributions(fact, sign)
            merge(monthly, m)
            merge(daily, d)
    return clean(monthly), clean(daily)


def tally(facts: Iterable[Fact]) -> tuple[Table, Table]:
    monthly: Table = {}
    daily: Table = {}
    for fact in facts:
        m, d = contributions(fact)
        merge(monthly, m)
        merge(daily, d)
    return clean(monthly), clean(daily)


def split(
    start: dt.date, end: dt.date
) -> tuple[tuple[dt.date, dt.date] | None, tuple[dt.date, dt.date] | None]:
    """A window [start, end] (start a month's first day) as (first month, last month) of
    the whole months and (first day, last day) of the partial last month, either None."""
    if start.day != 1:
        raise ValueError("a window starts on a month's first day")
    if end < start:
        return None, None
    month_end = ((end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)) - ONE_DAY
    last_month = end.replace(day=1)
    if end == month_end:
        return (start, last_month), None
    whole = None
    if last_month > start:
        before = (last_month - ONE_DAY).replace(day=1)
        whole = (start, before)
    return whole, (last_month, end)
