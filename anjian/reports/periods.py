"""Reporting periods of the hazard statistics and when their tables are due. Pure: no
Django import, so pages, the API, jobs and tests share one definition.

The rule (安全生产事故隐患排查治理暂行规定, 国家安监总局令第16号 第十四条; see
/work/shared/domain/standards.md A7.1): the enterprise analyses its hidden-danger work
every quarter and every year and submits the written statistics table, signed by its
principal (主要负责人), by the 15th of the first month of the next quarter (quarterly) and
by 31 January of the next year (annual).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

QUARTER = "quarter"
YEAR = "year"
KINDS = (QUARTER, YEAR)

# 16号令 第十四条: "每季、每年…于下一季度15日前和下一年1月31日前".
QUARTERLY_DUE_DAY = 15
ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY = 1, 31

# The regulation is in force from 2008-02-01: no table is due for an earlier period.
FIRST_YEAR = 2008
LAST_YEAR = 9998  # the due date of year Y lies in Y + 1, which a date must still hold

_KEY = re.compile(r"^\s*(\d{4})(?:\s*[-_ ]?\s*[Qq]([1-4]))?\s*$")


class PeriodError(ValueError):
    """Not a period: the message says why."""


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter (quarter 1–4) or a calendar year (quarter 0)."""

    year: int
    quarter: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.year, int) or isinstance(self.year, bool):
            raise PeriodError("year must be a whole number")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise PeriodError(f"year must be between {FIRST_YEAR} and {LAST_YEAR}")
        if self.quarter not in (0, 1, 2, 3, 4):
            raise PeriodError("quarter must be 1 to 4 (or 0 for the whole year)")

    # --- what it is --------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return YEAR if self.quarter == 0 else QUARTER

    @property
    def key(self) -> str:
        """ "2026Q1" or "2026": what URLs, the API and the database's lookups use."""
        return str(self.year) if self.quarter == 0 else f"{self.year}Q{self.quarter}"

    def __str__(self) -> str:
        return self.key

    @property
    def start(self) -> dt.date:
        month = 1 if self.quarter == 0 else 3 * self.quarter - 2
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period (inclusive)."""
        if self.quarter in (0, 4):
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def due(self) -> dt.date:
        """The last day on which the signed table may be submitted (16号令 第十四条)."""
        if self.quarter == 0:
            return dt.date(self.year + 1, ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY)
        if self.quarter == 4:
            return dt.date(self.year + 1, 1, QUARTERLY_DUE_DAY)
        return dt.date(self.year, 3 * self.quarter + 1, QUARTERLY_DUE_DAY)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def has_ended(self, today: dt.date) -> bool:
        return today > self.end

    def is_late(self, submitted_on: dt.date) -> bool:
        """Submitted after the due date (on the due date is on time)."""
        return submitted_on > self.due

    def is_overdue(self, today: dt.date) -> bool:
        """Not submitted and the due date has passed."""
        return today > self.due

    def previous(self) -> Period:
        if self.quarter == 0:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)


def quarter_of(day: dt.date) -> Period:
    return Period(day.year, (day.month - 1) // 3 + 1)


def year_of(day: dt.date) -> Period:
    return Period(day.year)


def parse(text: object) -> Period:
    """ "2026Q1", "2026-Q1", "2026q1" → the quarter; "2026" → the year."""
    if isinstance(text, Period):
        return text
    if not isinstance(text, str):
        raise PeriodError("enter a period such as 2026Q1 or 2026")
    match = _KEY.match(text)
    if not match:
        raise PeriodError("enter a period such as 2026Q1 or 2026")
    year, quarter = int(match.group(1)), int(match.group(2) or 0)
    return Period(year, quarter)


def last_closed(today: dt.date, kind: str = QUARTER) -> Period:
    """The most recent period that has ended: the one whose table is being prepared now."""
    if kind == YEAR:
        return Period(today.year - 1)
    return quarter_of(today).previous()


def recent(today: dt.date, count: int = 8) -> list[Period]:
    """The last `count` ended quarters and the years among them, newest first (choices for
    a form)."""
    out: list[Period] = []
    period = last_closed(today)
    years: set[int] = set()
    while len(out) < count and period.year >= FIRST_YEAR:
        out.append(period)
        if period.quarter == 4 and period.year not in years:
            years.add(period.year)
            out.append(Period(period.year))
        try:
            period = period.previous()
        except PeriodError:
            break
    return out
