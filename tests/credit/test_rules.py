"""Listing rules and figures, pure (anjian.credit.rules), at their boundaries."""

import datetime as dt

import pytest

from anjian.credit import rules
from anjian.credit.rules import Figures

RULES = rules.load_rules()
TODAY = dt.date(2026, 11, 29)


def fired(**figures):
    return [r.id for r in RULES.fired(Figures(**figures))]


def test_given_the_data_file_when_loaded_then_three_rules_twelve_months_six_clean():
    assert [r.id for r in RULES.rules] == ["major_overdue_30", "relapses_2", "on_time_below_60"]
    assert (RULES.period_months, RULES.clean_months) == (12, 6)


@pytest.mark.parametrize(("days", "fires"), [(0, False), (30, False), (31, True)])
def test_given_major_overdue_days_when_checked_then_fires_only_beyond_30(days, fires):
    assert ("major_overdue_30" in fired(major_overdue_days=days)) is fires


@pytest.mark.parametrize(("n", "fires"), [(0, False), (1, False), (2, True), (5, True)])
def test_given_relapses_when_checked_then_fires_from_two(n, fires):
    assert ("relapses_2" in fired(relapses=n)) is fires


@pytest.mark.parametrize(
    ("with_deadline", "on_time", "fires"),
    [
        (5, 3, False),  # exactly 60 %: not below
        (5, 2, True),  # 40 %
        (4, 0, False),  # 0 % but fewer than 5 hazards with a deadline
        (10, 5, True),  # 50 %
        (0, 0, False),  # no rate at all
        (100, 59, True),
        (100, 60, False),
    ],
)
def test_given_on_time_rate_when_checked_then_below_60_with_at_least_5(
    with_deadline, on_time, fires
):
    assert ("on_time_below_60" in fired(with_deadline=with_deadline, on_time=on_time)) is fires


def test_given_no_hazard_with_deadline_when_rate_asked_then_none():
    assert Figures().on_time_rate is None
    assert Figures(with_deadline=4, on_time=3).on_time_rate == 0.75
    assert Figures(with_deadline=3, on_time=1).as_dict()["on_time_rate"] == 0.3333


def test_given_several_rules_firing_when_listed_then_first_in_file_order_named():
    d = rules.decide(
        Figures(major_overdue_days=40, relapses=3),
        RULES,
        today=TODAY,
        listed=False,
        last_fired_on=None,
    )
    assert d.list_rule.id == "major_overdue_30"
    assert d.fired == ("major_overdue_30", "relapses_2")
    assert not d.remove


def test_given_clean_enterprise_not_listed_when_decided_then_nothing():
    d = rules.decide(Figures(), RULES, today=TODAY, listed=False, last_fired_on=None)
    assert (d.list_rule, d.remove, d.fired) == (None, False, ())


def test_given_listed_and_still_firing_when_decided_then_stays():
    d = rules.decide(
        Figures(relapses=2),
        RULES,
        today=TODAY,
        listed=True,
        last_fired_on=TODAY,
        listed_on=dt.date(2025, 1, 1),
    )
    assert (d.list_rule, d.remove) == (None, False)


@pytest.mark.parametrize(
    ("last_fired", "remove"),
    [
        (dt.date(2026, 5, 29), True),  # exactly six months clean
        (dt.date(2026, 5, 30), False),  # one day short
        (dt.date(2025, 1, 1), True),
    ],
)
def test_given_listed_and_clean_when_decided_then_removed_after_six_months(last_fired, remove):
    d = rules.decide(
        Figures(),
        RULES,
        today=TODAY,
        listed=True,
        last_fired_on=last_fired,
        listed_on=dt.date(2024, 1, 1),
    )
    assert d.remove is remove and d.list_rule is None


def test_given_no_last_fired_when_decided_then_counted_from_listing_day():
    listed_on = dt.date(2026, 6, 1)
    d = rules.decide(
        Figures(),
        RULES,
        today=dt.date(2026, 11, 30),
        listed=True,
        last_fired_on=None,
        listed_on=listed_on,
    )
    assert not d.remove
    d = rules.decide(
        Figures(),
        RULES,
        today=dt.date(2026, 12, 1),
        listed=True,
        last_fired_on=None,
        listed_on=listed_on,
    )
    assert d.remove


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 11, 29), -12, dt.date(2025, 11, 29)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_given_dates_when_months_added_then_clamped_to_month_end(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_given_twelve_months_when_period_starts_then_the_day_after_a_year_ago():
    assert rules.period_start(TODAY, 12) == dt.date(2025, 11, 30)


@pytest.mark.parametrize(
    "data",
    [
        {"rules": [{"id": "x", "conditions": [{"metric": "nope", "op": ">", "value": 1}]}]},
        {"rules": [{"id": "x", "conditions": [{"metric": "relapses", "op": "!=", "value": 1}]}]},
        {"rules": [{"id": "x", "conditions": []}]},
        {"rules": [{"conditions": [{"metric": "relapses", "op": ">", "value": 1}]}]},
        {
            "rules": [
                {"id": "x", "conditions": [{"metric": "relapses", "op": ">", "value": 1}]},
                {"id": "x", "conditions": [{"metric": "relapses", "op": ">", "value": 2}]},
            ]
        },
        {"rules": [], "clean_months": 0},
        {"rules": [{"id": "x", "conditions": [{"metric": "relapses", "op": ">"}]}]},
    ],
)
def test_given_bad_rules_when_loaded_then_refused(data):
    with pytest.raises(rules.RulesError):
        rules.rules_from(data)
