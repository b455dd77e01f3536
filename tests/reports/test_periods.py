"""Reporting periods and due dates (16号令 第十四条): quarterly by the 15th of the first
month of the next quarter, annual by 31 January of the next year."""

import datetime as dt

import pytest

from anjian.reports import periods
from anjian.reports.periods import Period, PeriodError

D = dt.date


@pytest.mark.parametrize(
    ("quarter", "start", "end", "due"),
    [
        (1, D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15)),
        (2, D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15)),
        (3, D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 15)),
        (4, D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 15)),
    ],
)
def test_given_a_quarter_then_its_days_and_due_date(quarter, start, end, due):
    p = Period(2026, quarter)
    assert (p.start, p.end, p.due, p.kind) == (start, end, due, "quarter")


def test_given_q4_then_due_on_15_january_of_next_year():
    assert Period(2026, 4).due == D(2027, 1, 15)


def test_given_a_year_then_due_on_31_january_of_next_year():
    p = Period(2026)
    assert (p.start, p.end, p.due, p.kind, p.key) == (
        D(2026, 1, 1),
        D(2026, 12, 31),
        D(2027, 1, 31),
        "year",
        "2026",
    )


@pytest.mark.parametrize("year", [2024, 2028, 2100])  # leap, leap, not leap
def test_given_leap_years_then_q1_ends_31_march_and_due_dates_do_not_move(year):
    assert Period(year, 1).end == D(year, 3, 31)
    assert Period(year, 1).due == D(year, 4, 15)
    assert Period(year).due == D(year + 1, 1, 31)


def test_given_the_due_day_then_on_time_and_the_next_day_late():
    p = Period(2026, 4)
    assert not p.is_late(D(2027, 1, 15))
    assert p.is_late(D(2027, 1, 16))
    assert not p.is_overdue(D(2027, 1, 15))
    assert p.is_overdue(D(2027, 1, 16))


def test_given_period_end_then_ended_only_the_day_after():
    p = Period(2026, 1)
    assert not p.has_ended(D(2026, 3, 31))
    assert p.has_ended(D(2026, 4, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026Q1", Period(2026, 1)),
        ("2026-Q4", Period(2026, 4)),
        (" 2026q2 ", Period(2026, 2)),
        ("2026", Period(2026)),
    ],
)
def test_given_period_keys_then_parsed(text, expected):
    assert periods.parse(text) == expected
    assert periods.parse(expected.key) == expected


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "26Q1", "Q1", "", "2007", "abc", None, 2026])
def test_given_bad_period_then_refused(text):
    with pytest.raises(PeriodError):
        periods.parse(text)


def test_given_dates_then_their_quarter_and_the_last_closed_one():
    assert periods.quarter_of(D(2026, 3, 31)) == Period(2026, 1)
    assert periods.quarter_of(D(2026, 4, 1)) == Period(2026, 2)
    assert periods.last_closed(D(2026, 1, 10)) == Period(2025, 4)
    assert periods.last_closed(D(2026, 1, 10), "year") == Period(2025)
    assert Period(2026, 1).previous() == Period(2025, 4)
    assert Period(2026).previous() == Period(2025)


def test_given_today_then_recent_periods_newest_first_with_years():
    got = periods.recent(D(2026, 5, 1), count=6)
    assert [p.key for p in got] == ["2026Q1", "2025Q4", "2025", "2025Q3", "2025Q2", "2025Q1"]
