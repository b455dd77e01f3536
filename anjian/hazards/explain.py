"""What a user may do next with a hazard, and why not, for the pages and the API.

The reasons are the services' own refusals (`services._check_step` raises Conflict or
Forbidden with the message the step would give), so a page never guesses a rule the
service does not apply. Steps whose guard excludes this hazard altogether (accepting a
major hazard, the on-site review of a general one) are left out of the "waiting for"
list; asking for them directly still explains why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from anjian.core.errors import Conflict, Forbidden

from . import services
from . import workflow as wf
from .models import ACTION_LABELS, Hazard, Level, State


@dataclass(frozen=True)
class StepOption:
    action: str
    label: str
    allowed: bool
    reason: str  # empty when allowed
    who: str  # who may take the step
    needs: str  # what the step asks for (from the table)
    target: str
    target_label: str
    danger: bool = False  # refusing / failing steps: shown as secondary buttons


REFUSING = {wf.REJECT, wf.REVIEW_FAIL, wf.DISMISS_MAJOR, wf.SUSPEND, wf.REOPEN}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def step_refusal(hazard: Hazard, action: str, user: Any) -> tuple[int, str] | None:
    """None if `user` may take the step now; else (HTTP status, reason)."""
    try:
        services._check_step(hazard, action, user)
    except Forbidden as exc:
        return 403, str(exc)
    except Conflict as exc:
        return 409, str(exc)
    return None


def step_options(hazard: Hazard, user: Any) -> list[StepOption]:
    facts = services._facts(hazard)
    mine = services.parties(user, hazard.enterprise, hazard)
    out: list[StepOption] = []
    for step in wf.transitions_from(hazard.state):
        if not wf.guard_passes(step.guard, facts):
            continue  # not a step of this kind of hazard
        allowed = bool(step.parties & mine)
        reason = ""
        if not allowed:
            reason = _("Only %(who)s may %(action)s this hazard.") % {
                "who": services._who_may(step),
                "action": action_label(step.action),
            }
        out.append(
            StepOption(
                action=step.action,
                label=action_label(step.action),
                allowed=allowed,
                reason=reason,
                who=services._who_may(step),
                needs=step.needs,
                target=step.target,
                target_label=state_label(step.target),
                danger=step.action in REFUSING,
            )
        )
    return out


@dataclass(frozen=True)
class PathStep:
    state: str
    label: str
    status: str  # done / current / ahead


def path(hazard: Hazard) -> list[PathStep]:
    """The road a hazard of this kind travels, with where it is now: for the stepper at
    the top of its page."""
    stopped = hazard.state in (wf.SUSPENDED, wf.EVALUATED, wf.RESUME_APPLIED) or (
        hazard.suspended_at is not None and hazard.resumed_at is None
    )
    if hazard.level == Level.MAJOR and stopped:
        # 16号令 第十六条, 第十八条, 第二十三条: stopped, evaluated, applied, reviewed.
        road = [wf.REPORTED, wf.SUSPENDED, wf.EVALUATED, wf.RESUME_APPLIED]
    elif hazard.level == Level.MAJOR:
        road = [wf.REPORTED, wf.FIXES_SET, wf.RECTIFYING, wf.SUBMITTED]
    elif hazard.handling == wf.ON_SPOT:
        road = [wf.REPORTED]
    else:
        road = [wf.REPORTED, wf.FIXES_SET, wf.RECTIFYING, wf.SUBMITTED]
    road.append(wf.CLOSED)
    here = road.index(hazard.state) if hazard.state in road else 0
    steps = [
        PathStep(
            state,
            state_label(state),
            "done"
            if i < here or state == wf.CLOSED == hazard.state
            else "current"
            if i == here
            else "ahead",
        )
        for i, state in enumerate(road)
    ]
    if hazard.level == Level.MAJOR:
        reviewed = hazard.state == wf.CLOSED and services._facts(hazard).reviewed
        status = "done" if reviewed else "current" if hazard.state == wf.CLOSED else "ahead"
        steps.append(PathStep("accountability", _("accountability review"), status))
    return steps
