"""diagnosis_record: who may record (and as what), scope, field errors, the append-only
history, the diagnosis that counts for supervision, and the audit entry."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.core.audit import audit_verify
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.diagnosis import services
from anjian.diagnosis.models import AppendOnly, Diagnosis, DiagnosisState
from tests.diagnosis.conftest import actor, deductions_for, today

OFFICIAL = {"coordinator_x", "grid_x1", "expert_x", "officer_emergency_x"}
SELF = {"principal_a", "safety_a"}


def record(world, persona, enterprise=None, score="72.5", **extra) -> Diagnosis:
    data = {
        "diagnosed_on": today(),
        "deductions": deductions_for(score),
        "direct_red": [],
        "notes": "",
    }
    data.update(extra)
    return services.diagnosis_record(
        actor=actor(world, persona), enterprise=enterprise or world.chem_a, **data
    )


@pytest.mark.parametrize("persona", sorted(OFFICIAL | SELF))
def test_given_a_recorder_of_chem_a_when_recording_then_kept_and_marked(world, persona):
    diagnosis = record(world, persona)
    assert diagnosis.self_assessment is (persona in SELF)
    assert (diagnosis.score_text, diagnosis.colour) == ("72.5", "orange")
    assert diagnosis.assessor == world.user(persona)
    assert diagnosis.assessor_role == world.user(persona).role
    assert diagnosis.guide == "guide2018" and diagnosis.guide_version


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("outsider", NotFound),
        ("coordinator_y", NotFound),  # other county
        ("principal_c", NotFound),  # another enterprise's principal
        ("officer_housing_x", NotFound),  # does not supervise chem_a
        ("security_admin", NotFound),
        ("audit_admin", NotFound),
        ("employee_a", Forbidden),
        ("platform_admin", Forbidden),
    ],
)
def test_given_someone_who_may_not_record_when_recording_then_refused_nothing_kept(
    world, persona, error
):
    entries = AuditEntry.objects.count()
    with pytest.raises(error):
        record(world, persona)
    assert not Diagnosis.objects.exists() and not DiagnosisState.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_given_a_cooperating_department_when_recording_then_forbidden(world):
    from anjian.registry.models import DutyAssignment

    DutyAssignment.objects.update_or_create(
        enterprise=world.build_b,
        department=world.emergency_x,
        defaults={"role": "cooperating", "source": "override"},
    )
    with pytest.raises(Forbidden):
        record(world, "officer_emergency_x", enterprise=world.build_b)


def test_given_a_refused_actor_when_the_body_is_bad_too_then_scope_answers_first(world):
    with pytest.raises(NotFound):
        record(world, "coordinator_y", deductions={"major_hazard": "x"})


def test_given_every_kind_of_bad_field_when_recording_then_each_named_at_once(world):
    with pytest.raises(ValidationFailed) as refused:
        record(
            world,
            "expert_x",
            diagnosed_on="2999-01-01",
            deductions={"major_hazard": "11", "equipment": "-1", "personnel": "很多", "x": 1},
            direct_red=["nope"],
            notes="a\x00b",
        )
    errors = refused.value.errors
    assert set(errors) == {
        "diagnosed_on",
        "deductions.major_hazard",
        "deductions.equipment",
        "deductions.personnel",
        "deductions.x",
        "direct_red",
        "notes",
    }
    assert not Diagnosis.objects.exists()


def test_given_a_missing_or_malformed_date_when_recording_then_refused_on_the_date(world):
    for bad in ("", None, "31/12/2024", "2024-02-30"):
        with pytest.raises(ValidationFailed) as refused:
            record(world, "expert_x", diagnosed_on=bad)
        assert set(refused.value.errors) == {"diagnosed_on"}


def test_given_a_recording_then_one_audit_entry_with_the_facts_and_the_chain_holds(world):
    diagnosis = record(world, "expert_x", score="59.99", direct_red=["undesigned_unit"])
    entry = AuditEntry.objects.get(action="diagnose")
    assert entry.object_type == "diagnosis.diagnosis" and entry.object_id == str(diagnosis.pk)
    assert entry.actor_label == "expert_x"
    assert entry.changes["score"] == "59.99" and entry.changes["colour"] == "red"
    assert entry.changes["direct_red"] == ["undesigned_unit"]
    assert entry.changes["kind"] == "official" and entry.changes["counts_for_supervision"]
    assert audit_verify().ok


def test_given_two_diagnoses_when_recorded_then_history_kept_and_the_latest_counts(world):
    first = record(world, "expert_x", score="92")
    second = record(world, "coordinator_x", score="61")
    assert list(Diagnosis.objects.filter(enterprise=world.chem_a)) == [second, first]
    assert second.supersedes == first
    state = DiagnosisState.objects.get(enterprise=world.chem_a)
    assert (state.current, state.colour) == (second, "orange")
    first.refresh_from_db()
    assert (first.score_text, first.colour) == ("92", "blue")  # never edited


def test_given_a_diagnosis_when_saved_or_deleted_again_then_refused(world):
    diagnosis = record(world, "expert_x")
    diagnosis.notes = "changed"
    with pytest.raises(AppendOnly):
        diagnosis.save()
    with pytest.raises(AppendOnly):
        diagnosis.delete()


def test_given_a_self_assessment_then_an_official_one_then_a_newer_self_one_the_official_counts(
    world,
):
    own = record(world, "safety_a", score="95")
    assert DiagnosisState.objects.get(enterprise=world.chem_a).current == own
    official = record(world, "expert_x", score="70", diagnosed_on=today() - dt.timedelta(days=5))
    assert DiagnosisState.objects.get(enterprise=world.chem_a).current == official
    newer_own = record(world, "principal_a", score="99")
    state = DiagnosisState.objects.get(enterprise=world.chem_a)
    assert (state.current, state.colour) == (official, "orange")
    assert newer_own.supersedes == official
    entry = AuditEntry.objects.filter(action="diagnose").order_by("-seq").first()
    assert entry.changes["counts_for_supervision"] is False
    assert entry.changes["supervision_colour"] == "orange"


def test_given_a_backdated_official_diagnosis_then_the_later_dated_one_still_counts(world):
    recent = record(world, "expert_x", score="80", diagnosed_on=today())
    record(world, "coordinator_x", score="50", diagnosed_on=today() - dt.timedelta(days=400))
    assert DiagnosisState.objects.get(enterprise=world.chem_a).current == recent


def test_given_many_enterprises_when_reading_current_then_one_query(
    world, django_assert_num_queries
):
    a = record(world, "expert_x", enterprise=world.chem_a, score="50")
    b = record(world, "expert_x", enterprise=world.build_b, score="95")
    with django_assert_num_queries(1):
        found = services.current_diagnoses([world.chem_a.pk, world.build_b.pk, world.ess_d.pk])
    assert found == {world.chem_a.pk: a, world.build_b.pk: b}
