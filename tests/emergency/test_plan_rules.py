"""Plan deadlines (plan_rules, pure): working days by the official calendar across 国庆
2025 (1–8 October off; Sunday 28 September and Saturday 11 October working) and 春节
2026 (15–23 February off; Saturdays 14 and 28 February working). Expectations counted
by hand, day by day."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.emergency import plan_rules as r

D = dt.date


def weekdays_only(day: dt.date) -> bool:
    return day.weekday() < 5


def test_given_the_official_calendar_then_the_adjusted_days_are_as_published():
    assert r.official_is_workday(D(2025, 9, 28))  # Sunday, worked
    assert r.official_is_workday(D(2025, 10, 11))  # Saturday, worked
    assert not any(r.official_is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert r.official_is_workday(D(2026, 2, 14)) and r.official_is_workday(D(2026, 2, 28))
    assert not any(r.official_is_workday(D(2026, 2, d)) for d in range(15, 24))


def test_given_issue_before_national_day_when_filing_due_then_twenty_working_days_skip_it():
    # 26 Sep (Fri) → 28 Sep (Sun, worked) 1, 29 2, 30 3, [1–8 Oct off], 9 4, 10 5,
    # 11 (Sat, worked) 6, 13–17 7–11, 20–24 12–16, 27–30 17–20.
    assert r.filing_due(D(2025, 9, 26)) == D(2025, 10, 30)


def test_given_a_plain_weekday_calendar_then_the_same_issue_is_due_earlier():
    # Without the holidays: 29 Sep … 24 Oct (four weeks of five days).
    assert r.filing_due(D(2025, 9, 26), weekdays_only) == D(2025, 10, 24)


def test_given_submission_on_the_eve_of_national_day_when_check_due_then_after_the_holiday():
    # 30 Sep → 9 Oct 1, 10 Oct 2, 11 Oct (Sat, worked) 3, 13 Oct 4, 14 Oct 5.
    assert r.check_due(D(2025, 9, 30)) == D(2025, 10, 14)
    # 26 Sep → 28 Sep (Sun, worked) 1, 29 2, 30 3, 9 Oct 4, 10 Oct 5.
    assert r.check_due(D(2025, 9, 26)) == D(2025, 10, 10)
    assert r.check_due(D(2025, 9, 26), weekdays_only) == D(2025, 10, 3)


def test_given_submission_during_the_holiday_then_the_count_starts_after_it():
    # 3 Oct (holiday) → 9, 10, 11 (Sat), 13, 14.
    assert r.check_due(D(2025, 10, 3)) == D(2025, 10, 14)


def test_given_issue_before_spring_festival_2026_when_filing_due_then_the_festival_is_skipped():
    # 12 Feb (Thu) → 13 1, 14 (Sat, worked) 2, [15–23 off], 24–27 3–6, 28 (Sat, worked) 7,
    # 2–6 Mar 8–12, 9–13 Mar 13–17, 16 18, 17 19, 18 20.
    assert r.filing_due(D(2026, 2, 12)) == D(2026, 3, 18)
    # 13 Feb → 14 (Sat) 1, 24 2, 25 3, 26 4, 27 5.
    assert r.check_due(D(2026, 2, 13)) == D(2026, 2, 27)
    # 12 Feb → 13 1, 14 2, 24 3, 25 4, 26 5.
    assert r.check_due(D(2026, 2, 12)) == D(2026, 2, 26)


def test_given_due_dates_when_counting_working_days_left_then_days_off_do_not_count():
    assert r.working_days_left(D(2025, 10, 9), D(2025, 9, 30)) == 1
    assert r.working_days_left(D(2025, 10, 9), D(2025, 10, 1)) == 1
    assert r.working_days_left(D(2025, 10, 9), D(2025, 10, 9)) == 0
    # Late: 10 Oct is one working day after 9 Oct; 13 Oct three (11 Oct worked).
    assert r.working_days_left(D(2025, 10, 9), D(2025, 10, 10)) == -1
    assert r.working_days_left(D(2025, 10, 9), D(2025, 10, 13)) == -3
    assert r.working_days_left(None, D(2025, 10, 13)) is None


def test_given_add_working_days_when_zero_then_the_same_day_and_negative_refused():
    assert r.add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 1)
    with pytest.raises(ValueError):
        r.add_working_days(D(2025, 10, 1), -1)


def test_given_an_issue_date_when_evaluation_due_then_three_calendar_years():
    assert r.evaluation_due(D(2025, 10, 9)) == D(2028, 10, 9)
    assert r.evaluation_due(D(2024, 2, 29)) == D(2027, 2, 28)


def test_given_states_and_dates_when_overdue_then_only_past_the_last_day():
    due = D(2025, 10, 30)
    assert not r.is_overdue(due, due)
    assert r.is_overdue(due, D(2025, 10, 31))
    assert not r.is_overdue(None, D(2030, 1, 1))
    assert r.filing_overdue(state="issued", filing_due=due, today=D(2025, 10, 31))
    assert r.filing_overdue(state="returned", filing_due=due, today=D(2025, 10, 31))
    assert not r.filing_overdue(state="submitted", filing_due=due, today=D(2025, 10, 31))
    assert not r.filing_overdue(state="issued", filing_due=due, today=due)
    assert r.deemed_filed(state="submitted", check_due=due, today=D(2025, 10, 31))
    assert not r.deemed_filed(state="filed", check_due=due, today=D(2025, 10, 31))
    assert r.evaluation_overdue(state="filed", evaluation_due=due, today=D(2025, 11, 1))
    assert not r.evaluation_overdue(state="superseded", evaluation_due=due, today=D(2026, 1, 1))
    assert not r.evaluation_overdue(state="draft", evaluation_due=None, today=D(2026, 1, 1))


def test_given_an_industry_and_scale_when_review_kind_then_article_21():
    assert r.review_kind(industry_code="HR-HAZCHEM", scale="small") == "review"
    assert r.review_kind(industry_code="HR-CONSTR", scale="micro") == "review"
    assert r.review_kind(industry_code="HR-IT-LGT", scale="medium") == "review"
    assert r.review_kind(industry_code="HR-IT-LGT", scale="small") == "demonstration"


def test_given_a_year_the_calendar_does_not_publish_then_weekends_and_fixed_holidays_are_off():
    # 1 Jan 2027 (Fri) and 1–3 Oct 2030 are statutory; a Saturday is off.
    assert not r.fallback_is_workday(D(2027, 1, 1))
    assert not r.fallback_is_workday(D(2030, 10, 2))
    assert not r.fallback_is_workday(D(2027, 1, 2))
    assert r.fallback_is_workday(D(2027, 1, 4))
    assert not r.official_is_workday(D(2099, 10, 1))  # far beyond any published data
    # Issued 4 Dec 2026 (Fri): 7–31 Dec give 19 working days, 1 Jan 2027 is off, so the
    # twentieth is Monday 4 Jan 2027.
    assert r.filing_due(D(2026, 12, 4)) == D(2027, 1, 4)
