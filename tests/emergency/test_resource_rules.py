"""The supply warning rules (pure): expiry boundaries, shortage, state, scrapped."""

from __future__ import annotations

import datetime as dt

from anjian.emergency import resource_rules as rules

TODAY = dt.date(2026, 12, 4)


def facts(**kw):
    values = {"quantity": 10, "minimum": 5, "expires_on": None, "state": "good", **kw}
    return rules.SupplyFacts(**values)


def kinds(**kw):
    return [w.kind for w in rules.supply_warnings(facts(**kw), today=TODAY)]


def test_given_no_expiry_enough_stock_and_good_state_then_no_warning():
    assert kinds() == []


def test_given_expiry_yesterday_then_expired():
    found = rules.supply_warnings(facts(expires_on=TODAY - dt.timedelta(days=1)), today=TODAY)
    assert [(w.kind, w.days_left) for w in found] == [("expired", -1)]


def test_given_expiry_today_then_expiring_not_expired():
    assert kinds(expires_on=TODAY) == ["expiring"]


def test_given_expiry_in_exactly_30_days_then_expiring():
    assert kinds(expires_on=TODAY + dt.timedelta(days=30)) == ["expiring"]


def test_given_expiry_in_31_days_then_nothing():
    assert kinds(expires_on=TODAY + dt.timedelta(days=31)) == []


def test_given_a_notice_of_60_days_when_expiry_in_45_then_expiring():
    found = rules.supply_warnings(
        facts(expires_on=TODAY + dt.timedelta(days=45)), today=TODAY, notice_days=60
    )
    assert [w.kind for w in found] == ["expiring"]
    assert found[0].days_left == 45


def test_given_quantity_below_minimum_then_short_with_the_missing_count():
    found = rules.supply_warnings(facts(quantity=3, minimum=5), today=TODAY)
    assert [(w.kind, w.missing) for w in found] == [("short", 2)]


def test_given_quantity_equal_to_minimum_then_not_short():
    assert kinds(quantity=5, minimum=5) == []


def test_given_maintenance_then_state_warning():
    assert kinds(state="maintenance") == ["state"]


def test_given_a_scrapped_record_then_nothing_even_if_expired_and_short():
    assert kinds(state="scrapped", quantity=0, expires_on=TODAY - dt.timedelta(days=9)) == []


def test_given_all_problems_then_all_warnings_in_order():
    assert kinds(quantity=0, expires_on=TODAY - dt.timedelta(days=1), state="maintenance") == [
        "expired",
        "short",
        "state",
    ]


def test_sent_key_changes_with_the_fact_warned_about():
    a = rules.supply_warnings(facts(expires_on=TODAY), today=TODAY)[0]
    b = rules.supply_warnings(facts(expires_on=TODAY + dt.timedelta(days=1)), today=TODAY)[0]
    assert rules.sent_key(7, a) != rules.sent_key(7, b)
    assert rules.sent_key(7, a) == f"7:expiring:{TODAY.isoformat()}"
    assert len(rules.sent_key(2**62, a)) <= 64


def test_expiry_cutoff_and_coordinates():
    assert rules.expiry_cutoff(TODAY) == TODAY + dt.timedelta(days=30)
    assert rules.coordinate_problem(90.0, limit=90) is None
    assert rules.coordinate_problem(-180.0, limit=180) is None
    assert rules.coordinate_problem(90.0001, limit=90) == "range"
    assert rules.coordinate_problem(None, limit=90) is None
