"""The plan workflow through its services: every transition, every illegal one, the
parties, scoping, revision and the deemed filing job (standards.md A10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.emergency import plan_rules as rules
from anjian.emergency import plan_services as ps
from anjian.emergency import plan_workflow as wf
from anjian.emergency.models import Plan, PlanEvent, RevisionTrigger
from anjian.registry.models import Department
from tests.emergency.plan_helpers import actor, draft, filed, issued, submitted

pytestmark = pytest.mark.django_db


def _events(plan: Plan) -> list[str]:
    return list(PlanEvent.objects.filter(plan=plan).values_list("action", flat=True))


# --- drafting -------------------------------------------------------------------------------


def test_given_the_safety_officer_when_drafting_then_a_first_version_in_its_own_series(world):
    plan = draft(world, accident_types=["08", "19"], roles=[{"role": "总指挥", "name": "李四"}])
    assert plan.state == wf.DRAFT and plan.version == 1 and plan.series == plan.pk
    assert plan.enterprise == world.chem_a and plan.accident_types == ["08", "19"]
    assert plan.roles == [{"role": "总指挥", "name": "李四", "phone": ""}]
    assert _events(plan) == [wf.CREATE]
    assert AuditEntry.objects.filter(
        action="emergency_plan_create", object_id=str(plan.pk)
    ).exists()


@pytest.mark.parametrize("name", ["employee_a", "coordinator_x", "officer_emergency_x", "outsider"])
def test_given_someone_not_of_the_unit_when_drafting_then_forbidden(world, name):
    with pytest.raises(Forbidden):
        draft(world, name)
    assert not Plan.objects.exists()


def test_given_bad_content_when_drafting_then_every_field_error_at_once(world):
    with pytest.raises(ValidationFailed) as err:
        draft(
            world,
            kind="nope",
            title="",
            accident_types=["99"],
            roles=[{"role": "", "name": "x"}],
            response_levels="I",
            risk_unit_ids=[999999],
            colour="red",
        )
    assert {
        "kind",
        "title",
        "accident_types",
        "roles",
        "response_levels",
        "risk_unit_ids",
        "__all__",
    } <= set(err.value.errors)


def test_given_a_card_without_a_post_then_refused_and_a_post_on_another_kind_refused(world):
    with pytest.raises(ValidationFailed) as err:
        draft(world, kind="card", title="岗位处置卡")
    assert "post" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        draft(world, kind="special", post="罐区操作工")
    assert "post" in err.value.errors
    card = draft(world, kind="card", title="岗位处置卡", post="罐区操作工")
    assert card.post == "罐区操作工"


def test_given_a_draft_when_the_unit_edits_then_changed_and_a_signed_plan_is_not(world):
    plan = draft(world)
    ps.plan_update(
        actor=actor(world, "principal_a"),
        plan_id=plan.pk,
        values={"kind": "special", "title": "火灾专项应急预案", "accident_types": ["08"]},
    )
    plan.refresh_from_db()
    assert plan.kind == "special" and plan.title == "火灾专项应急预案"
    ps.plan_sign(actor=actor(world, "principal_a"), plan_id=plan.pk)
    with pytest.raises(Conflict):
        ps.plan_update(
            actor=actor(world, "principal_a"),
            plan_id=plan.pk,
            values={"kind": "special", "title": "x"},
        )


# --- sign -----------------------------------------------------------------------------------


def test_given_a_draft_when_the_principal_signs_then_issued_with_the_deadlines(world):
    plan = draft(world)
    signed = ps.plan_sign(actor=actor(world, "principal_a"), plan_id=plan.pk)
    today = timezone.localdate()
    assert signed.state == wf.ISSUED and signed.signed_by == world.user("principal_a")
    assert signed.issued_on == today
    assert signed.filing_due == rules.filing_due(today)
    assert signed.evaluation_due == rules.evaluation_due(today)
    assert _events(plan) == [wf.CREATE, wf.SIGN]


def test_given_a_past_issue_date_when_signing_then_the_deadline_counts_from_it(world):
    plan = draft(world)
    signed = ps.plan_sign(
        actor=actor(world, "principal_a"), plan_id=plan.pk, issued_on="2025-09-26"
    )
    assert signed.filing_due == dt.date(2025, 10, 30)


@pytest.mark.parametrize("value", ["2999-01-01", "not a date"])
def test_given_a_future_or_bad_issue_date_when_signing_then_refused(world, value):
    plan = draft(world)
    with pytest.raises(ValidationFailed):
        ps.plan_sign(actor=actor(world, "principal_a"), plan_id=plan.pk, issued_on=value)
    assert Plan.objects.get(pk=plan.pk).state == wf.DRAFT


@pytest.mark.parametrize("name", ["safety_a", "employee_a", "coordinator_x", "officer_emergency_x"])
def test_given_a_draft_when_anyone_but_the_principal_signs_then_forbidden(world, name):
    plan = draft(world)
    with pytest.raises(Forbidden):
        ps.plan_sign(actor=actor(world, name), plan_id=plan.pk)


def test_given_an_issued_plan_when_signed_again_then_conflict(world):
    plan = issued(world)
    with pytest.raises(Conflict):
        ps.plan_sign(actor=actor(world, "principal_a"), plan_id=plan.pk)


# --- submit ---------------------------------------------------------------------------------


def test_given_an_issued_plan_when_submitted_then_to_the_county_emergency_department(world):
    plan = issued(world)
    done = ps.plan_submit(actor=actor(world, "safety_a"), plan_id=plan.pk)
    today = timezone.localdate()
    assert done.state == wf.SUBMITTED
    assert done.filing_department == world.emergency_x and done.filing_division == world.county_x
    assert done.submitted_on == today and done.check_due == rules.check_due(today)
    note = Notification.objects.get(recipient=world.user("officer_emergency_x"))
    assert note.kind == "assignment" and str(plan.pk) in note.link
    assert not Notification.objects.filter(recipient=world.user("officer_housing_x")).exists()


def test_given_an_issued_plan_when_submitted_to_another_county_department_then_it_goes_there(world):
    plan = issued(world)
    done = ps.plan_submit(
        actor=actor(world, "principal_a"), plan_id=plan.pk, department_id=world.fire_x.pk
    )
    assert done.filing_department == world.fire_x


def test_given_a_department_of_another_county_when_submitting_then_refused(world):
    plan = issued(world)
    with pytest.raises(ValidationFailed) as err:
        ps.plan_submit(
            actor=actor(world, "safety_a"), plan_id=plan.pk, department_id=world.emergency_y.pk
        )
    assert "department_id" in err.value.errors


def test_given_a_township_department_when_submitting_then_refused_below_county(world):
    town = Department.objects.create(division=world.town_x, kind="emergency", name="东镇应急办")
    plan = issued(world)
    with pytest.raises(ValidationFailed):
        ps.plan_submit(actor=actor(world, "safety_a"), plan_id=plan.pk, department_id=town.pk)


def test_given_a_draft_when_submitted_then_conflict(world):
    plan = draft(world)
    with pytest.raises(Conflict):
        ps.plan_submit(actor=actor(world, "safety_a"), plan_id=plan.pk)


@pytest.mark.parametrize("name", ["employee_a", "coordinator_x", "officer_emergency_x"])
def test_given_an_issued_plan_when_someone_not_of_the_unit_submits_then_forbidden(world, name):
    plan = issued(world)
    with pytest.raises(Forbidden):
        ps.plan_submit(actor=actor(world, name), plan_id=plan.pk)


# --- file and return ------------------------------------------------------------------------


def test_given_a_submitted_plan_when_the_department_files_then_filed_and_the_unit_told(world):
    plan = submitted(world)
    done = ps.plan_file(
        actor=actor(world, "officer_emergency_x"), plan_id=plan.pk, filing_number="东应急备1号"
    )
    assert done.state == wf.FILED and done.filing_number == "东应急备1号"
    assert done.filed_by == world.user("officer_emergency_x") and not done.deemed_filed
    told = set(
        Notification.objects.filter(kind="decision").values_list("recipient__username", flat=True)
    )
    assert told == {"principal_a", "safety_a"}


def test_given_a_submitted_plan_when_the_coordinator_of_the_division_files_then_filed(world):
    plan = submitted(world)
    done = ps.plan_file(actor=actor(world, "coordinator_x"), plan_id=plan.pk, filing_number="N1")
    assert done.state == wf.FILED


def test_given_no_filing_number_when_filing_then_refused(world):
    plan = submitted(world)
    with pytest.raises(ValidationFailed) as err:
        ps.plan_file(actor=actor(world, "officer_emergency_x"), plan_id=plan.pk, filing_number="  ")
    assert "filing_number" in err.value.errors


@pytest.mark.parametrize("name", ["principal_a", "safety_a", "grid_x1", "expert_x"])
def test_given_a_submitted_plan_when_someone_not_the_filer_files_then_forbidden(world, name):
    plan = submitted(world)
    with pytest.raises(Forbidden):
        ps.plan_file(actor=actor(world, name), plan_id=plan.pk, filing_number="N")
    with pytest.raises(Forbidden):
        ps.plan_return(actor=actor(world, name), plan_id=plan.pk, missing="评审纪要")


@pytest.mark.parametrize("name", ["officer_housing_x", "coordinator_y", "principal_c", "outsider"])
def test_given_a_submitted_plan_when_someone_out_of_scope_files_then_not_found(world, name):
    plan = submitted(world)
    with pytest.raises(NotFound):
        ps.plan_file(actor=actor(world, name), plan_id=plan.pk, filing_number="N")


def test_given_a_submitted_plan_when_returned_then_the_unit_resubmits_and_it_is_filed(world):
    plan = submitted(world)
    back = ps.plan_return(
        actor=actor(world, "officer_emergency_x"),
        plan_id=plan.pk,
        missing="缺少评审纪要；缺少风险评估报告",
    )
    assert back.state == wf.RETURNED and "评审纪要" in back.returned_reason
    note = Notification.objects.get(recipient=world.user("principal_a"))
    assert "评审纪要" in note.body
    again = ps.plan_submit(actor=actor(world, "safety_a"), plan_id=plan.pk)
    assert again.state == wf.SUBMITTED and again.returned_reason == ""
    assert again.filing_department == world.emergency_x
    done = ps.plan_file(
        actor=actor(world, "officer_emergency_x"), plan_id=plan.pk, filing_number="N2"
    )
    assert done.state == wf.FILED
    assert _events(plan) == [wf.CREATE, wf.SIGN, wf.SUBMIT, wf.RETURN, wf.SUBMIT, wf.FILE]


def test_given_a_return_without_the_missing_materials_then_refused(world):
    plan = submitted(world)
    with pytest.raises(ValidationFailed):
        ps.plan_return(actor=actor(world, "officer_emergency_x"), plan_id=plan.pk, missing="")


@pytest.mark.parametrize("make", [draft, issued, filed])
def test_given_a_plan_not_submitted_when_filed_or_returned_then_conflict(world, make):
    plan = make(world)
    with pytest.raises((Conflict, Forbidden)):
        ps.plan_file(actor=actor(world, "officer_emergency_x"), plan_id=plan.pk, filing_number="N")
    with pytest.raises((Conflict, Forbidden)):
        ps.plan_return(actor=actor(world, "officer_emergency_x"), plan_id=plan.pk, missing="x")


def test_given_a_filed_plan_when_submitted_or_signed_again_then_conflict(world):
    plan = filed(world)
    with pytest.raises(Conflict):
        ps.plan_submit(actor=actor(world, "safety_a"), plan_id=plan.pk)
    with pytest.raises(Conflict):
        ps.plan_sign(actor=actor(world, "principal_a"), plan_id=plan.pk)


def test_given_a_plan_of_an_enterprise_the_department_does_not_supervise_then_it_sees_it_once_submitted(
    world,
):
    # build_b is supervised by housing; a plan filed with the emergency department is
    # still that department's to check (第二十六条), through SCOPE_DEPARTMENT_PATH.
    from anjian.accounts.models import Role, User

    principal_b = User.objects.create_user(
        username="principal_b",
        password="x-123456789",
        role=Role.ENTERPRISE_PRINCIPAL,
        enterprise=world.build_b,
    )
    plan = ps.plan_create(
        actor=actor_for(principal_b), values={"kind": "comprehensive", "title": "乙建筑综合预案"}
    )
    officer = world.user("officer_emergency_x")
    assert not ps.visible_plans(officer).filter(pk=plan.pk).exists()
    ps.plan_sign(actor=actor_for(principal_b), plan_id=plan.pk)
    ps.plan_submit(actor=actor_for(principal_b), plan_id=plan.pk)
    assert ps.visible_plans(officer).filter(pk=plan.pk).exists()
    done = ps.plan_file(
        actor=actor(world, "officer_emergency_x"), plan_id=plan.pk, filing_number="N"
    )
    assert done.state == wf.FILED


def actor_for(user):
    from anjian.core.audit import Actor

    return Actor.for_user(user, "web")


# --- revision and evaluation ----------------------------------------------------------------


def test_given_a_filed_plan_when_revised_and_signed_then_the_old_is_superseded_and_triggers_answered(
    world,
):
    old = filed(world)
    ps.plan_update  # noqa: B018 - (the new draft is edited like any draft)
    trigger = ps.revision_trigger_raise(
        actor=actor(world, "coordinator_x"), plan_id=old.pk, reason="law"
    )
    new = ps.plan_revise(actor=actor(world, "safety_a"), plan_id=old.pk)
    assert (new.version, new.previous_id, new.series, new.state) == (
        2,
        old.pk,
        old.series,
        wf.DRAFT,
    )
    assert new.title == old.title and new.filing_department_id is None
    assert Plan.objects.get(pk=old.pk).state == wf.FILED  # in force until the new one is signed
    with pytest.raises(Conflict):
        ps.plan_revise(actor=actor(world, "safety_a"), plan_id=old.pk)
    ps.plan_sign(actor=actor(world, "principal_a"), plan_id=new.pk)
    assert Plan.objects.get(pk=old.pk).state == wf.SUPERSEDED
    assert RevisionTrigger.objects.get(pk=trigger.pk).resolved_by_id == new.pk
    assert wf.SUPERSEDE in _events(old)
    assert [p.version for p in ps.versions(new)] == [2, 1]


def test_given_a_draft_or_superseded_plan_when_revised_then_conflict(world):
    plan = draft(world)
    with pytest.raises(Conflict):
        ps.plan_revise(actor=actor(world, "safety_a"), plan_id=plan.pk)
    old = issued(world)
    new = ps.plan_revise(actor=actor(world, "safety_a"), plan_id=old.pk)
    ps.plan_sign(actor=actor(world, "principal_a"), plan_id=new.pk)
    for step in (
        lambda: ps.plan_revise(actor=actor(world, "safety_a"), plan_id=old.pk),
        lambda: ps.plan_submit(actor=actor(world, "safety_a"), plan_id=old.pk),
        lambda: ps.plan_evaluate(actor=actor(world, "safety_a"), plan_id=old.pk),
    ):
        with pytest.raises(Conflict):
            step()
    # A trigger on the old version (a drill of it) counts for the series.
    late = ps.revision_trigger_raise(actor=actor(world, "safety_a"), plan_id=old.pk, reason="drill")
    assert list(ps.open_triggers(new)) == [late]


def test_given_a_plan_when_a_regulator_revises_then_forbidden(world):
    plan = filed(world)
    with pytest.raises(Forbidden):
        ps.plan_revise(actor=actor(world, "officer_emergency_x"), plan_id=plan.pk)


def test_given_a_filed_plan_when_evaluated_then_the_next_due_in_three_years_and_a_trigger(world):
    plan = filed(world)
    today = timezone.localdate()
    done = ps.plan_evaluate(
        actor=actor(world, "safety_a"),
        plan_id=plan.pk,
        conclusion="组织机构调整",
        needs_revision=True,
    )
    assert done.evaluated_on == today and done.evaluation_due == rules.evaluation_due(today)
    assert RevisionTrigger.objects.filter(plan=plan, reason="evaluation", resolved_by=None).exists()


def test_given_a_draft_when_evaluated_then_conflict_and_a_regulator_forbidden(world):
    with pytest.raises(Conflict):
        ps.plan_evaluate(actor=actor(world, "safety_a"), plan_id=draft(world).pk)
    plan = Plan.objects.get(pk=issued(world).pk)
    with pytest.raises(Forbidden):
        ps.plan_evaluate(actor=actor(world, "coordinator_x"), plan_id=plan.pk)


# --- the deemed filing job ------------------------------------------------------------------


def test_given_a_submitted_plan_past_its_check_when_the_job_runs_twice_then_filed_once(world):
    plan = submitted(world)
    Plan.objects.filter(pk=plan.pk).update(check_due=dt.date(2025, 10, 14))
    assert ps.plans_deem_filed(today=dt.date(2025, 10, 14)) == 0  # the last day is in time
    assert ps.plans_deem_filed(today=dt.date(2025, 10, 15)) == 1
    assert ps.plans_deem_filed(today=dt.date(2025, 10, 15)) == 0
    plan.refresh_from_db()
    assert plan.state == wf.FILED and plan.deemed_filed and plan.filed_on == dt.date(2025, 10, 15)
    assert _events(plan).count(wf.DEEM_FILED) == 1
    assert AuditEntry.objects.filter(action="emergency_plan_deem_filed").count() == 1


def test_given_plans_not_submitted_or_in_time_when_the_job_runs_then_nothing_moves(world):
    issued(world)
    plan = submitted(world)
    assert ps.plans_deem_filed(today=plan.check_due) == 0
    assert Plan.objects.get(pk=plan.pk).state == wf.SUBMITTED


# --- reading --------------------------------------------------------------------------------


def test_given_plans_when_reading_the_desk_then_overdue_lists_and_scope(world):
    late = issued(world)
    Plan.objects.filter(pk=late.pk).update(
        filing_due=dt.date(2025, 1, 1), evaluation_due=dt.date(2025, 1, 1)
    )
    waiting = submitted(world)
    ps.revision_trigger_raise(actor=actor(world, "safety_a"), plan_id=waiting.pk, reason="risk")
    desk = ps.filing_desk(world.user("officer_emergency_x"))
    assert [p.pk for p in desk.awaiting] == [waiting.pk]
    assert [p.pk for p in desk.filing_overdue] == [late.pk]
    assert [p.pk for p in desk.evaluation_overdue] == [late.pk]
    assert [p.pk for p in desk.with_triggers] == [waiting.pk]
    other = ps.filing_desk(world.user("coordinator_y"))
    assert not (
        other.awaiting or other.filing_overdue or other.evaluation_overdue or other.with_triggers
    )
    with pytest.raises(Forbidden):
        ps.filing_desk(world.user("principal_a"))
    with pytest.raises(Forbidden):
        ps.filing_desk(world.user("outsider"))


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("principal_a", True),
        ("employee_a", True),
        ("coordinator_x", True),
        ("officer_emergency_x", True),
        ("grid_x1", True),
        ("officer_housing_x", False),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
    ],
)
def test_given_a_plan_when_each_persona_lists_then_only_those_in_scope_see_it(world, name, sees):
    plan = draft(world)
    assert ps.visible_plans(world.user(name)).filter(pk=plan.pk).exists() is sees


def test_given_the_filters_when_searching_then_state_kind_and_overdue_apply(world):
    a = issued(world)
    Plan.objects.filter(pk=a.pk).update(filing_due=dt.date(2025, 1, 1))
    b = draft(world, kind="special", title="火灾专项")
    user = world.user("coordinator_x")
    assert [p.pk for p in ps.search_plans(user, {"state": "issued"})] == [a.pk]
    assert [p.pk for p in ps.search_plans(user, {"kind": "special"})] == [b.pk]
    assert [p.pk for p in ps.search_plans(user, {"overdue": "filing"})] == [a.pk]
    assert {p.pk for p in ps.search_plans(user, {"enterprise": str(world.chem_a.pk)})} == {
        a.pk,
        b.pk,
    }


def test_given_risk_units_and_installations_when_linking_then_only_the_plans_own(world):
    from tests.commitments.helpers import installation, risk_unit

    own_unit, own_inst = risk_unit(world.chem_a), installation(world.chem_a)
    other_unit = risk_unit(world.chem_c, "丙车间")
    plan = draft(world, risk_unit_ids=[own_unit.pk], installation_ids=[own_inst.pk])
    assert list(plan.risk_units.all()) == [own_unit]
    assert list(plan.installations.all()) == [own_inst]
    with pytest.raises(ValidationFailed) as err:
        draft(world, risk_unit_ids=[own_unit.pk, other_unit.pk])
    assert "risk_unit_ids" in err.value.errors
    new = ps.plan_revise(actor=actor(world, "safety_a"), plan_id=issued_with(world, plan).pk)
    assert list(new.risk_units.all()) == [own_unit]


def issued_with(world, plan):
    return ps.plan_sign(actor=actor(world, "principal_a"), plan_id=plan.pk)
