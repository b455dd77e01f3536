"""The accident rollup's arithmetic (issue 13 item 3). Pure: no Django import.

What one accident adds to the counters of its group, per month and per day. The group
is what the statistics group and filter by: the division where it happened, its
industry, its enterprise's lead department, whether it was at a registered enterprise,
its GB 6441 type and its grade. A withdrawn report adds nothing
(anjian.accidents.statistics counts accidents that are not withdrawn).

A window of the statistics runs from a month's first day (a period's start, or the same
day a year earlier) to any day: its whole months are read from the monthly counters and
its last, partial month from the daily ones (see `split`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

COUNTERS = ("accidents", "deaths", "serious_injuries", "minor_injuries", "missing", "loss_cents")
KEY = ("division", "industry", "lead", "at_enterprise", "kind", "grade")
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

    @property
    def key(self) -> tuple:
        return (
            self.division,
            self.industry,
            self.lead,
            int(self.at_enterprise),
            self.kind,
            self.grade,
        )


def cents(amount: Decimal | None) -> int:
    return 0 if amount is None else int((Decimal(amount) * 100).to_integral_value())


Table = dict[tuple, dict[str, int]]  # (key…, month or day) → counters


def contributions(fact: Fact, sign: int = 1) -> tuple[Table, Table]:
    if fact.withdrawn:
        return {}, {}
    values = {
        "accidents": 1,
        "deaths": fact.deaths,
        "serious_injuries": fact.serious_injuries,
        "minor_injuries": fact.minor_injuries,
        "missing": fact.missing,
        "loss_cents": cents(fact.loss),
    }
    counters = {n: sign * v for n, v in values.items() if v}
    month = fact.occurred_on.replace(day=1)
    return {(*fact.key, month): dict(counters)}, {(*fact.key, fact.occurred_on): dict(counters)}


def merge(into: Table, more: Table) -> None:
    for key, counters in more.items():
        row = into.setdefault(key, {})
        for name, value in counters.items():
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
