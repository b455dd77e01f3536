"""Drill services: planning, unannounced orders with notifications and response times,
every transition and every illegal one, the parties, scoping (another county, an
outsider), findings entered as hazards and revision triggers, events and audit, and the
frequency compliance read from the database."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.emergency import drill_rules as rules
from anjian.emergency import drill_services as s
from anjian.emergency import drill_workflow as wf
from anjian.emergency.models import (
    Drill,
    DrillEvent,
    DrillFinding,
    PlanKind,
    PlanState,
    RevisionReason,
    RevisionTrigger,
)
from anjian.hazards.models import Hazard
from tests.emergency.drill_helpers import ordered, plan, planned, put, who

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


# --- planning -----------------------------------------------------------------------------


def test_given_the_principal_when_planning_a_drill_of_a_plan_then_planned_with_event_and_audit(
    world,
):
    p = plan(world)
    drill = planned(world, plan_id=p.pk, level="workshop", planned_for="2026-12-20T09:00")
    assert (drill.state, drill.level, drill.plan_id, drill.enterprise_id) == (
        "planned",
        "workshop",
        p.pk,
        world.chem_a.pk,
    )
    assert drill.planned_for is not None and not drill.unannounced
    assert list(DrillEvent.objects.filter(drill=drill).values_list("action", flat=True)) == ["plan"]
    assert AuditEntry.objects.filter(action="drill_plan", object_id=str(drill.pk)).exists()


@pytest.mark.parametrize(
    "persona", ["employee_a", "coordinator_x", "officer_emergency_x", "outsider", "grid_x1"]
)
def test_given_someone_not_the_units_head_when_planning_then_forbidden(world, persona):
    with pytest.raises(Forbidden):
        s.drill_plan(actor=who(world, persona), kind="tabletop", scenario="演练")


def test_given_bad_fields_when_planning_then_every_problem_by_field(world):
    other = plan(world, enterprise=world.chem_c)
    draft = plan(world, state=PlanState.DRAFT)
    with pytest.raises(ValidationFailed) as exc:
        s.drill_plan(
            actor=who(world, "safety_a"),
            kind="parade",
            level="city",
            scenario="  ",
            plan_id=other.pk,
            planned_for="tomorrow",
            enterprise_id=world.chem_c.pk,
        )
    assert set(exc.value.errors) == {
        "kind",
        "level",
        "scenario",
        "plan",
        "planned_for",
        "enterprise",
    }
    with pytest.raises(ValidationFailed) as exc:
        planned(world, plan_id=draft.pk)
    assert set(exc.value.errors) == {"plan"}
    with pytest.raises(ValidationFailed) as exc:
        planned(world, risk_unit_id=999999)
    assert set(exc.value.errors) == {"risk_unit"}


# --- unannounced orders -------------------------------------------------------------------


def test_given_a_coordinator_when_ordering_then_ordered_and_the_units_heads_are_notified(world):
    drill = ordered(world)
    assert (drill.state, drill.unannounced, drill.ordered_by, drill.acknowledged_at) == (
        "ordered",
        True,
        world.user("coordinator_x"),
        None,
    )
    assert drill.ordered_at is not None
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"principal_a", "safety_a"}
    link = Notification.objects.first().link
    assert link.endswith(f"/emergency/drills/{drill.pk}/")
    assert AuditEntry.objects.filter(action="drill_order", object_id=str(drill.pk)).exists()


def test_given_a_department_officer_when_ordering_in_its_duty_then_allowed_outside_refused(world):
    assert ordered(world, by="officer_emergency_x").state == "ordered"
    with pytest.raises(ValidationFailed) as exc:
        ordered(world, enterprise=world.build_b, by="officer_emergency_x")
    assert set(exc.value.errors) == {"enterprise"}


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("coordinator_y", ValidationFailed),  # another county: not in its jurisdiction
        ("principal_a", Forbidden),
        ("grid_x1", Forbidden),
        ("expert_x", Forbidden),
        ("outsider", Forbidden),
    ],
)
def test_given_someone_without_the_enterprise_when_ordering_then_refused(world, persona, error):
    with pytest.raises(error):
        ordered(world, by=persona)
    assert not Drill.objects.exists()
    assert not Notification.objects.exists()


def test_given_an_order_when_acknowledged_started_finished_then_times_measured(world):
    t0 = dt.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(t0, tick=False):
        drill = ordered(world)
    with time_machine.travel(t0 + dt.timedelta(minutes=4), tick=False):
        s.drill_acknowledge(actor=who(world, "safety_a"), drill_id=drill.pk)
    with time_machine.travel(t0 + dt.timedelta(minutes=11), tick=False):
        s.drill_start(actor=who(world, "principal_a"), drill_id=drill.pk)
    with time_machine.travel(t0 + dt.timedelta(minutes=71), tick=False):
        s.drill_finish(actor=who(world, "principal_a"), drill_id=drill.pk, participants="35")
    drill.refresh_from_db()
    assert (drill.state, drill.participants) == ("done", 35)
    t = s.times(drill)
    assert (t.to_acknowledge, t.to_start, t.total) == (4, 11, 71)
    actions = list(DrillEvent.objects.filter(drill=drill).values_list("action", flat=True))
    assert actions == ["order", "acknowledge", "start", "finish"]
    assert set(
        AuditEntry.objects.filter(object_id=str(drill.pk), action__startswith="drill_").values_list(
            "action", flat=True
        )
    ) == {"drill_order", "drill_acknowledge", "drill_start", "drill_finish"}


def test_given_an_order_not_acknowledged_when_started_then_the_start_answers_it(world):
    drill = ordered(world)
    s.drill_start(actor=who(world, "principal_a"), drill_id=drill.pk)
    drill.refresh_from_db()
    assert drill.state == "running" and drill.acknowledged_at == drill.started_at


def test_given_an_acknowledged_order_when_acknowledged_again_then_conflict(world):
    drill = ordered(world)
    s.drill_acknowledge(actor=who(world, "principal_a"), drill_id=drill.pk)
    with pytest.raises(Conflict):
        s.drill_acknowledge(actor=who(world, "safety_a"), drill_id=drill.pk)


# --- every transition and every illegal one ---------------------------------------------

LEGAL = {(t.source, t.action) for t in wf.TRANSITIONS}
CALLS = {
    wf.ACKNOWLEDGE: lambda a, pk: s.drill_acknowledge(actor=a, drill_id=pk),
    wf.START: lambda a, pk: s.drill_start(actor=a, drill_id=pk),
    wf.FINISH: lambda a, pk: s.drill_finish(actor=a, drill_id=pk, participants=12),
    wf.EVALUATE: lambda a, pk: s.drill_evaluate(actor=a, drill_id=pk, evaluation="总体有效"),
    wf.CANCEL: lambda a, pk: s.drill_cancel(actor=a, drill_id=pk, reason="天气原因"),
}


def _drill_in(world, state: str):
    if state == wf.ORDERED:
        return ordered(world)
    drill = ordered(world) if state == wf.CANCELLED else planned(world)
    return put(drill, state)


@pytest.mark.parametrize(
    ("state", "action"),
    [(st, ac) for st in wf.STATES for ac in wf.ACTIONS if (st, ac) not in LEGAL],
)
def test_given_a_drill_in_a_state_when_an_illegal_step_then_conflict_and_nothing_written(
    world, state, action
):
    drill = _drill_in(world, state)
    events = DrillEvent.objects.count()
    for persona in ("principal_a", "coordinator_x"):
        with pytest.raises(Conflict):
            CALLS[action](who(world, persona), drill.pk)
    drill.refresh_from_db()
    assert drill.state == state
    assert DrillEvent.objects.count() == events


@pytest.mark.parametrize(
    ("state", "action", "persona", "target"),
    [
        (wf.ORDERED, wf.ACKNOWLEDGE, "principal_a", wf.ORDERED),
        (wf.PLANNED, wf.START, "safety_a", wf.RUNNING),
        (wf.ORDERED, wf.START, "principal_a", wf.RUNNING),
        (wf.RUNNING, wf.FINISH, "principal_a", wf.DONE),
        (wf.DONE, wf.EVALUATE, "safety_a", wf.EVALUATED),
        (wf.PLANNED, wf.CANCEL, "principal_a", wf.CANCELLED),
        (wf.ORDERED, wf.CANCEL, "coordinator_x", wf.CANCELLED),
    ],
)
def test_given_each_legal_step_when_taken_by_its_party_then_the_target_state(
    world, state, action, persona, target
):
    drill = _drill_in(world, state)
    CALLS[action](who(world, persona), drill.pk)
    drill.refresh_from_db()
    assert drill.state == target
    assert DrillEvent.objects.filter(drill=drill, action=action).count() == 1
    assert AuditEntry.objects.filter(action=f"drill_{action}", object_id=str(drill.pk)).exists()


def test_given_the_regulator_who_ordered_when_evaluating_the_unannounced_drill_then_allowed(world):
    drill = put(ordered(world), wf.DONE)
    s.drill_evaluate(actor=who(world, "coordinator_x"), drill_id=drill.pk, evaluation="响应及时")
    drill.refresh_from_db()
    assert (drill.state, drill.evaluated_by) == ("evaluated", world.user("coordinator_x"))


@pytest.mark.parametrize(
    ("state", "action", "persona", "unannounced"),
    [
        (wf.ORDERED, wf.ACKNOWLEDGE, "employee_a", True),
        (wf.ORDERED, wf.ACKNOWLEDGE, "coordinator_x", True),
        (wf.ORDERED, wf.START, "coordinator_x", True),
        (wf.ORDERED, wf.CANCEL, "principal_a", True),  # the enterprise cannot call off an order
        (wf.PLANNED, wf.START, "employee_a", False),
        (wf.PLANNED, wf.START, "coordinator_x", False),
        (wf.PLANNED, wf.CANCEL, "coordinator_x", False),
        (wf.RUNNING, wf.FINISH, "grid_x1", False),
        (wf.DONE, wf.EVALUATE, "coordinator_x", False),  # the enterprise's own drill
        (wf.DONE, wf.EVALUATE, "expert_x", True),
    ],
)
def test_given_a_wrong_party_when_stepping_then_forbidden(
    world, state, action, persona, unannounced
):
    drill = ordered(world) if unannounced else planned(world)
    if state != wf.ORDERED:
        put(drill, state)
    with pytest.raises(Forbidden):
        CALLS[action](who(world, persona), drill.pk)
    drill.refresh_from_db()
    assert drill.state == state


@pytest.mark.parametrize("persona", ["coordinator_y", "principal_c", "outsider", "audit_admin"])
def test_given_a_drill_when_someone_out_of_scope_acts_or_reads_then_not_found(world, persona):
    drill = ordered(world)
    assert not s.visible_drills(world.user(persona)).exists()
    for action in (wf.ACKNOWLEDGE, wf.START, wf.CANCEL):
        with pytest.raises(NotFound):
            CALLS[action](who(world, persona), drill.pk)
    with pytest.raises(NotFound):
        s.drill_start(actor=who(world, "principal_a"), drill_id="abc")


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator_x", True),
        ("officer_emergency_x", True),
        ("officer_housing_x", False),
        ("principal_a", True),
        ("employee_a", True),
        ("principal_c", False),
        ("coordinator_y", False),
        ("outsider", False),
    ],
)
def test_given_a_drill_when_personas_read_then_only_those_in_scope_see_it(world, persona, sees):
    drill = planned(world)
    assert s.visible_drills(world.user(persona)).filter(pk=drill.pk).exists() is sees


@pytest.mark.parametrize("participants", [0, -1, "x", None, True, "１２"])
def test_given_a_bad_participant_count_when_finishing_then_422_and_still_running(
    world, participants
):
    drill = put(planned(world), wf.RUNNING)
    with pytest.raises(ValidationFailed) as exc:
        s.drill_finish(
            actor=who(world, "principal_a"), drill_id=drill.pk, participants=participants
        )
    assert set(exc.value.errors) == {"participants"}
    drill.refresh_from_db()
    assert drill.state == wf.RUNNING


def test_given_no_reason_when_cancelling_then_422(world):
    drill = planned(world)
    with pytest.raises(ValidationFailed):
        s.drill_cancel(actor=who(world, "principal_a"), drill_id=drill.pk, reason=" ")


def test_given_an_ordered_drill_when_the_regulator_cancels_then_the_unit_is_told(world):
    drill = ordered(world)
    Notification.objects.all().delete()
    s.drill_cancel(actor=who(world, "coordinator_x"), drill_id=drill.pk, reason="改期")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "principal_a",
        "safety_a",
    }


# --- evaluation and findings --------------------------------------------------------------


def test_given_findings_when_evaluating_then_a_note_a_hazard_and_a_revision_trigger(world):
    p = plan(world)
    drill = put(planned(world, plan_id=p.pk), wf.DONE)
    s.drill_evaluate(
        actor=who(world, "principal_a"),
        drill_id=drill.pk,
        evaluation="处置基本有效，通讯联络不畅",
        findings=[
            {"text": "对讲机电量不足", "outcome": "note"},
            {"text": "罐区围堰排水阀常开", "outcome": "hazard", "location": "罐区"},
            {"text": "预案未明确夜间指挥人员", "outcome": "revision"},
        ],
    )
    drill.refresh_from_db()
    assert drill.state == "evaluated" and drill.evaluated_at is not None
    rows = list(DrillFinding.objects.filter(drill=drill).order_by("pk"))
    assert [r.outcome for r in rows] == ["note", "hazard", "revision"]
    assert rows[0].hazard is None and rows[0].trigger is None
    hazard = Hazard.objects.get(pk=rows[1].hazard_id)
    assert hazard.enterprise_id == world.chem_a.pk and "围堰排水阀" in hazard.description
    trigger = RevisionTrigger.objects.get(pk=rows[2].trigger_id)
    assert (trigger.plan_id, trigger.reason, trigger.drill_id) == (
        p.pk,
        RevisionReason.DRILL,
        drill.pk,
    )
    event = DrillEvent.objects.get(drill=drill, action="evaluate")
    assert [f["outcome"] for f in event.data["findings"]] == ["note", "hazard", "revision"]


def test_given_a_drill_of_no_plan_when_a_finding_asks_for_a_revision_then_422_nothing_written(
    world,
):
    drill = put(planned(world), wf.DONE)
    with pytest.raises(ValidationFailed) as exc:
        s.drill_evaluate(
            actor=who(world, "principal_a"),
            drill_id=drill.pk,
            evaluation="评估",
            findings=[{"text": "x", "outcome": "hazard"}, {"text": "y", "outcome": "revision"}],
        )
    assert "findings.1.outcome" in exc.value.errors
    assert not Hazard.objects.exists() and not DrillFinding.objects.exists()
    drill.refresh_from_db()
    assert drill.state == wf.DONE


def test_given_bad_findings_when_evaluating_then_each_problem_by_field(world):
    drill = put(planned(world), wf.DONE)
    with pytest.raises(ValidationFailed) as exc:
        s.drill_evaluate(
            actor=who(world, "principal_a"),
            drill_id=drill.pk,
            evaluation="",
            findings=[{"text": "", "outcome": "shout", "extra": 1}, "x"],
        )
    assert {
        "evaluation",
        "findings.0",
        "findings.0.text",
        "findings.0.outcome",
        "findings.1",
    } <= set(exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:
        s.drill_evaluate(
            actor=who(world, "principal_a"), drill_id=drill.pk, evaluation="a", findings="x"
        )
    assert set(exc.value.errors) == {"findings"}


# --- compliance from the database ---------------------------------------------------------


def test_given_a_high_risk_enterprise_when_a_drill_ended_this_half_then_met(world):
    assert s.high_risk(world.chem_a) and s.high_risk(world.build_b)
    assert not s.high_risk(world.ess_d)
    drill = put(planned(world), wf.DONE)
    c = s.enterprise_compliance(world.chem_a, profile=rules.NATIONAL)
    assert [(o.code, o.status) for o in c.obligations] == [(rules.HALF_HIGH_RISK, rules.SATISFIED)]
    assert c.obligations[0].last_drill == timezone.localdate(drill.ended_at)


def test_given_onsite_plans_when_each_onsite_then_each_plan_needs_its_own_drill(world):
    p1 = plan(world, title="罐区现场处置方案")
    p2 = plan(world, title="装车现场处置方案")
    put(planned(world, plan_id=p1.pk), wf.EVALUATED)
    national = s.enterprise_compliance(world.chem_a, profile=rules.NATIONAL)
    assert {(o.code, o.status) for o in national.obligations} == {
        (rules.HALF_ONSITE, rules.SATISFIED),
        (rules.HALF_HIGH_RISK, rules.SATISFIED),
    }
    strict = s.enterprise_compliance(world.chem_a, profile=rules.EACH_ONSITE)
    by_plan = {o.plan_key: o.status for o in strict.obligations if o.code == rules.HALF_ONSITE}
    assert by_plan == {p1.pk: rules.SATISFIED, p2.pk: rules.OVERDUE}
    assert strict.status == rules.OVERDUE


def test_given_a_drill_of_an_older_version_when_checked_then_it_counts_for_the_series(world):
    old = plan(world, kind=PlanKind.SPECIAL, title="泄漏专项预案")
    put(planned(world, plan_id=old.pk), wf.DONE)
    from anjian.emergency.models import Plan

    Plan.objects.filter(pk=old.pk).update(state=PlanState.SUPERSEDED)
    new = plan(world, kind=PlanKind.SPECIAL, title="泄漏专项预案", version=2)
    Plan.objects.filter(pk=new.pk).update(series=old.pk)
    c = s.enterprise_compliance(world.chem_a)
    annual = [o for o in c.obligations if o.code == rules.ANNUAL_PLAN]
    assert annual and annual[0].status == rules.SATISFIED


def test_given_a_jurisdiction_when_listed_then_overdue_first_and_scoped(world):
    put(planned(world), wf.DONE)  # chem_a: met
    rows = s.jurisdiction_compliance(world.user("coordinator_x"))
    names = [r.enterprise.pk for r in rows]
    # build_b (construction, high-risk, never drilled) first; ess_d has no obligation.
    assert names[0] == world.build_b.pk
    assert rows[0].compliance.status == rules.OVERDUE
    assert set(names) == {world.chem_a.pk, world.build_b.pk, world.ess_d.pk}
    assert [r.enterprise.pk for r in s.jurisdiction_compliance(world.user("coordinator_y"))] == [
        world.chem_c.pk
    ]
    assert s.jurisdiction_compliance(world.user("outsider")) == []


def test_given_the_ordering_regulator_when_a_finding_is_a_hazard_then_it_enters_the_ledger(world):
    drill = put(ordered(world), wf.DONE)
    s.drill_evaluate(
        actor=who(world, "coordinator_x"),
        drill_id=drill.pk,
        evaluation="到场迟缓",
        findings=[{"text": "消防通道被占用", "outcome": "hazard"}],
    )
    finding = DrillFinding.objects.get(drill=drill)
    assert finding.hazard.enterprise_id == world.chem_a.pk
    assert finding.hazard.source == "other"
