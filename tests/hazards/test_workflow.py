"""The transition table itself: pure, no database."""

import ast
import itertools
from pathlib import Path

import pytest

from anjian.accounts.models import Role
from anjian.hazards import workflow as wf

ALL_FACTS = [
    wf.Facts(level, handling, reviewed)
    for level, handling, reviewed in itertools.product(
        (wf.GENERAL, wf.MAJOR), (wf.ON_SPOT, wf.BY_DEADLINE), (False, True)
    )
    # a major hazard is never fixed on the spot (the report refuses it)
    if not (level == wf.MAJOR and handling == wf.ON_SPOT)
]


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
        if state in (wf.CONFIRMED, wf.LISTED) and facts.level == wf.GENERAL:
            continue  # only major hazards are ever confirmed or listed
        exits = [
            t
            for t in wf.transitions_from(state)
            if t.target != state and wf.guard_passes(t.guard, facts)
        ]
        assert exits, (state, facts)


def test_given_closed_when_looked_at_then_nothing_leaves_it():
    assert all(t.target == wf.CLOSED for t in wf.transitions_from(wf.CLOSED))


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


def test_given_the_brief_when_reading_the_table_then_each_role_does_only_its_own_steps():
    who = {t.action: t.parties for t in wf.TRANSITIONS}
    assert who[wf.REPORT] == {wf.ENTERPRISE_STAFF, wf.INSPECTOR}
    for action in (wf.SET_FIVE_FIXES, wf.START_RECTIFICATION, wf.SUBMIT, wf.FIX_ON_SPOT):
        assert who[action] == {wf.ENTERPRISE_MANAGER}
    assert who[wf.ACCEPT] == who[wf.REJECT] == {wf.LEAD_OFFICER, wf.COORDINATOR, wf.GRID_OFFICER}
    assert who[wf.CONFIRM_MAJOR] == {wf.EXPERT}
    assert who[wf.LIST] == {wf.LEAD_OFFICER, wf.COORDINATOR}
    assert who[wf.REVIEW_PASS] == who[wf.REVIEW_FAIL] == {wf.LISTING_AUTHORITY}
    assert who[wf.ACCOUNTABILITY_REVIEW] == {wf.COORDINATOR}
    # The employee reports and does nothing else.
    employee_steps = {
        t.action
        for t in wf.TRANSITIONS
        if any("enterprise_employee" in wf.PARTY_ROLES[p] for p in t.parties)
    }
    assert employee_steps == {wf.REPORT}


def test_given_general_on_spot_when_reported_then_it_may_close_directly_and_major_may_not():
    step = wf.transition(wf.REPORTED, wf.FIX_ON_SPOT)
    assert step.target == wf.CLOSED and "photo" in step.needs
    assert wf.guard_passes(step.guard, wf.Facts(wf.GENERAL, wf.ON_SPOT))
    assert not wf.guard_passes(step.guard, wf.Facts(wf.GENERAL, wf.BY_DEADLINE))
    assert not wf.guard_passes(step.guard, wf.Facts(wf.MAJOR, wf.BY_DEADLINE))


def test_given_a_major_hazard_when_submitted_then_only_the_review_closes_it():
    facts = wf.Facts(wf.MAJOR, wf.BY_DEADLINE)
    closing = [
        t.action
        for t in wf.transitions_from(wf.SUBMITTED)
        if t.target == wf.CLOSED and wf.guard_passes(t.guard, facts)
    ]
    assert closing == [wf.REVIEW_PASS]


def test_given_parties_when_asking_available_then_guards_and_parties_filter():
    facts = wf.Facts(wf.GENERAL, wf.BY_DEADLINE)
    actions = [t.action for t in wf.available(wf.SUBMITTED, facts, {wf.GRID_OFFICER})]
    assert actions == [wf.ACCEPT, wf.REJECT]
    assert wf.available(wf.SUBMITTED, facts, {wf.ENTERPRISE_MANAGER}) == ()
    major = wf.Facts(wf.MAJOR, wf.BY_DEADLINE)
    assert [t.action for t in wf.available(wf.CLOSED, major, {wf.COORDINATOR})] == [
        wf.ACCOUNTABILITY_REVIEW
    ]
    reviewed = wf.Facts(wf.MAJOR, wf.BY_DEADLINE, reviewed=True)
    assert wf.available(wf.CLOSED, reviewed, {wf.COORDINATOR}) == ()


def test_given_the_table_when_rendered_then_one_text_row_per_transition():
    rows = wf.rows()
    assert len(rows) == len(wf.TRANSITIONS)
    assert rows[[r[1] for r in rows].index("submit")][:3] == (
        wf.RECTIFYING,
        wf.SUBMIT,
        wf.SUBMITTED,
    )
