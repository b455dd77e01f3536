"""Every persona × every step × every state: the allowed ones succeed (and are rolled
back), the refused ones raise Forbidden or Conflict (NotFound outside the persona's
scope) and write nothing. The expectations are written out by hand, from the brief."""

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from anjian.core.errors import Conflict, Forbidden, NotFound
from anjian.core.models import AuditEntry
from anjian.hazards import services
from anjian.hazards import workflow as wf
from anjian.hazards.models import AccountabilityReview, Hazard, HazardEvent, HazardPhoto
from anjian.risks.models import ReassessmentProposal
from tests.world import EXPECTED_ENTERPRISES

from .helpers import COMBOS, bring, step_data

MANAGERS = {"principal_a", "safety_a"}
ACCEPTORS = {"officer_emergency_x", "coordinator_x", "grid_x1"}
DECIDERS = {"officer_emergency_x", "coordinator_x"}

# combo → {action: (new state, personas allowed)}; anything not listed is refused.
EXPECTED: dict[str, dict[str, tuple[str, set[str]]]] = {
    "general_reported": {
        "set_five_fixes": ("fixes_set", MANAGERS),
        "make_major": ("reported", DECIDERS),
    },
    "general_on_spot_reported": {
        "set_five_fixes": ("fixes_set", MANAGERS),
        "fix_on_spot": ("closed", MANAGERS),
        "make_major": ("reported", DECIDERS),
    },
    "general_fixes_set": {
        "start": ("rectifying", MANAGERS),
        "make_major": ("reported", DECIDERS),
    },
    "general_rectifying": {
        "submit": ("submitted", MANAGERS),
        "make_major": ("reported", DECIDERS),
    },
    "general_submitted": {
        "accept": ("closed", ACCEPTORS),
        "reject": ("rectifying", ACCEPTORS),
        "make_major": ("reported", DECIDERS),
    },
    "general_closed": {},
    "major_reported": {
        "confirm_major": ("confirmed", {"expert_x"}),
        "dismiss_major": ("reported", {"expert_x"}),
    },
    "major_confirmed": {"list": ("listed", DECIDERS)},
    "major_listed": {"set_five_fixes": ("fixes_set", MANAGERS)},
    "major_fixes_set": {"start": ("rectifying", MANAGERS)},
    "major_rectifying": {"submit": ("submitted", MANAGERS)},
    "major_submitted": {
        "review_pass": ("closed", {"coordinator_x"}),
        "review_fail": ("rectifying", {"coordinator_x"}),
    },
    "major_submitted_dept": {
        "review_pass": ("closed", {"officer_emergency_x"}),
        "review_fail": ("rectifying", {"officer_emergency_x"}),
    },
    "major_closed": {"accountability_review": ("closed", {"coordinator_x"})},
    "major_closed_reviewed": {},
}
assert set(EXPECTED) == set(COMBOS)

PERSONAS = sorted(EXPECTED_ENTERPRISES)
STEP_ACTIONS = [a for a in wf.ACTIONS if a != wf.REPORT]


def snapshot(hazard_id):
    hazard = Hazard.objects.get(pk=hazard_id)
    return (
        model_to_dict(hazard),
        hazard.state,
        hazard.version,
        HazardEvent.objects.count(),
        HazardPhoto.objects.count(),
        AuditEntry.objects.count(),
        AccountabilityReview.objects.count(),
        ReassessmentProposal.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("combo", list(EXPECTED))
def test_given_state_and_persona_when_each_step_is_tried_then_only_allowed_ones_succeed(
    world, combo, persona
):
    hazard = bring(world, combo)
    major = hazard.level == "major"
    sees = "chem_a" in EXPECTED_ENTERPRISES[persona]
    expected = EXPECTED[combo]
    mine = sorted(a for a, (_to, who) in expected.items() if persona in who)
    assert sorted(services.available_actions(hazard, world.user(persona))) == mine
    problems = []
    for action in STEP_ACTIONS:
        data, photos = step_data(action, major)
        before = snapshot(hazard.pk)
        target, allowed = expected.get(action, (None, set()))
        if persona in allowed:
            with transaction.atomic():
                moved = services.hazard_act(
                    actor=services.Actor.for_user(world.user(persona), "web"),
                    hazard_id=hazard.pk,
                    action=action,
                    data=data,
                    photos=photos,
                    expected_version=hazard.version,
                )
                event = HazardEvent.objects.filter(hazard=hazard).latest("id")
                if (moved.state, event.action, event.from_state, event.to_state) != (
                    target,
                    action,
                    hazard.state,
                    target,
                ):
                    problems.append(f"{action}: went to {moved.state}")
                if HazardEvent.objects.count() != before[3] + 1:
                    problems.append(f"{action}: not exactly one event")
                if AuditEntry.objects.count() <= before[5]:
                    problems.append(f"{action}: no audit entry")
                transaction.set_rollback(True)
            continue
        try:
            services.hazard_act(
                actor=services.Actor.for_user(world.user(persona), "web"),
                hazard_id=hazard.pk,
                action=action,
                data=data,
                photos=photos,
            )
            problems.append(f"{action}: allowed but should be refused")
        except NotFound as exc:
            if sees:
                problems.append(f"{action}: NotFound for a persona who sees it: {exc}")
        except (Forbidden, Conflict) as exc:
            if not sees:
                problems.append(f"{action}: {type(exc).__name__} leaks an unseen hazard")
            if not str(exc):
                problems.append(f"{action}: refused without a reason")
        if snapshot(hazard.pk) != before:
            problems.append(f"{action}: a refused step changed something")
    assert not problems, problems
