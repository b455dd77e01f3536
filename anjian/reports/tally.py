"""The hazard rollup's arithmetic: what one hazard adds to the monthly counters, and the
figures of a period read back from them. Pure: no Django import.

Why: the regulators' figures (anjian.reports.queries) and the report figures
(anjian.reports.indicators) used to count the hazard table itself, a scan of every hazard
open at the as-of day, 1-15 s at 2,000,000 hazards. The rollup keeps, per group of
enterprises (grid, industry, lead department and the set of departments with a duty) and
per month, counters that the hazard services move in the same transaction as the hazard,
so a figure sums a few thousand counter rows instead.

The definitions are those of anjian.reports.hazard_figures (found, found and fixed, fixed,
on time, overdue open, major found / fixed / open, funds) plus `listed` (挂牌督办 within the
period) and `open`. The trick for the "as of a day" figures:

* found and fixed = hazards closed by the as-of day whose report month lies within the
  period: closing counters are kept per (closing month, report month), and a period
  starts on the first of a month (quarters and years, anjian.reports.periods);
* open and major open at day `on` = reported by `on` minus closed by `on`: sums of the
  monthly flows up to `on`'s month;
* overdue open at day `on` = hazards reported by `on` with deadline < `on`, less those of
  them closed by `on`: "reported by `on` and deadline before `on`" is one condition on one
  day, max(report day, deadline + 1) <= on, and "closed by `on` and deadline before `on`"
  is max(closing day, deadline + 1) <= on. So each hazard with a deadline adds `due_in` at
  its first day and, once closed, `due_out` at its second; overdue open = due_in - due_out
  summed over days up to `on`. These two are kept per month (the months before `on`'s)
  and per day (the days of `on`'s month).

Monthly counters describe a day `on` exactly when nothing happened after `on` within its
month: when `on` is the period's last day (a month end) or today. The readers fall back
to counting the hazard table otherwise (a figure asked "as of" a past day mid-month).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MONTHLY = (
    "found",
    "major_found",
    "fixed",
    "on_time",
    "major_fixed",
    "funds_cents",
    "listed",
    "due_in",
    "due_out",
)
DAILY = ("due_in", "due_out")
NOW = ("open", "major_open", "due")
# What a window's reading gives (the Counts of hazard_figures, plus open, listed and the
# funds in cents).
FIGURES = (
    "found",
    "found_fixed",
    "fixed",
    "on_time",
    "major_found",
    "major_fixed",
    "listed",
    "open",
    "major_open",
    "overdue_open",
    "funds_cents",
)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Fact:
    """What the rollup needs of one hazard (local dates)."""

    reported_on: dt.date
    closed_on: dt.date | None = None
    deadline: dt.date | None = None
    major: bool = False
    funds: Decimal | None = None
    listed_on: dt.date | None = None


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - ONE_DAY


def cents(amount: Decimal | None) -> int:
    """Yuan to whole cents, exactly (the funds column has two decimals)."""
    if amount is None:
        return 0
    return int((Decimal(amount) * 100).to_integral_value())


Monthly = dict[tuple[dt.date, dt.date], dict[str, int]]  # (month, report month) → counters
Daily = dict[dt.date, dict[str, int]]  # day → counters


def contributions(fact: Fact, sign: int = 1) -> tuple[Monthly, Daily]:
    """What one hazard adds (sign=1) or takes away (sign=-1)."""
    monthly: Monthly = defaultdict(dict)
    daily: Daily = defaultdict(dict)
    origin = month_of(fact.reported_on)

    def add(table: dict, key: Any, name: str, value: int) -> None:
        if value:
            table[key][name] = table[key].get(name, 0) + sign * value

    add(monthly, (origin, origin), "found", 1)
    add(monthly, (origin, origin), "major_found", int(fact.major))
    if fact.closed_on is not None:
        key = (month_of(fact.closed_on), origin)
        add(monthly, key, "fixed", 1)
        on_time = fact.deadline is None or fact.closed_on <= fact.deadline
        add(monthly, key, "on_time", int(on_time))
        add(monthly, key, "major_fixed", int(fact.major))
        add(monthly, key, "funds_cents", cents(fact.funds))
    if fact.listed_on is not None:
        add(monthly, (month_of(fact.listed_on), origin), "listed", 1)
    if fact.deadline is not None:
        due = fact.deadline + ONE_DAY
        first = max(fact.reported_on, due)
        add(monthly, (month_of(first), origin), "due_in", 1)
        add(daily, first, "due_in", 1)
        if fact.closed_on is not None:
            second = max(fact.closed_on, due)
            add(monthly, (month_of(second), origin), "due_out", 1)
            add(daily, second, "due_out", 1)
    return _clean(monthly), _clean(daily)


def _clean(table: Mapping[Any, dict[str, int]]) -> dict[Any, dict[str, int]]:
    return {k: {n: v for n, v in c.items() if v} for k, c in table.items() if any(c.values())}


def change(old: Fact | None, new: Fact | None) -> tuple[Monthly, Daily]:
    """The counters to add when a hazard goes from `old` to `new` (None: not there)."""
    monthly: Monthly = defaultdict(dict)
    daily: Daily = defaultdict(dict)
    for fact, sign in ((old, -1), (new, 1)):
        if fact is None:
            continue
        m, d = contributions(fact, sign)
        merge(monthly, m)
        merge(daily, d)
    return _clean(monthly), _clean(daily)


def now_of(monthly: Mapping[Any, Mapping[str, int]]) -> dict[str, int]:
    """The all-time sums kept per group (HazardNow) that monthly counters add up to."""
    out = dict.fromkeys(NOW, 0)
    for c in monthly.values():
        out["open"] += c.get("found", 0) - c.get("fixed", 0)
        out["major_open"] += c.get("major_found", 0) - c.get("major_fixed", 0)
        out["due"] += c.get("due_in", 0) - c.get("due_out", 0)
    return out


def merge(into: dict[Any, dict[str, int]], more: Mapping[Any, Mapping[str, int]]) -> None:
    for key, counters in more.items():
        row = into.setdefault(key, {})
        for name, value in counters.items():
            row[name] = row.get(name, 0) + value


def tally(facts: Iterable[Fact]) -> tuple[Monthly, Daily]:
    """The counters of many hazards (a full recount)."""
    monthly: Monthly = {}
    daily: Daily = {}
    for fact in facts:
        m, d = contributions(fact)
        merge(monthly, m)
        merge(daily, d)
    return _clean(monthly), _clean(daily)


# --- reading a period back ----------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A period [start, end] (start on a month's first day) described as of `on`."""

    start: dt.date
    end: dt.date
    on: dt.date

    def __post_init__(self) -> None:
        if self.start.day != 1:
            raise ValueError("the rollup counts periods that start on a month's first day")
        if not self.start <= self.on <= self.end:
            raise ValueError("the as-of day lies within the period")

    @property
    def on_month(self) -> dt.date:
        return month_of(self.on)


def figures(
    window: Window,
    monthly: Iterable[tuple[dt.date, dt.date, Mapping[str, int]]],
    daily: Iterable[tuple[dt.date, Mapping[str, int]]],
) -> dict[str, Any]:
    """The figures of `window` from counter rows: `monthly` as (month, report month,
    counters), `daily` as (day, counters). Rows outside what a figure needs are ignored,
    so a caller may pass more than it must. The database readers do the same sums in SQL;
    this is their reference, used by the tests."""
    out = dict.fromkeys(FIGURES, 0)
    s, e, om = window.start, window.end, window.on_month
    for month, origin, c in monthly:
        if month > om:
            continue
        g = c.get
        if s <= month <= e:
            out["found"] += g("found", 0)
            out["major_found"] += g("major_found", 0)
            out["fixed"] += g("fixed", 0)
            out["on_time"] += g("on_time", 0)
            out["major_fixed"] += g("major_fixed", 0)
            out["funds_cents"] += g("funds_cents", 0)
            out["listed"] += g("listed", 0)
        if s <= origin <= e:
            out["found_fixed"] += g("fixed", 0)
        out["open"] += g("found", 0) - g("fixed", 0)
        out["major_open"] += g("major_found", 0) - g("major_fixed", 0)
        if month < om:
            out["overdue_open"] += g("due_in", 0) - g("due_out", 0)
    for day, c in daily:
        if om <= day <= window.on:
            out["overdue_open"] += c.get("due_in", 0) - c.get("due_out", 0)
    return out
