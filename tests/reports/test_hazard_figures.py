"""The pure figures: exact counts and rates at their boundaries."""

import datetime as dt
from decimal import Decimal

import pytest

from anjian.reports import hazard_figures as hf
from anjian.reports.hazard_figures import HazardRow

D = dt.date
START, END = D(2026, 1, 1), D(2026, 3, 31)


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (2, 3, "66.7"),
        (1, 3, "33.3"),
        (1, 8, "12.5"),
        (1, 16, "6.3"),  # 6.25 rounds half up
        (1, 80, "1.3"),  # 1.25 rounds half up
        (3, 3, "100.0"),
        (0, 5, "0.0"),
        (1, 6, "16.7"),
        (5, 6, "83.3"),
    ],
)
def test_given_counts_then_percent_exact_half_up(num, den, expected):
    assert hf.percent(num, den) == Decimal(expected)


def test_given_nothing_to_count_then_rate_is_none_not_zero():
    assert hf.percent(0, 0) is None


def test_given_as_of_then_period_end_or_today_while_running():
    assert hf.as_of(START, END, D(2026, 6, 1)) == END
    assert hf.as_of(START, END, D(2026, 2, 10)) == D(2026, 2, 10)


def rows():
    return [
        # found in Q1, closed before its deadline: on time
        HazardRow(
            D(2026, 1, 5),
            D(2026, 1, 20),
            D(2026, 1, 20),
            "general",
            "things",
            "self_check",
            Decimal("100.50"),
        ),
        # found in Q1, closed one day after its deadline: late
        HazardRow(
            D(2026, 2, 1),
            D(2026, 2, 11),
            D(2026, 2, 10),
            "general",
            "people",
            "self_check",
            Decimal("50"),
        ),
        # found in Q1, fixed on the spot (no deadline): on time
        HazardRow(
            D(2026, 3, 31), D(2026, 3, 31), None, "general", "management", "government_inspection"
        ),
        # found in Q1, open, deadline passed: overdue
        HazardRow(D(2026, 3, 1), None, D(2026, 3, 15), "general", "things", "self_check"),
        # found in Q1, major, open (deadline after the quarter): not overdue, not cleared
        HazardRow(D(2026, 2, 15), None, D(2026, 5, 1), "major", "things", "government_inspection"),
        # found in Q4 of 2025, major, closed in Q1 on time: fixed in Q1, not found in Q1
        HazardRow(
            D(2025, 12, 1),
            D(2026, 1, 10),
            D(2026, 1, 31),
            "major",
            "things",
            "self_check",
            Decimal("20000"),
        ),
        # found in Q1, closed in Q2: found, not fixed by the end of Q1, open at the end
        HazardRow(D(2026, 3, 20), D(2026, 4, 2), D(2026, 3, 30), "general", "things", "self_check"),
        # found in Q2: not counted at all
        HazardRow(D(2026, 4, 1), None, D(2026, 4, 2), "major", "things", "self_check"),
    ]


def test_given_a_hand_built_quarter_then_every_count_exact():
    c = hf.count(rows(), START, END, END)
    assert c == hf.Counts(
        found=6,
        found_fixed=3,
        fixed=4,
        on_time=3,
        overdue_open=2,  # 2026-03-01 (deadline 03-15) and 2026-03-20 (deadline 03-30)
        major_found=1,
        major_fixed=1,
        major_open=1,
        funds=Decimal("20150.50"),
    )
    s = hf.summarise(c)
    assert s["rectification_rate"] == "50.0"
    assert s["on_time_rate"] == "75.0"
    assert s["funds"] == "20150.50"
    assert s["major_cleared"] is False


def test_given_two_of_three_fixed_on_time_then_66_7_percent():
    got = [
        HazardRow(D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 3)),
        HazardRow(D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 9)),
        HazardRow(D(2026, 1, 2), D(2026, 1, 4), D(2026, 1, 3)),
    ]
    assert hf.summarise(hf.count(got, START, END, END))["on_time_rate"] == "66.7"


def test_given_running_period_then_counted_as_of_today():
    got = hf.count(rows(), START, END, D(2026, 1, 15))
    # Only the first Q1 row is reported by 15 January, open; the Q4 major closed on 10 January.
    assert (got.found, got.fixed, got.major_open, got.major_fixed) == (1, 1, 0, 1)


def test_given_no_open_major_then_cleared():
    got = hf.count([HazardRow(D(2026, 1, 2), D(2026, 1, 3), None, "major")], START, END, END)
    assert hf.summarise(got)["major_cleared"] is True


def test_given_rows_then_breakdowns_of_hazards_found():
    f = hf.statement_figures(rows(), START, END, D(2026, 6, 1))
    assert f["by_level"] == {"general": 5, "major": 1}
    assert f["by_category"] == {"management": 1, "people": 1, "things": 4}
    assert f["by_source"] == {"government_inspection": 2, "self_check": 4}
    assert f["as_of"] == "2026-03-31"


def test_given_counts_then_they_add_up():
    a = hf.count(rows(), START, END, END)
    total = hf.Counts().add(a).add(a)
    assert total.found == 12 and total.funds == Decimal("40301.00")
