"""The exposure board's table (anjian.public.exposure_workflow), pure: every legal step
and every illegal one."""

import pytest

from anjian.public import exposure_workflow as wf

JUR = frozenset({wf.JURISDICTION})
BOTH = frozenset({wf.JURISDICTION, wf.PROPOSER})

LEGAL = {
    (wf.PROPOSED, wf.APPROVE): wf.APPROVED,
    (wf.PROPOSED, wf.REJECT): wf.REJECTED,
    (wf.APPROVED, wf.PUBLISH): wf.PUBLISHED,
    (wf.PUBLISHED, wf.WITHDRAW): wf.WITHDRAWN,
}


@pytest.mark.parametrize("state", wf.STATES)
@pytest.mark.parametrize("action", wf.ACTIONS)
def test_given_state_and_action_when_stepped_then_only_the_table_moves(state, action):
    found = wf.step(state, action)
    if (state, action) in LEGAL:
        assert found is not None and found.target == LEGAL[(state, action)]
    else:
        assert found is None


def test_given_proposer_who_is_also_coordinator_when_approving_then_not_allowed():
    approve = wf.step(wf.PROPOSED, wf.APPROVE)
    assert wf.allowed(approve, JUR) and not wf.allowed(approve, BOTH)
    assert wf.available(wf.PROPOSED, BOTH) == []
    assert wf.available(wf.PROPOSED, JUR) == [wf.APPROVE, wf.REJECT]


def test_given_proposer_when_publishing_approved_then_allowed_if_jurisdiction():
    assert wf.available(wf.APPROVED, BOTH) == [wf.PUBLISH]
    assert wf.available(wf.APPROVED, frozenset({wf.PROPOSER})) == []


def test_given_final_states_when_listed_then_no_step():
    for state in (wf.REJECTED, wf.WITHDRAWN):
        assert wf.available(state, BOTH) == []


def test_given_public_states_then_published_only():
    assert wf.PUBLIC_STATES == (wf.PUBLISHED,)
