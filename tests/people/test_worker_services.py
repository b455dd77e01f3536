"""Workers, trainings and certificates through the services: the keepers write, the id
number is checked and never logged whole, regulators read, another county and an
outsider see nothing, every refusal a clear error."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.people import training_services as ts
from anjian.people import worker_services as ws
from anjian.people.models import Certificate, TrainingRecord, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ID_A = "330101198506151231"
ID_B = "33010119850615124X"


def act(world, name):
    return Actor.for_user(world.user(name), "test")


def new_worker(world, who="safety_a", **data):
    return ws.worker_create(actor=act(world, who), data={"name": "王五", "id_number": ID_A, **data})


def test_given_the_safety_officer_when_adding_a_worker_then_created_and_audited_masked(world):
    w = new_worker(world, post="电工", hired_on="2025-03-01")
    assert w.enterprise_id == world.chem_a.pk and w.id_number == ID_A and w.active
    entry = AuditEntry.objects.get(object_type="people.worker", object_id=str(w.pk))
    assert entry.changes["id_number"] == "3301**********1231"
    assert ID_A not in str(entry.changes) and ID_A not in entry.summary


@pytest.mark.parametrize("name", ["employee_a", "coordinator_x", "officer_emergency_x", "outsider"])
def test_given_no_keeper_when_adding_a_worker_then_forbidden(world, name):
    with pytest.raises(Forbidden):
        new_worker(world, who=name)


def test_given_bad_values_when_adding_then_every_problem_by_field(world):
    with pytest.raises(ValidationFailed) as exc:
        ws.worker_create(
            actor=act(world, "safety_a"),
            data={"name": "", "id_number": "330101198506151232", "hired_on": "2025-02-30", "x": 1},
        )
    assert set(exc.value.errors) == {"name", "id_number", "hired_on", "x"}


def test_given_a_number_of_another_worker_or_an_account_elsewhere_then_refused(world):
    new_worker(world)
    with pytest.raises(ValidationFailed) as exc:
        new_worker(world, name="李六")
    assert "id_number" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        new_worker(world, id_number=ID_B, user=world.user("principal_c").pk)
    assert "user" in exc.value.errors


def test_given_a_worker_when_updated_and_leaving_then_kept_not_deleted(world):
    w = new_worker(world)
    ws.worker_update(actor=act(world, "principal_a"), worker_id=w.pk, data={"post": "焊工"})
    ws.worker_leave(actor=act(world, "principal_a"), worker_id=w.pk)
    w.refresh_from_db()
    assert w.post == "焊工" and w.active is False and Worker.objects.filter(pk=w.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(w.pk), action="leave").count() == 1


def test_given_other_people_when_changing_a_worker_then_404_or_403(world):
    w = new_worker(world)
    with pytest.raises(NotFound):
        ws.worker_update(actor=act(world, "principal_c"), worker_id=w.pk, data={"post": "x"})
    with pytest.raises(NotFound):
        ws.worker_update(actor=act(world, "outsider"), worker_id=w.pk, data={"post": "x"})
    with pytest.raises(Forbidden):
        ws.worker_update(actor=act(world, "coordinator_x"), worker_id=w.pk, data={"post": "x"})
    with pytest.raises(NotFound):
        ws.worker_update(actor=act(world, "safety_a"), worker_id="abc", data={})


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("coordinator_x", 1),
        ("officer_emergency_x", 1),
        ("coordinator_y", 0),
        ("principal_c", 0),
        ("outsider", 0),
        ("officer_housing_x", 0),
    ],
)
def test_given_personas_when_reading_workers_then_scope_decides(world, name, count):
    new_worker(world)
    assert ws.visible_workers(world.user(name)).count() == count
    assert ts.visible_certificates(world.user(name)).count() == 0


def test_given_a_special_work_certificate_then_dates_computed_and_number_checked(world):
    w = new_worker(world)
    cert = ts.certificate_create(
        actor=act(world, "safety_a"),
        worker_id=w.pk,
        data={
            "kind": "special_work",
            "category": "电工作业",
            "item": "低压电工作业",
            "number": ID_A,
            "issued_on": "2024-03-01",
        },
    )
    assert cert.expires_on == dt.date(2030, 2, 28) and cert.review_due == dt.date(2027, 2, 28)
    assert ID_A not in str(AuditEntry.objects.get(object_type="people.certificate").changes)
    with pytest.raises(ValidationFailed) as exc:
        ts.certificate_create(
            actor=act(world, "safety_a"),
            worker_id=w.pk,
            data={
                "kind": "special_work",
                "category": "电工作业",
                "item": "焊工",
                "number": ID_B,
                "issued_on": "2024-03-01",
            },
        )
    assert set(exc.value.errors) == {"item", "number"}  # not in the 目录; not his id number
    with pytest.raises(ValidationFailed) as exc:  # recorded already
        ts.certificate_create(
            actor=act(world, "safety_a"),
            worker_id=w.pk,
            data={
                "kind": "special_work",
                "category": "电工作业",
                "item": "低压电工作业",
                "number": ID_A,
                "issued_on": "2024-03-01",
            },
        )
    assert "number" in exc.value.errors


def test_given_a_qualification_then_three_years_by_default_and_extended_review_none(world):
    w = new_worker(world)
    cert = ts.certificate_create(
        actor=act(world, "safety_a"),
        worker_id=w.pk,
        data={"kind": "principal", "number": "浙安A2025001", "issued_on": "2025-01-01"},
    )
    assert cert.expires_on == dt.date(2027, 12, 31) and cert.review_due is None
    ext = ts.certificate_create(
        actor=act(world, "safety_a"),
        worker_id=w.pk,
        data={
            "kind": "special_work",
            "category": "高处作业",
            "item": "登高架设作业",
            "number": ID_A,
            "issued_on": "2024-01-01",
            "extended_review": True,
        },
    )
    assert ext.review_due is None


def test_given_a_training_then_recorded_and_bad_values_refused(world):
    w = new_worker(world)
    t = ts.training_create(
        actor=act(world, "safety_a"),
        worker_id=w.pk,
        data={
            "kind": "induction_company",
            "title": "公司级安全教育",
            "hours": "24",
            "held_on": "2025-03-02",
        },
    )
    assert TrainingRecord.objects.get(pk=t.pk).hours == 24
    with pytest.raises(ValidationFailed) as exc:
        ts.training_create(
            actor=act(world, "safety_a"),
            worker_id=w.pk,
            data={"kind": "nope", "title": "", "hours": "-1", "held_on": "2999-01-01"},
        )
    assert set(exc.value.errors) == {"kind", "title", "hours", "held_on"}
    with pytest.raises(Forbidden):
        ts.training_create(
            actor=act(world, "coordinator_x"),
            worker_id=w.pk,
            data={"kind": "annual", "title": "x", "hours": "8", "held_on": "2025-03-02"},
        )


def test_given_a_certificate_when_revoked_twice_then_conflict(world):
    w = new_worker(world)
    cert = ts.certificate_create(
        actor=act(world, "safety_a"),
        worker_id=w.pk,
        data={"kind": "principal", "number": "A1", "issued_on": "2025-01-01"},
    )
    ts.certificate_revoke(actor=act(world, "safety_a"), certificate_id=cert.pk, reason="注销")
    assert Certificate.objects.get(pk=cert.pk).state == "revoked"
    with pytest.raises(Conflict):
        ts.certificate_revoke(actor=act(world, "safety_a"), certificate_id=cert.pk, reason="再次")


def test_given_a_compliance_table_then_regulators_see_their_enterprises_only(world):
    w = new_worker(world)
    for kind in ("induction_company", "induction_workshop", "induction_team"):
        ts.training_create(
            actor=act(world, "safety_a"),
            worker_id=w.pk,
            data={
                "kind": kind,
                "title": kind,
                "hours": "24",
                "held_on": dt.date.today().isoformat(),
            },
        )
    rows = ts.enterprise_compliance(
        world.user("coordinator_x"), world.chem_a.pk, dt.date.today().year
    )
    assert [r.result.compliant for r in rows] == [True]  # 72 hours for a chemical enterprise
    with pytest.raises(NotFound):
        ts.enterprise_compliance(world.user("coordinator_y"), world.chem_a.pk, 2026)
    summary = ts.scope_compliance(world.user("coordinator_x"), dt.date.today().year)
    assert [(s.enterprise.pk, s.workers, s.compliant) for s in summary] == [(world.chem_a.pk, 1, 1)]
    assert ts.scope_compliance(world.user("outsider"), 2026) == []
