"""Certificate status at its boundaries, the 6/3-year dates, the warnings, and the
training hours of 第3号令 (ordinary and high-risk sectors)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from anjian.people import idcard
from anjian.people import training_rules as rules

TODAY = dt.date(2026, 6, 15)


def status(expires, review=None, state="valid"):
    return rules.certificate_status(expires, review, state, TODAY)


def test_given_a_certificate_that_expires_today_then_still_valid_and_yesterday_expired():
    assert status(TODAY) == "valid"
    assert status(TODAY - dt.timedelta(days=1)) == "expired"


def test_given_a_revoked_certificate_then_revoked_whatever_the_dates():
    assert status(TODAY + dt.timedelta(days=900), state="revoked") == "revoked"
    assert status(TODAY - dt.timedelta(days=9), state="revoked") == "revoked"


def test_given_the_review_date_then_review_due_within_60_days_and_expired_after():
    far = TODAY + dt.timedelta(days=1000)
    assert status(far, TODAY + dt.timedelta(days=61)) == "valid"
    assert status(far, TODAY + dt.timedelta(days=60)) == "review_due"
    assert status(far, TODAY) == "review_due"
    # 第二十六条: not reviewed in time, the certificate is void.
    assert status(far, TODAY - dt.timedelta(days=1)) == "expired"
    assert {"valid", "review_due"} == rules.USABLE


def test_given_an_issue_date_then_valid_6_years_and_reviewed_after_3():
    expires, review = rules.special_work_dates(dt.date(2024, 3, 1))
    assert expires == dt.date(2030, 2, 28) and review == dt.date(2027, 2, 28)
    expires, review = rules.special_work_dates(dt.date(2024, 3, 1), extended_review=True)
    assert expires == dt.date(2030, 2, 28) and review is None
    assert rules.special_work_dates(dt.date(2024, 2, 29))[0] == dt.date(2030, 2, 27)
    assert rules.qualification_expiry(dt.date(2025, 1, 1)) == dt.date(2027, 12, 31)


def test_given_dates_then_warnings_30_days_before_and_on_the_day_latest_stage_only():
    def kinds(expires, review=None, state="valid"):
        return [
            (w.which, w.stage) for w in rules.certificate_warnings(expires, review, state, TODAY)
        ]

    assert kinds(TODAY + dt.timedelta(days=31)) == []
    assert kinds(TODAY + dt.timedelta(days=30)) == [("expiry", "notice")]
    assert kinds(TODAY + dt.timedelta(days=1)) == [("expiry", "notice")]
    assert kinds(TODAY) == [("expiry", "due")]
    assert kinds(TODAY - dt.timedelta(days=5)) == [("expiry", "due")]
    far = TODAY + dt.timedelta(days=900)
    assert kinds(far, TODAY + dt.timedelta(days=10)) == [("review", "notice")]
    assert kinds(far, TODAY, state="revoked") == []
    w = rules.certificate_warnings(TODAY, None, "valid", TODAY)[0]
    assert w.key(7) == f"7:expiry:due:{TODAY.isoformat()}"


def course(kind, hours, day=dt.date(2026, 3, 1), passed=True):
    return rules.Course(kind, D(hours), day, passed)


INDUCTION = [
    course("induction_company", 8),
    course("induction_workshop", 8),
    course("induction_team", 8),
]


def test_given_three_levels_of_24_hours_then_ordinary_sector_complies_but_not_a_chemical_one():
    ok = rules.training_compliance(INDUCTION, industry_code="HR-CONSTR", year=2026)
    assert ok.compliant and ok.induction_hours == 24 and ok.induction_required == 24
    chem = rules.training_compliance(INDUCTION, industry_code="HR-HAZCHEM", year=2026)
    assert chem.problems == ("induction",) and chem.induction_required == 72


def test_given_a_missing_level_or_a_failed_course_then_induction_incomplete():
    result = rules.training_compliance(
        [*INDUCTION[:2], course("induction_team", 30, passed=False)], industry_code=None, year=2026
    )
    assert result.induction_missing == ("induction_team",) and "induction" in result.problems


def test_given_last_years_induction_then_this_years_refresher_hours_are_counted():
    old = [rules.Course(c.kind, D(24), dt.date(2025, 3, 1)) for c in INDUCTION]
    short = rules.training_compliance([*old, course("annual", 7.5)], industry_code=None, year=2026)
    assert short.problems == ("annual",) and short.annual_required == 8
    enough = rules.training_compliance([*old, course("annual", 8)], industry_code=None, year=2026)
    assert enough.compliant
    high = rules.training_compliance(
        [*old, course("annual", 19)], industry_code="HR-COAL", year=2026
    )
    assert high.problems == ("annual",) and high.annual_required == 20


def test_given_a_principal_then_initial_32_and_yearly_12_hours_48_and_16_in_high_risk():
    old = [rules.Course(c.kind, D(24), dt.date(2025, 3, 1)) for c in INDUCTION]
    first = [rules.Course("principal", D(32), dt.date(2025, 4, 1))]
    res = rules.training_compliance(
        old + first + [course("principal", 12)],
        industry_code=None,
        year=2026,
        manager_role="principal",
    )
    assert res.compliant and res.annual_required == 12
    res = rules.training_compliance(
        old + first + [course("principal", 12)],
        industry_code="HR-IT-MET",
        year=2026,
        manager_role="principal",
    )
    assert set(res.problems) == {"manager_initial", "annual"}
    assert res.manager_initial_required == 48 and res.annual_required == 16


def test_given_a_special_work_number_then_it_must_be_the_holders_id_number():
    number = "330101198506151231"
    assert rules.special_work_number_problems(number, "", idcard.problems) == []
    assert rules.special_work_number_problems(number, number, idcard.problems) == []
    assert rules.special_work_number_problems(number, "11010519491231002X", idcard.problems) == [
        "mismatch"
    ]
    assert rules.special_work_number_problems("T12345", "", idcard.problems) == ["length"]
