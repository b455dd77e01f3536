"""The transition table itself: pure, no database."""

import ast
import itertools
from pathlib import Path

import pytest

from anjian.accounts.models import Role
from anjian.hazards import workflow as wf

ALL_FACTS = [
    wf.Facts(level, handling, reviewed, planned=planned, listed=listed, stop_ordered=ordered)
    for level, handling, reviewed, planned, listed, ordered in itertools.product(
        (wf.GENERAL, wf.MAJOR),
        (wf.ON_SPOT, wf.BY_DEADLINE),
        (False, True),
        (False, True),
        (False, True),
        (False, True),
    )
    # a major hazard is never fixed on the spot (the report refuses it); only major
    # hazards are listed or stopped
    if not (level == wf.MAJOR and handling == wf.ON_SPOT)
    and not (level == wf.GENERAL and (listed or ordered))
]
# Only major hazards are ever stopped, evaluated or applying to resume.
MAJOR_ONLY_STATES = {wf.SUSPENDED, wf.EVALUATED, wf.RESUME_APPLIED}


def test_given_the_module_when_parsed_then_it_imports_nothing_from_django():
    tree = ast.parse(Path(wf.__file__).read_text(encoding="utf-8"))
    modules = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in getattr(node, "names", [])
    ]
    assert not [m for m in modules if m and m.startswith(("django", "anjian"))]


def test_given_the_table_when_walked_from_start_then_every_state_is_reachable():
    assert wf.reachable() == set(wf.STATES)


@pytest.mark.parametrize("level", [wf.GENERAL, wf.MAJOR])
def test_given_a_level_when_walked_with_guards_then_closed_is_reachable_for_that_level(level):
    facts = wf.Facts(level, wf.BY_DEADLINE)
    seen, todo = {wf.REPORTED}, [wf.REPORTED]
    while todo:
        state = todo.pop()
        for t in wf.transitions_from(state):
            if wf.guard_passes(t.guard, facts) and t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    assert wf.CLOSED in seen


@pytest.mark.parametrize("state", wf.OPEN_STATES)
def test_given_an_open_state_when_any_hazard_is_in_it_then_a_step_leads_elsewhere(state):
    # No dead ends: for every kind of hazard that can be in this state, some step leaves it.
    for facts in ALL_FACTS:
        if state in MAJOR_ONLY_STATES and facts.level == wf.GENERAL:
            continue
        if state == wf.EVALUATED and not (facts.listed or facts.stop_ordered):
            continue  # only a stop a regulator ordered, or of a listed hazard, is evaluated
        if state == wf.SUSPENDED and not facts.planned:
            # A stop without a plan: setting the plan (in place) comes first.
            assert wf.guard_passes(wf.transition(state, wf.SET_PLAN).guard, facts)
            continue
        exits = [
            t
            for t in wf.transitions_from(state)
            if t.target != state and wf.guard_passes(t.guard, facts)
        ]
        assert exits, (state, facts)


def test_given_closed_when_looked_at_then_only_a_regulator_reopening_leaves_it():
    leaving = [t for t in wf.transitions_from(wf.CLOSED) if t.target != wf.CLOSED]
    assert [t.action for t in leaving] == [wf.REOPEN]
    assert not leaving[0].parties & {wf.ENTERPRISE_MANAGER, wf.ENTERPRISE_STAFF, wf.EXPERT}


def test_given_every_row_when_checked_then_names_are_known_and_keys_unique():
    assert len(wf.TABLE) == len(wf.TRANSITIONS)
    for t in wf.TRANSITIONS:
        assert t.source in (wf.START, *wf.STATES)
        assert t.target in wf.STATES
        assert t.action in wf.ACTIONS
        assert t.guard in wf.GUARDS
        assert t.parties and t.parties <= set(wf.PARTY_ROLES)
    assert {t.action for t in wf.TRANSITIONS} == set(wf.ACTIONS)


def test_given_party_roles_when_compared_with_accounts_then_every_role_exists():
    for roles in wf.PARTY_ROLES.values():
        assert roles <= set(Role.values)


def test_given_the_rules_when_reading_the_table_then_each_role_does_only_its_own_steps():
    who: dict[str, set[str]] = {}
    for t in wf.TRANSITIONS:
        who.setdefault(t.action, set()).update(t.parties)
    assert who[wf.REPORT] == {wf.ENTERPRISE_STAFF, wf.INSPECTOR}
    for action in (wf.SET_FIVE_FIXES, wf.START_RECTIFICATION, wf.SUBMIT):
        assert who[action] == {wf.ENTERPRISE_MANAGER}
    # 16号令 第十五条: the enterprise accepts what it found; a regulator reviews what it
    # found, ordered, stopped or listed.
    for action in (wf.ACCEPT, wf.REJECT, wf.FIX_ON_SPOT):
        assert who[action] == {wf.ENTERPRISE_ACCEPTOR, wf.REVIEW_AUTHORITY}
    # 第十五条第二款: the principal makes the plan; 第十八条: applies to resume.
    assert who[wf.SET_PLAN] == who[wf.APPLY_RESUME] == who[wf.RESUME] == {wf.ENTERPRISE_PRINCIPAL}
    assert who[wf.CONFIRM_MAJOR] == {wf.EXPERT}
    assert who[wf.LIST] == who[wf.ORDER] == {wf.LEAD_OFFICER, wf.COORDINATOR}
    # 第二十三条: the reviewing body reviews the application on site.
    assert who[wf.REVIEW_PASS] == who[wf.REVIEW_FAIL] == {wf.REVIEW_AUTHORITY}
    assert who[wf.ACCOUNTABILITY_REVIEW] == {wf.COORDINATOR}
    assert who[wf.REPORT_TO_WORKERS] == {wf.ENTERPRISE_MANAGER}
    # The employee reports and does nothing else.
    employee_steps = {
        t.action
        for t in wf.TRANSITIONS
        if any("enterprise_employee" in wf.PARTY_ROLES[p] for p in t.parties)
    }
    assert employee_steps == {wf.REPORT}


def test_given_parallel_steps_when_taken_then_they_never_change_the_state():
    # Listing, orders, an expert's opinion and the report to the workers' congress run in
    # parallel with the remediation (16号令 第二十条; 安全生产法 第四十一条): no gate.
    for action in (wf.LIST, wf.ORDER, wf.CONFIRM_MAJOR, wf.REPORT_TO_WORKERS):
        rows = [t for t in wf.TRANSITIONS if t.action == action]
        assert rows and all(t.target == t.source for t in rows), action
    # A major hazard's plan is set straight from "reported": no confirmation, no listing.
    assert wf.transition(wf.REPORTED, wf.SET_PLAN).target == wf.FIXES_SET


def test_given_a_stopped_hazard_when_a_regulator_ordered_it_then_only_the_review_ends_it():
    ordered = wf.Facts(wf.MAJOR, wf.BY_DEADLINE, planned=True, stop_ordered=True)
    own = wf.Facts(wf.MAJOR, wf.BY_DEADLINE, planned=True)
    listed = wf.Facts(wf.MAJOR, wf.BY_DEADLINE, planned=True, listed=True)

    def exits(state, facts):
        return {
            t.action
            for t in wf.transitions_from(state)
            if t.target != state and wf.guard_passes(t.guard, facts)
        }

    assert exits(wf.SUSPENDED, own) == {wf.RESUME}
    assert exits(wf.SUSPENDED, ordered) == {wf.EVALUATE, wf.APPLY_RESUME}
    # 第十八条: a listed hazard's remedy is evaluated before the application.
    assert exits(wf.SUSPENDED, listed) == {wf.EVALUATE}
    assert exits(wf.EVALUATED, listed) == {wf.APPLY_RESUME}
    assert exits(wf.RESUME_APPLIED, listed) == {wf.REVIEW_PASS, wf.REVIEW_FAIL}
    assert wf.transition(wf.RESUME_APPLIED, wf.REVIEW_PASS).target == wf.CLOSED
    assert wf.transition(wf.RESUME_APPLIED, wf.REVIEW_FAIL).target == wf.SUSPENDED
    # Without the plan nothing ends the stop but setting it.
    unplanned = wf.Facts(wf.MAJOR, wf.BY_DEADLINE, stop_ordered=True)
    assert exits(wf.SUSPENDED, unplanned) == set()
    assert wf.guard_passes(wf.transition(wf.SUSPENDED, wf.SET_PLAN).guard, unplanned)


def test_given_general_on_spot_when_reported_then_it_may_close_directly_and_major_may_not():
    step = wf.transition(wf.REPORTED, wf.FIX_ON_SPOT)
    assert step.target == wf.CLOSED and "photo" in step.needs
    assert wf.guard_passes(step.guard, wf.Facts(wf.GENERAL, wf.ON_SPOT))
    assert not wf.guard_passes(step.guard, wf.Facts(wf.GENERAL, wf.BY_DEADLINE))
    assert not wf.guard_passes(step.guard, wf.Facts(wf.MAJOR, wf.BY_DEADLINE))


def test_given_a_major_hazard_when_submitted_then_acceptance_or_review_closes_it():
    facts = wf.Facts(wf.MAJOR, wf.BY_DEADLINE)
    step = wf.transition(wf.SUBMITTED, wf.ACCEPT)
    assert step.target == wf.CLOSED and wf.guard_passes(step.guard, facts)


def test_given_parties_when_asking_available_then_guards_and_parties_filter():
    facts = wf.Facts(wf.GENERAL, wf.BY_DEADLINE)
    actions = [t.action for t in wf.available(wf.SUBMITTED, facts, {wf.ENTERPRISE_ACCEPTOR})]
    assert actions == [wf.ACCEPT, wf.REJECT]
    assert [t.action for t in wf.available(wf.SUBMITTED, facts, {wf.REVIEW_AUTHORITY})] == [
        wf.ACCEPT,
        wf.REJECT,
    ]
    assert wf.available(wf.SUBMITTED, facts, {wf.ENTERPRISE_MANAGER}) == ()
    major = wf.Facts(wf.MAJOR, wf.BY_DEADLINE)
    assert [t.action for t in wf.available(wf.CLOSED, major, {wf.COORDINATOR})] == [
        wf.REOPEN,
        wf.ACCOUNTABILITY_REVIEW,
    ]
    reviewed = wf.Facts(wf.MAJOR, wf.BY_DEADLINE, reviewed=True)
    assert [t.action for t in wf.available(wf.CLOSED, reviewed, {wf.COORDINATOR})] == [wf.REOPEN]


def test_given_every_row_when_read_then_the_regulatory_steps_cite_their_article():
    for t in wf.TRANSITIONS:
        if t.action in (
            wf.SET_PLAN,
            wf.SUSPEND,
            wf.EVALUATE,
            wf.APPLY_RESUME,
            wf.REVIEW_PASS,
            wf.LIST,
            wf.REPORT_TO_WORKERS,
            wf.ACCEPT,
        ):
            assert "第" in t.rule, t


def test_given_the_table_when_rendered_then_one_text_row_per_transition():
    rows = wf.rows()
    assert len(rows) == len(wf.TRANSITIONS)
    assert rows[[r[1] for r in rows].index("submit")][:3] == (
        wf.RECTIFYING,
        wf.SUBMIT,
        wf.SUBMITTED,
    )
