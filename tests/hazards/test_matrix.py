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
PRINCIPAL = {"principal_a"}
DECIDERS = {"officer_emergency_x", "coordinator_x"}
REOPENERS = DECIDERS | {"grid_x1"}
EXPERT = {"expert_x"}
EMERGENCY = {"officer_emergency_x"}
# In parallel with any open major hazard the enterprise handles itself.
MAJOR_OPEN = {
    "confirm_major": EXPERT,
    "order": DECIDERS,
    "list": DECIDERS,
    "report_to_workers": MANAGERS,
}
# 16号令 第十六条: the enterprise stops itself; a regulator orders the stop.
SUSPEND = ("suspended", MANAGERS | DECIDERS)

# combo → {action: (new state, personas allowed)}; anything not listed is refused.
# From the rules (docs/hazard-rules.md): 16号令 第十四至二十三条, 安全生产法 第四十一条、
# 第六十五条.
EXPECTED: dict[str, dict[str, tuple[str, set[str]]]] = {
    "general_reported": {
        "set_five_fixes": ("fixes_set", MANAGERS),
        "make_major": ("reported", DECIDERS),
        "order": ("reported", DECIDERS),
    },
    "general_on_spot_reported": {
        "set_five_fixes": ("fixes_set", MANAGERS),
        "fix_on_spot": ("closed", MANAGERS),
        "make_major": ("reported", DECIDERS),
        "order": ("reported", DECIDERS),
    },
    "general_fixes_set": {
        "start": ("rectifying", MANAGERS),
        "make_major": ("reported", DECIDERS),
        "order": ("fixes_set", DECIDERS),
    },
    "general_rectifying": {
        "submit": ("submitted", MANAGERS),
        "make_major": ("reported", DECIDERS),
        "order": ("rectifying", DECIDERS),
    },
    # The enterprise accepts it, not the safety officer who did the fix.
    "general_submitted": {
        "accept": ("closed", PRINCIPAL),
        "reject": ("rectifying", PRINCIPAL),
        "make_major": ("reported", DECIDERS),
    },
    "general_closed": {"reopen": ("rectifying", REOPENERS)},
    # Found by the emergency department's inspection: it reviews the rectification.
    "gov_reported": {
        "set_five_fixes": ("fixes_set", MANAGERS),
        "make_major": ("reported", DECIDERS),
    },
    "gov_submitted": {
        "accept": ("closed", EMERGENCY),
        "reject": ("rectifying", EMERGENCY),
        "make_major": ("reported", DECIDERS),
    },
    "major_reported": {
        "set_plan": ("fixes_set", PRINCIPAL),
        "dismiss_major": ("reported", EXPERT),
        **{a: ("reported", who) for a, who in MAJOR_OPEN.items()},
        "suspend": SUSPEND,
    },
    "major_fixes_set": {
        "start": ("rectifying", MANAGERS),
        **{a: ("fixes_set", who) for a, who in MAJOR_OPEN.items()},
        "suspend": SUSPEND,
    },
    "major_rectifying": {
        "submit": ("submitted", MANAGERS),
        **{a: ("rectifying", who) for a, who in MAJOR_OPEN.items()},
        "suspend": SUSPEND,
    },
    "major_submitted": {
        "accept": ("closed", PRINCIPAL),
        "reject": ("rectifying", PRINCIPAL),
        "report_to_workers": ("submitted", MANAGERS),
    },
    "major_closed": {
        "accountability_review": ("closed", {"coordinator_x"}),
        "reopen": ("rectifying", REOPENERS),
    },
    "major_closed_reviewed": {"reopen": ("rectifying", REOPENERS)},
    # Listed by the safety committee office: it reviews.
    "major_listed_submitted": {
        "accept": ("closed", {"coordinator_x"}),
        "reject": ("rectifying", {"coordinator_x"}),
        "report_to_workers": ("submitted", MANAGERS),
    },
    # Stopped by the emergency department's order: nothing ends it but the plan first.
    "major_stopped": {
        "set_plan": ("suspended", PRINCIPAL),
        "confirm_major": ("suspended", EXPERT),
        "list": ("suspended", DECIDERS),
        "report_to_workers": ("suspended", MANAGERS),
    },
    "major_stopped_planned": {
        "evaluate": ("evaluated", MANAGERS),
        "apply_resume": ("resume_applied", PRINCIPAL),
        "confirm_major": ("suspended", EXPERT),
        "list": ("suspended", DECIDERS),
        "report_to_workers": ("suspended", MANAGERS),
    },
    "major_evaluated": {
        "apply_resume": ("resume_applied", PRINCIPAL),
        "list": ("evaluated", DECIDERS),
        "report_to_workers": ("evaluated", MANAGERS),
    },
    # 第二十三条: the ordering department reviews on site.
    "major_resume_applied": {
        "review_pass": ("closed", EMERGENCY),
        "review_fail": ("suspended", EMERGENCY),
        "report_to_workers": ("resume_applied", MANAGERS),
    },
    # A stop the enterprise decided itself: it resumes itself.
    "major_self_stopped": {
        "resume": ("rectifying", PRINCIPAL),
        "confirm_major": ("suspended", EXPERT),
        "order": ("suspended", DECIDERS),
        "list": ("suspended", DECIDERS),
        "report_to_workers": ("suspended", MANAGERS),
    },
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
