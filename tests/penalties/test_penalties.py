"""Penalty decisions: no second fine for one act (行政处罚法 第二十九条) by any department,
other measures allowed, the window, the workflow tables of the penalty and the suspension
order (every illegal step refused), and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.inspections import penalties as rules
from anjian.penalties import services
from anjian.penalties import workflow as wf
from anjian.penalties.models import Penalty, PenaltyEvent, Suspension

from .helpers import PLATE, actor, add_fire_officer, decide, decided_penalty, draft, notify


@pytest.fixture
def fire(world):
    return add_fire_officer(world)


def test_given_a_fine_on_a_plate_when_another_department_fines_the_same_act_then_refused_with_the_first(
    world, fire
):
    first = decided_penalty(
        world, subject_kind=rules.PLATE, subject_value=PLATE, subject_name="张三"
    )
    second = draft(
        world,
        "officer_fire_x",
        subject_kind=rules.PLATE,
        subject_value="浙A·12345",
        subject_name="张三",
    )
    with pytest.raises(services.DoublePenalty) as caught:
        decide(world, second, "officer_fire_x", number="东消罚〔2026〕1号")
    assert caught.value.first == first
    message = caught.value.errors["kind"][0]
    assert first.number in message and world.emergency_x.name in message
    assert "20000" in message and "2026-11-20" in message
    second.refresh_from_db()
    assert second.state == wf.NOTICED and second.number == ""


def test_given_a_fine_on_an_enterprise_when_a_cooperating_department_fines_it_again_then_refused(
    world, fire
):
    first = decided_penalty(world)
    second = draft(world, "officer_fire_x", amount="50000")
    with pytest.raises(services.DoublePenalty) as caught:
        decide(world, second, "officer_fire_x", decided_on=dt.date(2026, 12, 1))
    assert caught.value.first == first
    assert caught.value.evidence.rule == rules.SAME_CLAUSE


def test_given_a_fine_when_the_same_act_gets_a_warning_then_allowed(world, fire):
    decided_penalty(world)
    warning = decide(
        world, draft(world, "officer_fire_x", kind=rules.WARNING, amount=None), "officer_fire_x"
    )
    assert warning.state == wf.DECIDED


@override_settings(ANJIAN_DOUBLE_PENALTY_WINDOW_DAYS=30)
def test_given_a_fine_when_the_second_is_decided_outside_the_window_then_allowed(world, fire):
    decided_penalty(world)
    later = decide(
        world, draft(world, "officer_fire_x"), "officer_fire_x", decided_on=dt.date(2027, 1, 20)
    )
    assert later.state == wf.DECIDED


def test_given_a_revoked_fine_when_the_act_is_fined_again_then_allowed(world, fire):
    first = decided_penalty(world)
    services.penalty_revoke(
        actor=actor(world.user("officer_emergency_x")), penalty_id=first.pk, reason="复议撤销"
    )
    assert decide(world, draft(world, "officer_fire_x"), "officer_fire_x").state == wf.DECIDED


def test_given_a_fine_when_a_different_clause_on_the_same_trip_is_fined_then_allowed(world, fire):
    decided_penalty(world, subject_kind=rules.PLATE, subject_value=PLATE, subject_name="张三")
    other = draft(
        world,
        "officer_fire_x",
        subject_kind=rules.PLATE,
        subject_value=PLATE,
        subject_name="张三",
        clauses="《危险化学品安全管理条例》第八十七条",
        description="运输危险化学品未取得许可",
    )
    assert decide(world, other, "officer_fire_x").state == wf.DECIDED


def test_given_bad_input_when_drafting_then_each_field_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        draft(world, subject_value="123", amount="-5", clauses="安全生产法", description="")
    assert {"subject_value", "amount", "clauses", "description"} <= set(caught.value.errors)


def test_given_a_used_number_when_deciding_then_refused(world):
    plate = {"subject_kind": rules.PLATE, "subject_value": PLATE, "subject_name": "张三"}
    first = decided_penalty(world, kind=rules.WARNING, amount=None, **plate)
    other = draft(world, kind=rules.WARNING, amount=None, **plate)
    with pytest.raises(ValidationFailed) as caught:
        decide(world, other, number=first.number)
    assert "number" in caught.value.errors
    other.refresh_from_db()
    assert other.state == wf.NOTICED and other.number == ""


@pytest.mark.parametrize("state", wf.PENALTY_STATES)
@pytest.mark.parametrize("action", wf.PENALTY_ACTIONS)
def test_given_a_penalty_in_any_state_when_an_action_not_in_the_table_then_refused(
    world, state, action
):
    if (state, action) in wf.PENALTY_TABLE:
        pytest.skip("legal")
    penalty = draft(world, kind=rules.WARNING, amount=None)
    Penalty.objects.filter(pk=penalty.pk).update(state=state)
    who = actor(world.user("officer_emergency_x"))
    call = {
        wf.NOTIFY: lambda: services.penalty_notify(actor=who, penalty_id=penalty.pk),
        wf.DECIDE: lambda: services.penalty_decide(actor=who, penalty_id=penalty.pk, number="X-1"),
        wf.EXECUTE: lambda: services.penalty_execute(actor=who, penalty_id=penalty.pk),
        wf.REVOKE: lambda: services.penalty_revoke(actor=who, penalty_id=penalty.pk, reason="r"),
    }[action]
    with pytest.raises(Conflict):
        call()
    assert Penalty.objects.get(pk=penalty.pk).state == state


def test_given_a_penalty_when_another_department_or_the_enterprise_acts_on_it_then_refused(
    world, fire
):
    penalty = draft(world)
    with pytest.raises(Forbidden):
        services.penalty_notify(actor=actor(fire), penalty_id=penalty.pk)
    with pytest.raises(NotFound):  # a draft is hidden from the enterprise
        services.penalty_notify(actor=actor(world.user("principal_a")), penalty_id=penalty.pk)
    with pytest.raises(NotFound):
        services.penalty_notify(actor=actor(world.user("outsider")), penalty_id=penalty.pk)
    with pytest.raises(Forbidden):
        draft(world, "principal_a")


def test_given_the_full_path_then_each_step_leaves_an_event(world):
    penalty = decided_penalty(world)
    services.penalty_execute(actor=actor(world.user("officer_emergency_x")), penalty_id=penalty.pk)
    actions = list(PenaltyEvent.objects.filter(penalty=penalty).values_list("action", flat=True))
    assert actions == ["draft", wf.NOTIFY, wf.DECIDE, wf.EXECUTE]


def test_given_penalties_then_each_persona_sees_only_its_own(world, fire):
    noticed = draft(world)
    notify(world, noticed)
    hidden_draft = draft(world, kind=rules.WARNING, amount=None)
    plate = draft(
        world, "officer_fire_x", subject_kind=rules.PLATE, subject_value=PLATE, subject_name="张三"
    )

    def seen(name):
        return set(services.visible_penalties(world.user(name)).values_list("pk", flat=True))

    assert seen("officer_emergency_x") == {noticed.pk, hidden_draft.pk}
    assert seen("officer_fire_x") == {noticed.pk, hidden_draft.pk, plate.pk}
    assert seen("principal_a") == {noticed.pk}
    assert seen("principal_c") == set()
    assert seen("officer_housing_x") == set()
    assert seen("outsider") == set()
    assert seen("platform_admin") == {noticed.pk, hidden_draft.pk, plate.pk}


# --- suspension orders ---------------------------------------------------------------------


def _suspension(world) -> Suspension:
    penalty = decide(
        world, draft(world, kind=rules.SUSPENSION, amount=None), rectify_by="2026-12-31"
    )
    return Suspension.objects.get(penalty=penalty)


def test_given_a_suspension_order_when_rectified_and_reviewed_then_resumed(world):
    suspension = _suspension(world)
    assert suspension.state == wf.ORDERED and suspension.rectify_by == dt.date(2026, 12, 31)
    ent, dept = actor(world.user("principal_a")), actor(world.user("officer_emergency_x"))
    for who, action, target in (
        (ent, wf.RECTIFY, wf.RECTIFYING),
        (ent, wf.REQUEST_REVIEW, wf.REVIEW_REQUESTED),
        (dept, wf.EXTEND, wf.EXTENDED),
        (ent, wf.REQUEST_REVIEW, wf.REVIEW_REQUESTED),
        (dept, wf.RESUME, wf.RESUMED),
    ):
        suspension = services.suspension_apply(
            actor=who, suspension_id=suspension.pk, action=action
        )
        assert suspension.state == target
    assert suspension.resumed_on is not None


def test_given_a_review_requested_when_the_enterprise_approves_it_then_refused(world):
    suspension = _suspension(world)
    ent = actor(world.user("principal_a"))
    services.suspension_apply(actor=ent, suspension_id=suspension.pk, action=wf.RECTIFY)
    services.suspension_apply(actor=ent, suspension_id=suspension.pk, action=wf.REQUEST_REVIEW)
    with pytest.raises(Forbidden):
        services.suspension_apply(actor=ent, suspension_id=suspension.pk, action=wf.RESUME)
    with pytest.raises(NotFound):
        services.suspension_apply(
            actor=actor(world.user("principal_c")), suspension_id=suspension.pk, action=wf.RESUME
        )


def test_given_a_suspension_of_a_plate_when_drafted_then_refused(world):
    with pytest.raises(ValidationFailed):
        draft(
            world, kind=rules.SUSPENSION, amount=None, subject_kind=rules.PLATE, subject_value=PLATE
        )


@pytest.mark.parametrize("state", wf.SUSPENSION_STATES)
@pytest.mark.parametrize("action", wf.SUSPENSION_ACTIONS)
def test_given_a_suspension_in_any_state_when_an_action_not_in_the_table_then_refused(
    world, state, action
):
    if (state, action) in wf.SUSPENSION_TABLE:
        pytest.skip("legal")
    suspension = _suspension(world)
    Suspension.objects.filter(pk=suspension.pk).update(state=state)
    with pytest.raises(Conflict):
        services.suspension_apply(
            actor=actor(world.user("officer_emergency_x")),
            suspension_id=suspension.pk,
            action=action,
        )
