import pytest
from django.db import transaction

from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.risks import services
from anjian.risks.models import (
    Assessment,
    CheckTask,
    ReassessmentProposal,
    RiskState,
    RiskUnit,
    SafetyCode,
)


def actor(world, name):
    return Actor.for_user(world.user(name), "web")


@pytest.fixture
def unit(world):
    a = actor(world, "safety_a")
    obj = services.risk_object_create(
        actor=a, enterprise_id=world.chem_a.pk, kind="area", name="罐区"
    )
    return services.risk_unit_create(
        actor=a,
        enterprise_id=world.chem_a.pk,
        data={
            "name": "1号储罐区",
            "risk_object_id": obj.pk,
            "responsible_department": "储运车间",
            "responsible_person": "王工",
            "control_level": "workshop",
            "hazard_factors": ["combustible_dust"],
        },
    )


def test_given_unit_when_assessed_by_lec_then_colour_profile_and_code(
    world, unit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = services.risk_unit_assess(
            actor=actor(world, "safety_a"),
            unit_id=unit.pk,
            method="lec",
            inputs={"L": 3, "E": 6, "C": 7},
        )
    assert (assessment.score, assessment.colour, assessment.profile) == (
        "126",
        "yellow",
        "lec-5class-db",
    )
    unit.refresh_from_db()
    assert unit.colour == "yellow"
    state = RiskState.objects.get(enterprise=world.chem_a)
    assert state.highest_colour == "yellow" and state.code is not None
    terms = {t["key"]: t for t in state.code.terms}
    assert terms["highest_unit_colour"]["points"] == 10
    assert terms["accidents"]["tracked"] is False
    assert audit_verify().ok


def test_given_dust_unit_when_hot_work_added_then_raised_one_level_and_proposed(world, unit):
    a = actor(world, "safety_a")
    services.risk_unit_assess(
        actor=a, unit_id=unit.pk, method="lec", inputs={"L": 3, "E": 6, "C": 7}
    )
    services.risk_unit_update(
        actor=a, unit_id=unit.pk, data={"hazard_factors": ["combustible_dust", "hot_work"]}
    )
    unit.refresh_from_db()
    assert (unit.inherent_colour, unit.colour) == ("yellow", "orange")
    assert "粉尘+动火" in unit.coupling_note
    proposal = ReassessmentProposal.objects.get(unit=unit, resolved_at__isnull=True)
    services.risk_unit_assess(actor=a, unit_id=unit.pk, method="ls", inputs={"L": 3, "S": 3})
    proposal.refresh_from_db()
    assert proposal.resolved_at is not None


def test_given_bad_factor_value_when_assessed_then_field_error_and_nothing_written(world, unit):
    with pytest.raises(ValidationFailed) as err:
        services.risk_unit_assess(
            actor=actor(world, "safety_a"),
            unit_id=unit.pk,
            method="lec",
            inputs={"L": 4, "E": 6, "C": 7},
        )
    assert "L" in err.value.errors and "10, 6, 3" in err.value.errors["L"][0]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator_x", "officer_emergency_x", "employee_a"])
def test_given_regulator_or_employee_when_assessing_then_forbidden(world, unit, persona):
    with pytest.raises(Forbidden):
        services.risk_unit_assess(
            actor=actor(world, persona),
            unit_id=unit.pk,
            method="lec",
            inputs={"L": 3, "E": 6, "C": 7},
        )


@pytest.mark.parametrize("persona", ["principal_c", "coordinator_y", "outsider"])
def test_given_outsider_when_assessing_then_not_found(world, unit, persona):
    with pytest.raises(NotFound):
        services.risk_unit_assess(
            actor=actor(world, persona),
            unit_id=unit.pk,
            method="lec",
            inputs={"L": 3, "E": 6, "C": 7},
        )


def test_given_measure_when_added_then_check_task_with_cycle(world, unit):
    a = actor(world, "safety_a")
    event = services.risk_event_create(actor=a, unit_id=unit.pk, name="储罐泄漏火灾")
    measure = services.control_measure_create(
        actor=a,
        event_id=event.pk,
        data={
            "description": "设置可燃气体检测报警",
            "classification": "engineering",
            "check_content": "检查可燃气体报警器是否完好",
            "cycle": 1,
            "cycle_unit": "day",
            "responsible_person": "李班长",
        },
    )
    task = CheckTask.objects.get(measure=measure)
    assert (task.cycle, task.cycle_unit, task.responsible_person) == (1, "day", "李班长")


def test_given_acceptance_example_when_installation_saved_then_major_graded_and_guarantors(world):
    installation = services.installation_save(
        actor=actor(world, "safety_a"),
        enterprise_id=world.chem_a.pk,
        data={
            "name": "液氨液氯储存区",
            "unit_kind": "storage",
            "people_500m": 0,
            "principal_person": "张总",
            "technical_person": "李工",
            "operational_person": "赵班长",
            "substances": [
                {"substance": "液氨", "quantity": "7"},
                {"substance": "液氯", "quantity": "1"},
                {"substance": "氢气", "quantity": "0.5"},
            ],
        },
    )
    assert (installation.total, installation.is_major, installation.grade) == ("1", True, 4)
    assert installation.tasks.count() == 3
    assert installation.reassess_by.year == installation.assessed_on.year + 3


def test_given_unknown_substance_without_q_when_saved_then_clear_error(world):
    with pytest.raises(ValidationFailed) as err:
        services.installation_save(
            actor=actor(world, "safety_a"),
            enterprise_id=world.chem_a.pk,
            data={
                "name": "x",
                "unit_kind": "storage",
                "people_500m": 0,
                "principal_person": "a",
                "technical_person": "b",
                "operational_person": "c",
                "substances": [{"substance": "神秘物质", "quantity": "-1"}],
            },
        )
    assert "substances" in err.value.errors


def test_given_all_enterprises_when_recomputed_twice_then_idempotent(world):
    first = services.safety_codes_recompute_all()
    assert first == {"enterprises": 4, "changed": 4}
    assert services.safety_codes_recompute_all() == {"enterprises": 4, "changed": 0}
    assert SafetyCode.objects.count() == 4
    # No unit assessed anywhere: "not assessed" points make everyone blue (15 < 25).
    assert set(RiskState.objects.values_list("code_colour", flat=True)) == {"blue"}


def test_given_area_points_when_set_then_validated(world, unit):
    with pytest.raises(ValidationFailed):
        services.unit_area_set(
            actor=actor(world, "safety_a"), unit_id=unit.pk, points=[[0, 0], [2, 0], [1, 1]]
        )
    services.unit_area_set(
        actor=actor(world, "safety_a"), unit_id=unit.pk, points=[[0.1, 0.1], [0.5, 0.1], [0.5, 0.4]]
    )
    assert RiskUnit.objects.get(pk=unit.pk).area == [[0.1, 0.1], [0.5, 0.1], [0.5, 0.4]]


def test_given_many_changes_in_one_transaction_when_committed_then_one_code_recompute(
    world, unit, django_capture_on_commit_callbacks
):
    a = actor(world, "safety_a")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for inputs in ({"L": 3, "E": 6, "C": 7}, {"L": 6, "E": 6, "C": 15}):
            services.risk_unit_assess(actor=a, unit_id=unit.pk, method="lec", inputs=inputs)
    assert len(callbacks) == 1
    assert RiskState.objects.get(enterprise=world.chem_a).highest_colour == "red"


def test_given_open_major_hazard_when_code_recomputed_then_red_and_term_counted(world):
    from tests.hazards.helpers import MAJOR_ITEM, report

    report(world, major_item=MAJOR_ITEM)
    state = services.safety_code_recompute(enterprise_id=world.chem_a.pk, trigger="test")
    terms = {t["key"]: t for t in state.code.terms}
    assert terms["open_major_hazards"]["tracked"] is True
    assert terms["open_major_hazards"]["value"] == "1"
    assert terms["open_hazards"]["value"] == "1"
    assert state.code.colour == "red" and "直接判红" in state.code.reason
