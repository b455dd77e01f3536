"""The untrustworthy list by 应急管理部令第11号 (issue 12 item 10): listed only after a
penalty, by the penalising department, after notice and the statement period; a fixed
period; early removal after repair; every other transition refused."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
from pathlib import Path

import pytest

from anjian.inspections import untrustworthy as u

D = dt.date
DEPT = u.PENALISING_DEPARTMENT


def weekdays(day: dt.date) -> bool:
    # A calendar without holidays, so the expected dates do not depend on the package.
    return day.weekday() < 5


# --- situations and may_list ---------------------------------------------------------------


def test_given_the_situations_then_there_are_five_accident_and_four_violation_ones_with_unique_codes():
    groups = [s.group for s in u.SITUATIONS]
    assert groups.count(u.ACCIDENT) == 5 and groups.count(u.VIOLATION) == 4
    assert len(u.BY_CODE) == 9
    # Verified texts are the complete quotes; no article number is guessed.
    assert all(s.verified for s in u.SITUATIONS if s.group == u.ACCIDENT)
    assert all(s.article == "" for s in u.SITUATIONS)
    assert "第一百一十四条" in u.BY_CODE["A3"].text


def test_given_a_situation_without_a_penalty_decision_then_listing_is_refused():
    assert u.may_list("A4", has_penalty_decision=False) == u.Decision(False, "no_penalty_decision")


def test_given_a_situation_and_a_penalty_by_the_same_department_then_listing_is_allowed():
    decision = u.may_list(
        u.BY_CODE["A1"],
        True,
        penalising_department="安澜县应急管理局",
        deciding_department="安澜县应急管理局",
    )
    assert decision.allowed


def test_given_another_department_deciding_then_listing_is_refused():
    decision = u.may_list(
        "A2", True, penalising_department="安澜县应急管理局", deciding_department="住建局"
    )
    assert decision.reason == "not_penalising_department"


def test_given_hazard_figures_or_an_unknown_situation_then_listing_is_refused():
    assert u.may_list("hazard_overdue", True).reason == "unknown_situation"


def test_given_a_situation_whose_text_is_unverified_then_listing_needs_an_explicit_acceptance():
    assert u.may_list("V3", True).reason == "situation_text_unverified"
    assert u.may_list("V3", True, accept_unverified_text=True).allowed


# --- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "last"),
    [
        (D(2024, 3, 10), D(2027, 3, 10)),
        (D(2024, 2, 29), D(2027, 2, 28)),  # no corresponding day: the month's last day
        (D(2023, 12, 31), D(2026, 12, 31)),
    ],
)
def test_given_a_listing_decision_then_the_period_ends_on_the_corresponding_day_three_years_on(
    decided, last
):
    assert u.listing_end(decided) == last
    assert not u.expired(decided, last)  # still listed on the last day
    assert u.expired(decided, last + dt.timedelta(days=1))


def test_given_a_month_without_the_day_then_add_months_takes_its_last_day():
    assert u.add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert u.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert u.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert u.add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)


def test_given_a_notice_on_a_friday_then_the_statement_period_counts_working_days_after_it():
    # Friday 2026-05-08: 5 working days after it are 11–15 May.
    assert u.statement_deadline(D(2026, 5, 8), is_workday=weekdays) == D(2026, 5, 15)
    assert u.statement_deadline(D(2026, 5, 8), working_days=3, is_workday=weekdays) == D(
        2026, 5, 13
    )


def test_given_the_national_calendar_then_holidays_are_skipped():
    # 2025-09-30 notice: 1–8 October 2025 are the National Day holidays, 11 October a
    # make-up working day (Saturday) — five working days end on 2025-10-14.
    assert u.statement_deadline(D(2025, 9, 30)) == D(2025, 10, 14)


# --- early repair -----------------------------------------------------------------------------


def repair(**overrides) -> u.RepairFacts:
    values = {
        "listed_on": D(2025, 3, 10),
        "applied_on": D(2026, 3, 11),
        "penalty_fulfilled": True,
        "violation_corrected": True,
        "effects_removed": True,
    }
    values.update(overrides)
    return u.RepairFacts(**values)


def test_given_twelve_full_months_and_the_conditions_then_early_repair_is_allowed():
    assert u.may_repair_early(repair()).allowed


def test_given_an_application_on_the_last_day_of_the_twelve_months_then_it_is_too_early():
    decision = u.may_repair_early(repair(applied_on=D(2026, 3, 10)))
    assert decision.reason == "listed_under_12_months"


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"penalty_fulfilled": False}, "penalty_not_fulfilled"),
        ({"violation_corrected": False}, "violation_not_corrected"),
        ({"effects_removed": False}, "effects_not_removed"),
        ({"commitment_made": False}, "no_credit_commitment"),
        ({"new_listing_situation": True}, "new_situation_during_listing"),
    ],
)
def test_given_a_repair_condition_missing_then_early_removal_is_refused(override, reason):
    assert u.may_repair_early(repair(**override)).reason == reason


# --- the workflow ---------------------------------------------------------------------------

NOTIFIED_ON = D(2026, 5, 8)  # a Friday
AFTER_STATEMENT = D(2026, 5, 16)
DECIDED_ON = D(2026, 5, 18)


def ready(**overrides) -> u.Facts:
    """Facts under which every guard passes (so only the table and the party refuse)."""
    values = {
        "today": D(2029, 6, 1),
        "notified_on": NOTIFIED_ON,
        "decided_on": DECIDED_ON,
        "repair": u.Decision(True),
        "repair_fraud_found": True,
        "penalty_set_aside": True,
    }
    values.update(overrides)
    return u.Facts(**values)


def test_given_every_state_action_pair_outside_the_table_then_it_is_refused():
    for state, action in itertools.product(u.STATES, u.ACTIONS):
        for party in (DEPT, u.SUBJECT, u.OTHER_DEPARTMENT):
            outcome = u.transition(state, action, party, ready())
            if (state, action) not in u.TABLE:
                assert outcome == u.Outcome(False, reason="illegal_transition")
            elif party not in u.TABLE[(state, action)].parties:
                assert outcome.reason == "not_allowed_party"
            else:
                assert outcome.ok and outcome.target == u.TABLE[(state, action)].target


def test_given_a_final_state_then_nothing_leaves_it():
    for state in u.FINAL:
        assert all(u.available(state, p, ready()) == [] for p in (DEPT, u.SUBJECT))


def test_given_another_department_then_it_can_do_nothing_on_the_list():
    for state in u.STATES:
        assert u.available(state, u.OTHER_DEPARTMENT, ready()) == []


def test_given_a_proposal_without_a_penalty_then_notice_is_refused_with_the_reason():
    facts = ready(listing=u.may_list("A1", has_penalty_decision=False))
    outcome = u.transition(u.PROPOSED, u.NOTIFY, DEPT, facts)
    assert outcome == u.Outcome(False, reason="no_penalty_decision")


def test_given_the_statement_period_running_then_the_decision_waits_until_the_day_after_it():
    # The national calendar: Saturday 2026-05-09 is a make-up working day after May Day.
    last = u.statement_deadline(NOTIFIED_ON)
    on_last = ready(today=last)
    assert u.transition(u.NOTIFIED, u.DECIDE, DEPT, on_last).reason == "statement_period_running"
    after = ready(today=last + dt.timedelta(days=1))
    assert u.transition(u.NOTIFIED, u.DECIDE, DEPT, after).target == u.LISTED


def test_given_a_stated_case_then_it_is_reviewed_before_the_decision():
    stated = ready(today=D(2026, 5, 11), statement_received=True)
    assert u.transition(u.NOTIFIED, u.DECIDE, DEPT, stated).reason == "statement_period_running"
    reviewed = ready(today=D(2026, 5, 11), statement_received=True, statement_reviewed=True)
    assert u.transition(u.NOTIFIED, u.DECIDE, DEPT, reviewed).ok


def test_given_no_notice_then_the_decision_is_refused():
    assert not u.transition(u.NOTIFIED, u.DECIDE, DEPT, ready(notified_on=None)).ok


def test_given_the_listing_period_then_expiry_is_refused_until_the_day_after_its_end():
    last = u.listing_end(DECIDED_ON)
    on_last = ready(today=last)
    assert u.transition(u.PUBLISHED, u.EXPIRE, DEPT, on_last).reason == "listing_period_not_over"
    after = ready(today=last + dt.timedelta(days=1))
    assert u.transition(u.PUBLISHED, u.EXPIRE, DEPT, after).target == u.REMOVED_EXPIRED


def test_given_the_whole_path_then_a_subject_is_listed_published_repaired_and_restored_on_fraud():
    state = u.PROPOSED
    steps = [
        (u.NOTIFY, DEPT, ready(today=NOTIFIED_ON, notified_on=None)),
        (u.DECIDE, DEPT, ready(today=AFTER_STATEMENT)),
        (u.PUBLISH, DEPT, ready(today=DECIDED_ON)),
        (u.APPLY_REPAIR, u.SUBJECT, ready(today=D(2027, 6, 1))),
        (u.APPROVE_REPAIR, DEPT, ready(today=D(2027, 6, 10))),
        (u.RESTORE, DEPT, ready(today=D(2027, 9, 1))),
    ]
    for action, party, facts in steps:
        outcome = u.transition(state, action, party, facts)
        assert outcome.ok, (state, action, outcome)
        state = outcome.target
    assert state == u.PUBLISHED


def test_given_repair_conditions_not_met_then_approval_is_refused_and_rejection_returns_to_published():
    unmet = ready(repair=u.may_repair_early(repair(penalty_fulfilled=False)))
    outcome = u.transition(u.REPAIR_APPLIED, u.APPROVE_REPAIR, DEPT, unmet)
    assert outcome.reason == "repair_conditions_not_met"
    assert u.transition(u.REPAIR_APPLIED, u.REJECT_REPAIR, DEPT, unmet).target == u.PUBLISHED


def test_given_no_fraud_or_no_set_aside_penalty_then_restore_and_revoke_are_refused():
    plain = ready(repair_fraud_found=False, penalty_set_aside=False)
    assert u.transition(u.REMOVED_REPAIRED, u.RESTORE, DEPT, plain).reason == "no_fraud_found"
    assert u.transition(u.PUBLISHED, u.REVOKE, DEPT, plain).reason == "penalty_not_set_aside"


def test_given_the_subject_then_it_may_only_apply_for_repair():
    for state in u.STATES:
        allowed = u.available(state, u.SUBJECT, ready())
        assert allowed == ([u.APPLY_REPAIR] if state == u.PUBLISHED else [])


def test_given_the_untrustworthy_module_then_it_imports_no_django():
    path = Path(u.__file__)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        assert not any(n == "django" or n.startswith("django.") for n in names)
