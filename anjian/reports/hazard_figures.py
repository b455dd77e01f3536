"""The hazard figures of a period, computed from plain rows. Pure: no Django import.

The enterprise's statistics table (隐患排查治理情况统计分析表, 16号令 第十四条) and the
regulators' figures use the same definitions; the regulators' figures are counted in the
database (anjian.reports.queries) into the same `Counts` and summarised here, and a test
checks that both ways agree.

Definitions (local dates, Asia/Shanghai; `as_of` is the period's last day, or today while
the period runs):

* found — hazards reported within the period; broken down by level, category and source;
* fixed — hazards closed (accepted / 核销) within the period, whenever they were found;
* found and fixed — found within the period and closed by `as_of` (整改率 = this / found);
* on time — fixed hazards closed on or before their deadline; a hazard without a
  deadline was fixed on the spot and is on time (及时整改率 = on time / fixed);
* overdue open — reported by `as_of`, not closed by `as_of`, deadline before `as_of`;
* major found / fixed / open — the same for major hazards; open = not closed at `as_of`;
  "清零" (all cleared) means no major hazard is open;
* funds — the rectification funds (五定 资金) of the hazards fixed within the period.

Rates are exact fractions rounded half up to one decimal place of a percent (2/3 → 66.7);
a rate with nothing to count (0/0) is None, shown as "—", never 0 % or 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

MAJOR = "major"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class HazardRow:
    """What the figures need of one hazard."""

    reported_on: dt.date
    closed_on: dt.date | None = None
    deadline: dt.date | None = None
    level: str = "general"
    category: str = ""
    source: str = ""
    funds: Decimal | None = None


@dataclass
class Counts:
    """The additive counts of a period (they sum across enterprises and groups)."""

    found: int = 0
    found_fixed: int = 0
    fixed: int = 0
    on_time: int = 0
    overdue_open: int = 0
    major_found: int = 0
    major_fixed: int = 0
    major_open: int = 0
    funds: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, other: Counts) -> Counts:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.funds = (self.funds + other.funds).quantize(CENT)
        return self


COUNT_FIELDS = (
    "found",
    "found_fixed",
    "fixed",
    "on_time",
    "overdue_open",
    "major_found",
    "major_fixed",
    "major_open",
)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage with one decimal, rounded half up, computed
    in integers (exact: 2/3 → 66.7, 1/8 → 12.5, 1/16 → 6.3). None when there is nothing
    to count."""
    if denominator <= 0:
        return None
    if numerator < 0:
        raise ValueError("a count cannot be negative")
    # tenths of a percent = round_half_up(numerator * 1000 / denominator)
    tenths = (numerator * 2000 + denominator) // (2 * denominator)
    return (Decimal(tenths) / 10).quantize(Decimal("0.1"))


def as_of(start: dt.date, end: dt.date, today: dt.date) -> dt.date:
    """The day the figures describe: the period's last day, or today while it runs."""
    return max(start, min(end, today))


def count(rows: Iterable[HazardRow], start: dt.date, end: dt.date, on: dt.date) -> Counts:
    """The counts of the period [start, end] described at day `on` (see `as_of`)."""
    out = Counts()
    for row in rows:
        if row.reported_on > on:
            continue
        closed = row.closed_on if row.closed_on is not None and row.closed_on <= on else None
        major = row.level == MAJOR
        if start <= row.reported_on <= end:
            out.found += 1
            out.major_found += major
            if closed is not None:
                out.found_fixed += 1
        if closed is not None and start <= closed <= end:
            out.fixed += 1
            out.major_fixed += major
            if row.deadline is None or closed <= row.deadline:
                out.on_time += 1
            if row.funds is not None:
                out.funds += row.funds
        if closed is None:
            out.major_open += major
            if row.deadline is not None and row.deadline < on:
                out.overdue_open += 1
    out.funds = out.funds.quantize(CENT)
    return out


def breakdown(
    rows: Iterable[HazardRow], start: dt.date, end: dt.date, on: dt.date, attr: str
) -> dict[str, int]:
    """Hazards found within the period by `attr` (level, category or source)."""
    tally: Counter[str] = Counter(
        getattr(row, attr) for row in rows if start <= row.reported_on <= min(end, on)
    )
    return dict(sorted(tally.items()))


def summarise(counts: Counts) -> dict[str, Any]:
    """The counts with their rates and the 清零 flag, as JSON-ready values (decimals as
    text, so a stored table reads back exactly)."""
    rectification = percent(counts.found_fixed, counts.found)
    on_time = percent(counts.on_time, counts.fixed)
    return {
        **{name: getattr(counts, name) for name in COUNT_FIELDS},
        "funds": str(counts.funds.quantize(CENT)),
        "rectification_rate": None if rectification is None else str(rectification),
        "on_time_rate": None if on_time is None else str(on_time),
        "major_cleared": counts.major_open == 0,
    }


def statement_figures(
    rows: Iterable[HazardRow], start: dt.date, end: dt.date, today: dt.date
) -> dict[str, Any]:
    """Everything the enterprise's statistics table shows, computed once at preparation."""
    rows = list(rows)
    on = as_of(start, end, today)
    figures = summarise(count(rows, start, end, on))
    figures["as_of"] = on.isoformat()
    figures["by_level"] = breakdown(rows, start, end, on, "level")
    figures["by_category"] = breakdown(rows, start, end, on, "category")
    figures["by_source"] = breakdown(rows, start, end, on, "source")
    return figures


def counts_from(mapping: Mapping[str, Any]) -> Counts:
    """A Counts from a database aggregate row (missing or NULL values are zero)."""
    values = {name: int(mapping.get(name) or 0) for name in COUNT_FIELDS}
    funds = mapping.get("funds")
    return Counts(**values, funds=Decimal(funds or 0).quantize(CENT))


def counts_dict(counts: Counts) -> dict[str, Any]:
    return {**asdict(counts), "funds": str(counts.funds)}
