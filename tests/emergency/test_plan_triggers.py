"""Revision triggers (第三十六条): raised by the unit or a regulator in scope, answered
when the next version is signed."""

from __future__ import annotations

import pytest

from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.emergency import plan_services as ps
from anjian.emergency.models import PlanEvent, RevisionTrigger


def _actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def _plan(world, **extra):
    values = {"kind": "comprehensive", "title": "综合应急预案", **extra}
    return ps.plan_create(actor=_actor(world, "safety_a"), values=values)


@pytest.mark.django_db
def test_given_a_plan_when_the_unit_raises_a_trigger_then_it_is_open_with_an_event(world):
    plan = _plan(world)
    trigger = ps.revision_trigger_raise(
        actor=_actor(world, "safety_a"), plan_id=plan.pk, reason="risk", note="新增装置"
    )
    assert trigger.resolved_by_id is None and trigger.reason == "risk"
    assert PlanEvent.objects.filter(plan=plan, action="trigger").count() == 1
    assert list(ps.open_triggers(plan)) == [trigger]


@pytest.mark.django_db
def test_given_a_plan_when_a_regulator_in_scope_raises_a_trigger_then_it_is_recorded(world):
    plan = _plan(world)
    ps.revision_trigger_raise(actor=_actor(world, "coordinator_x"), plan_id=plan.pk, reason="law")
    assert RevisionTrigger.objects.filter(plan=plan, reason="law").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["coordinator_y", "principal_c", "outsider", "officer_housing_x"])
def test_given_a_plan_when_someone_out_of_scope_raises_a_trigger_then_not_found(world, name):
    plan = _plan(world)
    with pytest.raises(NotFound):
        ps.revision_trigger_raise(actor=_actor(world, name), plan_id=plan.pk, reason="law")


@pytest.mark.django_db
def test_given_a_plan_when_an_employee_raises_a_trigger_then_forbidden(world):
    plan = _plan(world)
    with pytest.raises(Forbidden):
        ps.revision_trigger_raise(actor=_actor(world, "employee_a"), plan_id=plan.pk, reason="own")


@pytest.mark.django_db
def test_given_an_unknown_reason_when_raising_then_validation_failed(world):
    plan = _plan(world)
    with pytest.raises(ValidationFailed) as err:
        ps.revision_trigger_raise(actor=_actor(world, "safety_a"), plan_id=plan.pk, reason="x")
    assert "reason" in err.value.errors
    assert not RevisionTrigger.objects.exists()
