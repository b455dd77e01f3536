import threading

import pytest
from django.conf import settings
from django.db import connection

from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.registry import services
from anjian.registry.models import (
    DutyAssignment,
    DutyDispute,
    DutyRole,
    Enterprise,
    Industry,
)
from tests.world import build_world, make_uscc


def actor(world, name):
    return Actor.for_user(world.user(name), "web")


def valid_data(world, **over):
    data = {
        "name": "东县新建化工有限公司",
        "uscc": make_uscc(99),
        "division_id": world.grid_x1.pk,
        "address": "东镇工业园1号",
        "industry_id": Industry.objects.get(code="HR-HAZCHEM").pk,
        "scale": "small",
        "employees": 20,
        "legal_representative": "王五",
        "principal": "赵六",
    }
    data.update(over)
    return data


def counts():
    return Enterprise.objects.count(), DutyAssignment.objects.count(), AuditEntry.objects.count()


def test_given_valid_data_when_coordinator_creates_then_duties_derived_and_audited(world):
    ent = services.enterprise_create(actor=actor(world, "coordinator_x"), data=valid_data(world))
    lead = ent.duties.get(role=DutyRole.LEAD)
    assert lead.department == world.emergency_x
    entry = AuditEntry.objects.get(object_type="registry.enterprise", object_id=str(ent.pk))
    assert entry.action == "create" and entry.actor_label == "coordinator_x"


def test_given_many_problems_when_creating_then_every_field_is_reported_and_nothing_written(world):
    before = counts()
    data = valid_data(
        world, uscc="91350100M000100Y44", name="  ", employees=-1, longitude="200", scale="huge"
    )
    del data["principal"]
    with pytest.raises(ValidationFailed) as err:
        services.enterprise_create(actor=actor(world, "coordinator_x"), data=data)
    assert set(err.value.errors) == {"uscc", "name", "employees", "longitude", "scale", "principal"}
    assert "校验位" in err.value.errors["uscc"][0]
    assert counts() == before


def test_given_division_of_other_county_when_creating_then_refused_on_division(world):
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        services.enterprise_create(
            actor=actor(world, "coordinator_x"),
            data=valid_data(world, division_id=world.grid_y1.pk),
        )
    assert list(err.value.errors) == ["division_id"]
    assert counts() == before


def test_given_unknown_division_or_county_level_when_creating_then_clear_error(world):
    for division_id in (987654, world.county_x.pk):
        with pytest.raises(ValidationFailed) as err:
            services.enterprise_create(
                actor=actor(world, "coordinator_x"), data=valid_data(world, division_id=division_id)
            )
        assert "division_id" in err.value.errors


def test_given_duplicate_code_when_creating_then_refused_and_nothing_written(world):
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        services.enterprise_create(
            actor=actor(world, "coordinator_x"), data=valid_data(world, uscc=world.chem_a.uscc)
        )
    assert "uscc" in err.value.errors
    assert counts() == before


@pytest.mark.parametrize(
    "persona",
    ["expert_x", "principal_a", "employee_a", "security_admin", "audit_admin", "outsider"],
)
def test_given_read_only_role_when_creating_then_forbidden(world, persona):
    with pytest.raises(Forbidden):
        services.enterprise_create(actor=actor(world, persona), data=valid_data(world))


def test_given_out_of_scope_enterprise_when_updating_then_not_found(world):
    with pytest.raises(NotFound):
        services.enterprise_update(
            actor=actor(world, "coordinator_x"), enterprise_id=world.chem_c.pk, data={"name": "x"}
        )


def test_given_cooperating_department_when_updating_then_forbidden(world):
    # 消防 cooperates on chem_a but only the lead (应急) edits the record.
    fire = world.users["officer_emergency_x"]
    fire.department = world.fire_x
    fire.save()
    with pytest.raises(Forbidden):
        services.enterprise_update(
            actor=actor(world, "officer_emergency_x"),
            enterprise_id=world.chem_a.pk,
            data={"employees": 3},
        )


def test_given_stale_version_when_updating_then_conflict_and_unchanged(world):
    a = actor(world, "coordinator_x")
    services.enterprise_update(
        actor=a, enterprise_id=world.chem_a.pk, data={"employees": 60}, expected_version=1
    )
    with pytest.raises(Conflict):
        services.enterprise_update(
            actor=a, enterprise_id=world.chem_a.pk, data={"employees": 70}, expected_version=1
        )
    assert Enterprise.objects.get(pk=world.chem_a.pk).employees == 60


def test_given_industry_change_when_updating_then_duties_rederived_and_diff_audited(world):
    services.enterprise_update(
        actor=actor(world, "coordinator_x"),
        enterprise_id=world.ess_d.pk,
        data={"industry_id": Industry.objects.get(code="HR-CONSTR").pk},
    )
    assert world.ess_d.duties.get(role="lead").department == world.housing_x
    entry = AuditEntry.objects.filter(action="change").latest("seq")
    assert list(entry.changes) == ["industry_id"]


def test_given_override_when_applied_then_kept_over_rule_rederivation(world):
    a = actor(world, "coordinator_x")
    services.duty_override(
        actor=a,
        enterprise_id=world.ess_d.pk,
        lead_department_id=world.emergency_x.pk,
        reason="县政府会议纪要",
    )
    services.enterprise_update(
        actor=a, enterprise_id=world.ess_d.pk, data={"division_id": world.grid_x2.pk}
    )
    lead = world.ess_d.duties.get(role="lead")
    assert lead.department == world.emergency_x and lead.source == "override"


def test_given_override_without_reason_or_by_officer_when_applied_then_refused(world):
    with pytest.raises(ValidationFailed):
        services.duty_override(
            actor=actor(world, "coordinator_x"),
            enterprise_id=world.ess_d.pk,
            lead_department_id=world.emergency_x.pk,
            reason=" ",
        )
    with pytest.raises(Forbidden):
        services.duty_override(
            actor=actor(world, "officer_emergency_x"),
            enterprise_id=world.chem_a.pk,
            lead_department_id=world.housing_x.pk,
            reason="x",
        )


# --- duty disputes: every allowed and refused transition ---------------------------------


def raise_dispute(world, **over):
    kwargs = {
        "kind": "claim_gap",
        "reason": "储能电站无人牵头",
        "industry_id": Industry.objects.get(code="NB-ESS").pk,
        "proposed_department_id": world.emergency_x.pk,
    }
    kwargs.update(over)
    return services.dispute_raise(actor=actor(world, "officer_housing_x"), **kwargs)


def test_given_business_type_dispute_when_decided_then_rule_added_and_gap_closed(world):
    dispute = raise_dispute(world)
    services.dispute_decide(
        actor=actor(world, "coordinator_x"),
        dispute_id=dispute.pk,
        decided_lead_id=world.emergency_x.pk,
        decision="应急局牵头",
    )
    dispute.refresh_from_db()
    assert dispute.status == "decided" and dispute.decided_on is not None
    assert dispute.decision == "应急局牵头"
    assert world.ess_d.duties.get(role="lead").department == world.emergency_x


def test_given_enterprise_dispute_when_decided_then_enterprise_overridden(world):
    dispute = raise_dispute(world, industry_id=None, enterprise_id=world.build_b.pk, kind="refuse")
    services.dispute_decide(
        actor=actor(world, "coordinator_x"),
        dispute_id=dispute.pk,
        decided_lead_id=world.emergency_x.pk,
        decision="改由应急局牵头",
    )
    lead = world.build_b.duties.get(role="lead")
    assert lead.department == world.emergency_x and lead.source == "decision"


@pytest.mark.parametrize("persona", ["officer_housing_x", "grid_x1", "expert_x", "principal_a"])
def test_given_non_coordinator_when_deciding_then_forbidden_or_hidden(world, persona):
    dispute = raise_dispute(world)
    with pytest.raises((Forbidden, NotFound)):
        services.dispute_decide(
            actor=actor(world, persona),
            dispute_id=dispute.pk,
            decided_lead_id=world.emergency_x.pk,
            decision="x",
        )
    assert DutyDispute.objects.get(pk=dispute.pk).status == "open"


def test_given_decided_dispute_when_decided_or_withdrawn_again_then_conflict(world):
    dispute = raise_dispute(world)
    coordinator = actor(world, "coordinator_x")
    services.dispute_decide(
        actor=coordinator, dispute_id=dispute.pk, decided_lead_id=world.emergency_x.pk, decision="x"
    )
    with pytest.raises(Conflict):
        services.dispute_decide(
            actor=coordinator,
            dispute_id=dispute.pk,
            decided_lead_id=world.housing_x.pk,
            decision="y",
        )
    with pytest.raises(Conflict):
        services.dispute_withdraw(actor=actor(world, "officer_housing_x"), dispute_id=dispute.pk)


def test_given_open_dispute_when_raiser_withdraws_then_withdrawn_and_others_cannot(world):
    dispute = raise_dispute(world)
    with pytest.raises((Forbidden, NotFound)):
        services.dispute_withdraw(actor=actor(world, "coordinator_x"), dispute_id=dispute.pk)
    services.dispute_withdraw(actor=actor(world, "officer_housing_x"), dispute_id=dispute.pk)
    assert DutyDispute.objects.get(pk=dispute.pk).status == "withdrawn"
    with pytest.raises(Conflict):
        services.dispute_decide(
            actor=actor(world, "coordinator_x"),
            dispute_id=dispute.pk,
            decided_lead_id=world.emergency_x.pk,
            decision="x",
        )


def test_given_dispute_of_other_county_when_coordinator_decides_then_not_found(world):
    dispute = raise_dispute(world)
    with pytest.raises(NotFound):
        services.dispute_decide(
            actor=actor(world, "coordinator_y"),
            dispute_id=dispute.pk,
            decided_lead_id=world.emergency_y.pk,
            decision="x",
        )


def test_given_dispute_without_subject_or_reason_when_raised_then_every_error(world):
    with pytest.raises(ValidationFailed) as err:
        services.dispute_raise(actor=actor(world, "officer_housing_x"), kind="nonsense", reason="")
    assert {"kind", "reason", "enterprise_id"} <= set(err.value.errors)


# --- concurrency: two people saving one record at once ------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)
@pytest.mark.django_db(transaction=True)
def test_given_two_concurrent_updates_with_same_version_when_saved_then_exactly_one_wins():
    assert connection.vendor == "postgresql"
    world = build_world()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.enterprise_update(
                actor=Actor.for_user(world.user("coordinator_x"), "web"),
                enterprise_id=world.chem_a.pk,
                data={"employees": 100 + n},
                expected_version=1,
            )
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    assert Enterprise.objects.get(pk=world.chem_a.pk).version == 2
