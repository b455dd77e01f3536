"""The pure responsibility-list rules: quarters, the report's due day (15 days after the
quarter, a local default), missing signatures and posts without duties."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.people import duty_rules as dr


@pytest.mark.parametrize(
    ("year", "quarter", "end", "due"),
    [
        (2026, 1, dt.date(2026, 3, 31), dt.date(2026, 4, 15)),
        (2026, 2, dt.date(2026, 6, 30), dt.date(2026, 7, 15)),
        (2026, 3, dt.date(2026, 9, 30), dt.date(2026, 10, 15)),
        (2026, 4, dt.date(2026, 12, 31), dt.date(2027, 1, 15)),
    ],
)
def test_given_a_quarter_when_asked_then_its_end_and_report_due_day(year, quarter, end, due):
    assert dr.quarter_end(year, quarter) == end
    assert dr.report_due(year, quarter) == due


def test_given_a_bad_quarter_when_asked_then_refused():
    with pytest.raises(ValueError):
        dr.quarter_end(2026, 5)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2027, 1, 1), (2026, 4)),
        (dt.date(2026, 4, 1), (2026, 1)),
        (dt.date(2026, 12, 31), (2026, 3)),
    ],
)
def test_given_a_day_when_asked_then_the_last_ended_quarter(today, expected):
    assert dr.last_ended_quarter(today) == expected


@pytest.mark.parametrize(
    ("today", "submitted", "expected"),
    [
        (dt.date(2026, 3, 31), False, dr.NOT_DUE),
        (dt.date(2026, 4, 1), False, dr.DUE),
        (dt.date(2026, 4, 15), False, dr.DUE),
        (dt.date(2026, 4, 16), False, dr.OVERDUE),
        (dt.date(2026, 4, 16), True, dr.SUBMITTED),
    ],
)
def test_given_the_first_quarter_when_judged_then_due_until_the_15th_day(
    today, submitted, expected
):
    assert dr.report_status(2026, 1, submitted=submitted, today=today) == expected


def test_given_workers_and_letters_when_checked_then_missing_signatures_are_flagged():
    check = dr.check(
        posts={"操作工": "遵守操作规程", "电 工": "", "班组长": "班前会"},
        workers=[
            dr.WorkerLine(1, "操作工"),
            dr.WorkerLine(2, " 操作工 "),
            dr.WorkerLine(3, "电工"),  # matches "电 工": spaces ignored
            dr.WorkerLine(4, "司机"),  # not in the list
            dr.WorkerLine(5, ""),  # no post
        ],
        signed=[(1, "操作工"), (3, "电 工"), (2, "班组长")],  # 2 signed another post's
    )
    assert check.signed == [1, 3]
    assert check.unsigned == [2]
    assert check.unlisted == [4, 5]
    assert check.missing == 3
    assert check.posts_without_duties == ["电 工"]
