"""Deadlines of emergency plans as pure rules (no Django import), standards.md A10:

* filing (备案) within 20 working days of issue (《生产安全事故应急预案管理办法》 第二十六条);
* the regulator checks the filed materials within 5 working days, else the plan counts
  as filed (备案 review; the article number is UNCONFIRMED in standards.md A10);
* an evaluation every 3 years from issue or the last evaluation (第三十五条).

Working days follow the official calendar (the `chinese_calendar` package): official
holidays are days off and the adjusted working Saturdays and Sundays (调休) are working
days. Every function takes an injectable `is_workday` so the tests can use a calendar of
their own; the default is the official one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Workday = Callable[[dt.date], bool]

FILING_WORKING_DAYS = 20  # 第二十六条
CHECK_WORKING_DAYS = 5  # 备案 review: materials checked within 5 working days
EVALUATION_YEARS = 3  # 第三十五条
# How many working days before a deadline a plan is "due soon" on the pages.
DUE_SOON_WORKING_DAYS = 5


# The holidays on fixed solar dates (《全国年节及纪念日放假办法》, 2024 revision): New Year's
# Day, Labour Day (1–2 May), National Day (1–3 October). For a year the calendar package
# does not publish yet, these and the weekends are the days off; the lunar holidays and
# the adjusted working days are known only once the State Council publishes the year.
FIXED_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
)


def fallback_is_workday(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def official_is_workday(day: dt.date) -> bool:
    """The official calendar; a year it does not know yet (the package raises
    NotImplementedError beyond its data) falls back to fallback_is_workday."""
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):
        return fallback_is_workday(day)


def add_working_days(start: dt.date, n: int, is_workday: Workday = official_is_workday) -> dt.date:
    """The n-th working day after `start` (the day of the act itself does not count:
    期间开始的当日不算入期间); n = 0 is `start` itself."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, is_workday: Workday = official_is_workday
) -> int:
    """Working days after `start` up to and including `end` (the next working day is 1);
    negative when `end` is before `start` (the working days from `end` to `start`)."""
    if end < start:
        return -working_days_between(end, start, is_workday)
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += bool(is_workday(day))
    return n


def filing_due(issued_on: dt.date, is_workday: Workday = official_is_workday) -> dt.date:
    """The last day to submit the plan for filing: 20 working days after issue (第二十六条)."""
    return add_working_days(issued_on, FILING_WORKING_DAYS, is_workday)


def check_due(submitted_on: dt.date, is_workday: Workday = official_is_workday) -> dt.date:
    """The last day for the regulator to file or return a submitted plan: 5 working days."""
    return add_working_days(submitted_on, CHECK_WORKING_DAYS, is_workday)


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def evaluation_due(basis: dt.date) -> dt.date:
    """Three years after issue or the last evaluation (第三十五条), in calendar years."""
    return add_years(basis, EVALUATION_YEARS)


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    """Past the last day (the due day itself is still in time)."""
    return due is not None and today > due


def working_days_left(
    due: dt.date | None, today: dt.date, is_workday: Workday = official_is_workday
) -> int | None:
    """Working days left until `due` (0 on the due day or a day off just before it;
    negative: the working days it is late by)."""
    if due is None:
        return None
    return working_days_between(today, due, is_workday)


def filing_overdue(*, state: str, filing_due: dt.date | None, today: dt.date) -> bool:
    """Issued (or returned for missing materials) and not submitted by the last day.
    A returned plan stays held to its original filing deadline: the regulator's answer
    does not restart the 20 days."""
    return state in ("issued", "returned") and is_overdue(filing_due, today)


def deemed_filed(*, state: str, check_due: dt.date | None, today: dt.date) -> bool:
    """A submitted plan whose check deadline passed without an answer counts as filed."""
    return state == "submitted" and is_overdue(check_due, today)


def evaluation_overdue(*, state: str, evaluation_due: dt.date | None, today: dt.date) -> bool:
    """A plan in force (issued, submitted, returned, filed) past its evaluation date."""
    return state in ("issued", "submitted", "returned", "filed") and is_overdue(
        evaluation_due, today
    )


# 第二十一条: who needs an expert review (评审) rather than a demonstration (论证) of
# their plans, by the industry's broad sector. The codes are anjian.registry's
# high-risk industry codes; a medium-or-larger unit of any other sector is also reviewed.
REVIEW_SECTORS = frozenset(
    {"HR-MINE", "HR-COAL", "HR-IT-MET", "HR-IT-NFM", "HR-CONSTR", "HR-HAZCHEM"}
)


def review_kind(*, industry_code: str, scale: str) -> str:
    """ "review" (评审, with expert minutes) or "demonstration" (论证), 第二十一条."""
    if industry_code in REVIEW_SECTORS or scale in ("medium", "large"):
        return "review"
    return "demonstration"
