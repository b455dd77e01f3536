"""/api/v1 for risk grading and control: scoping per persona, who may write, every
validation path, optimistic concurrency on units, the public safety-code check, the
calculators over HTTP (the same answers as `anjian calc`), reference profiles, bounded
query counts on every list, and the Excel import endpoint."""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from anjian.cli import main as cli_main
from anjian.core.audit import Actor, audit_verify
from anjian.core.models import AuditEntry
from anjian.risks import importer, methods, services
from anjian.risks.models import (
    Assessment,
    CheckTask,
    ControlMeasure,
    MajorHazardInstallation,
    RiskEvent,
    RiskObject,
    RiskState,
    RiskUnit,
    SafetyCode,
)
from tests.api.conftest import BASE, ApiClient, fields
from tests.world import EXPECTED_ENTERPRISES


def svc_actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def unit_data(obj_id: int, **overrides):
    data = {
        "name": "1号储罐区",
        "risk_object_id": obj_id,
        "responsible_department": "储运车间",
        "responsible_person": "王工",
        "control_level": "workshop",
        "hazard_factors": ["combustible_dust"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def risks(world):
    """chem_a (county X) and chem_c (county Y) each with an object, a unit, an event and a
    measure (so a check task)."""
    out = SimpleNamespace()
    for key, persona, enterprise in (
        ("a", "safety_a", world.chem_a),
        ("c", "principal_c", world.chem_c),
    ):
        who = svc_actor(world, persona)
        obj = services.risk_object_create(
            actor=who, enterprise_id=enterprise.pk, kind="area", name="罐区"
        )
        unit = services.risk_unit_create(
            actor=who, enterprise_id=enterprise.pk, data=unit_data(obj.pk)
        )
        event = services.risk_event_create(actor=who, unit_id=unit.pk, name="储罐泄漏")
        measure = services.control_measure_create(
            actor=who,
            event_id=event.pk,
            data={
                "description": "液位高限报警",
                "classification": "engineering",
                "check_content": "检查液位报警",
                "responsible_person": "李班长",
                "cycle": 1,
                "cycle_unit": "day",
            },
        )
        setattr(out, f"obj_{key}", obj)
        setattr(out, f"unit_{key}", unit)
        setattr(out, f"event_{key}", event)
        setattr(out, f"measure_{key}", measure)
    return out


def put(client: ApiClient, path: str, body):
    return client._send("put", path, body, None)


def counts() -> tuple[int, ...]:
    return (
        RiskObject.objects.count(),
        RiskUnit.objects.count(),
        Assessment.objects.count(),
        RiskEvent.objects.count(),
        ControlMeasure.objects.count(),
        CheckTask.objects.count(),
        MajorHazardInstallation.objects.count(),
        AuditEntry.objects.count(),
    )


# --- isolation ------------------------------------------------------------------------------

WRITERS_OF_A = {"principal_a", "safety_a", "expert_x"}


def _read_paths(world, risks) -> list[str]:
    e = world.chem_a.pk
    return [
        f"/enterprises/{e}/risk-units",
        f"/enterprises/{e}/risk-objects",
        f"/risk-units/{risks.unit_a.pk}",
        f"/risk-units/{risks.unit_a.pk}/assessments",
        f"/enterprises/{e}/check-tasks",
        f"/enterprises/{e}/major-hazards",
        f"/enterprises/{e}/safety-code",
    ]


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_reading_chem_a_risks_then_in_scope_200_else_404(
    world, api, risks, persona
):
    client = api(persona)
    sees = "chem_a" in EXPECTED_ENTERPRISES[persona]
    for path in _read_paths(world, risks):
        response = client.get(path)
        assert response.status_code == (200 if sees else 404), (path, response.content)
        if not sees:
            assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_listing_units_then_never_another_enterprises_unit(
    world, api, risks, persona
):
    response = api(persona).get(f"/enterprises/{world.chem_a.pk}/risk-units")
    if response.status_code == 200:
        assert [u["id"] for u in response.json()["items"]] == [risks.unit_a.pk]


def test_given_an_unknown_unit_and_a_hidden_one_then_the_same_404(world, api, risks):
    client = api("coordinator_x")
    unknown = client.get("/risk-units/987654321")
    hidden = client.get(f"/risk-units/{risks.unit_c.pk}")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json() == hidden.json()


def _write_calls(world, risks) -> list[tuple[str, str, dict]]:
    e, unit, event = world.chem_a.pk, risks.unit_a.pk, risks.event_a.pk
    return [
        ("post", f"/enterprises/{e}/risk-objects", {"kind": "device", "name": "泵"}),
        ("post", f"/enterprises/{e}/risk-units", unit_data(risks.obj_a.pk, name="新单元")),
        ("patch", f"/risk-units/{unit}", {"responsible_person": "赵工"}),
        ("post", f"/risk-units/{unit}/assessments", {"method": "ls", "L": 2, "S": 2}),
        ("post", f"/risk-units/{unit}/events", {"name": "火灾"}),
        (
            "post",
            f"/risk-events/{event}/measures",
            {
                "description": "巡检",
                "classification": "operation",
                "check_content": "巡检记录",
                "responsible_person": "李",
                "cycle": 8,
                "cycle_unit": "hour",
            },
        ),
        (
            "post",
            f"/enterprises/{e}/major-hazards",
            {
                "name": "液氨罐区",
                "unit_kind": "storage",
                "people_500m": 0,
                "principal_person": "甲",
                "technical_person": "乙",
                "operational_person": "丙",
                "substances": [{"substance": "氨", "quantity": 20}],
            },
        ),
    ]


@pytest.mark.parametrize(
    "persona", ["coordinator_x", "officer_emergency_x", "grid_x1", "employee_a", "platform_admin"]
)
def test_given_a_persona_that_only_reads_chem_a_when_writing_then_403_and_nothing_written(
    world, api, risks, persona
):
    client = api(persona)
    before = counts()
    for method, path, body in _write_calls(world, risks):
        response = getattr(client, method)(path, body)
        assert response.status_code == 403, (path, response.content)
        assert response.json()["detail"]
    # Even an invalid body is refused for the role first, not for its content.
    response = client.post(f"/enterprises/{world.chem_a.pk}/risk-units", {})
    assert response.status_code == 403
    assert counts() == before


@pytest.mark.parametrize(
    "persona",
    [
        "coordinator_y",
        "principal_c",
        "officer_housing_x",
        "security_admin",
        "audit_admin",
        "outsider",
    ],
)
def test_given_a_persona_outside_chem_a_when_writing_then_404_and_nothing_written(
    world, api, risks, persona
):
    client = api(persona)
    before = counts()
    for method, path, body in _write_calls(world, risks):
        response = getattr(client, method)(path, body)
        assert response.status_code == 404, (persona, path, response.content)
    assert counts() == before


@pytest.mark.parametrize("persona", sorted(WRITERS_OF_A))
def test_given_a_risk_editor_of_chem_a_when_writing_then_each_call_succeeds(
    world, api, risks, persona
):
    client = api(persona)
    for method, path, body in _write_calls(world, risks):
        response = getattr(client, method)(path, body)
        assert response.status_code in (200, 201), (path, response.content)
    assert audit_verify().ok


# --- units ----------------------------------------------------------------------------------


def test_given_a_valid_unit_when_posting_then_201_with_location_and_audit(world, api, risks):
    before = AuditEntry.objects.count()
    response = api("safety_a").post(
        f"/enterprises/{world.chem_a.pk}/risk-units", unit_data(risks.obj_a.pk, name="2号罐区")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"{BASE}/risk-units/{body['id']}"
    assert body["name"] == "2号罐区"
    assert body["risk_object"] == {"id": risks.obj_a.pk, "name": "罐区", "kind": "area"}
    assert (body["colour"], body["inherent_colour"], body["latest_assessment"]) == ("", "", None)
    assert body["version"] == 1
    assert body["events"] == []
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.via, entry.object_type) == ("create", "api", "risks.riskunit")


def test_given_an_empty_unit_when_posting_then_every_required_field_is_listed(world, api, risks):
    before = counts()
    response = api("safety_a").post(f"/enterprises/{world.chem_a.pk}/risk-units", {})
    assert response.status_code == 422
    assert set(fields(response)) == {
        "name",
        "risk_object_id",
        "responsible_department",
        "responsible_person",
        "control_level",
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"control_level": "board"}, "control_level"),
        ({"hazard_factors": ["meteorite"]}, "hazard_factors"),
        ({"hazard_factors": [{"x": 1}]}, "hazard_factors.0"),  # the item, named at the boundary
        ({"hazard_factors": "combustible_dust"}, "hazard_factors"),
        ({"risk_object_id": "abc"}, "risk_object_id"),
        ({"name": "x" * 129}, "name"),
        ({"name": ["list"]}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_given_a_bad_unit_field_when_posting_then_422_names_it(world, api, risks, override, field):
    before = counts()
    response = api("safety_a").post(
        f"/enterprises/{world.chem_a.pk}/risk-units", unit_data(risks.obj_a.pk, **override)
    )
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert counts() == before


def test_given_another_enterprises_object_when_posting_a_unit_then_422_on_the_object(
    world, api, risks
):
    response = api("expert_x").post(
        f"/enterprises/{world.chem_a.pk}/risk-units", unit_data(risks.obj_c.pk, name="偷")
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"risk_object_id"}


def test_given_a_bad_object_when_posting_then_422_every_field(world, api):
    response = api("safety_a").post(
        f"/enterprises/{world.chem_a.pk}/risk-objects", {"kind": "planet", "size": 3}
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"size"}  # unknown fields are refused before anything else
    response = api("safety_a").post(f"/enterprises/{world.chem_a.pk}/risk-objects", {"kind": "x"})
    assert set(fields(response)) == {"kind", "name"}


def test_given_an_installation_of_another_enterprise_when_posting_an_object_then_422(world, api):
    other = services.installation_save(
        actor=svc_actor(world, "principal_c"),
        enterprise_id=world.chem_c.pk,
        data={
            "name": "丙罐区",
            "unit_kind": "storage",
            "people_500m": 0,
            "principal_person": "甲",
            "technical_person": "乙",
            "operational_person": "丙",
            "substances": [{"substance": "氨", "quantity": 20}],
        },
    )
    response = api("safety_a").post(
        f"/enterprises/{world.chem_a.pk}/risk-objects",
        {"kind": "major_hazard", "name": "借用", "installation_id": other.pk},
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"installation_id"}


def test_given_a_unit_when_read_then_events_measures_and_check_tasks(world, api, risks):
    body = api("coordinator_x").get(f"/risk-units/{risks.unit_a.pk}").json()
    assert body["events"][0]["name"] == "储罐泄漏"
    measure = body["events"][0]["measures"][0]
    assert measure["description"] == "液位高限报警"
    assert measure["check_tasks"][0]["content"] == "检查液位报警"
    assert measure["check_tasks"][0]["cycle_unit"] == "day"
    assert body["open_proposal"] is None


# --- patch and versions ---------------------------------------------------------------------


def test_given_the_current_version_when_patching_then_200_and_the_version_moves(world, api, risks):
    response = api("safety_a").patch(
        f"/risk-units/{risks.unit_a.pk}", {"responsible_person": "赵工", "version": 1}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["responsible_person"], response.json()["version"]) == ("赵工", 2)


def test_given_a_stale_version_when_patching_then_409_and_nothing_written(world, api, risks):
    client = api("safety_a")
    assert client.patch(f"/risk-units/{risks.unit_a.pk}", {"name": "新名"}).status_code == 200
    before = counts()
    response = client.patch(
        f"/risk-units/{risks.unit_a.pk}", {"responsible_person": "钱工", "version": 1}
    )
    assert response.status_code == 409
    assert response.json()["detail"]
    risks.unit_a.refresh_from_db()
    assert (risks.unit_a.responsible_person, risks.unit_a.version) == ("王工", 2)
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "__all__"),
        ({"version": 1}, "__all__"),
        ({"version": "latest", "name": "x"}, "version"),
        ({"control_level": "galaxy"}, "control_level"),
        ({"name": ""}, "name"),
        ({"area": [[0, 0]]}, "area"),
    ],
)
def test_given_a_bad_patch_then_422(world, api, risks, body, field):
    response = api("safety_a").patch(f"/risk-units/{risks.unit_a.pk}", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    risks.unit_a.refresh_from_db()
    assert risks.unit_a.version == 1


def test_given_new_hazard_factors_after_an_assessment_when_patching_then_raised_and_proposed(
    world, api, risks
):
    client = api("safety_a")
    client.post(
        f"/risk-units/{risks.unit_a.pk}/assessments", {"method": "lec", "L": 3, "E": 6, "C": 7}
    )
    body = client.patch(
        f"/risk-units/{risks.unit_a.pk}", {"hazard_factors": ["combustible_dust", "hot_work"]}
    ).json()
    assert (body["inherent_colour"], body["colour"]) == ("yellow", "orange")
    assert "粉尘+动火" in body["coupling_note"]
    assert body["open_proposal"]["reason"]


# --- assessments ----------------------------------------------------------------------------


def test_given_lec_factors_when_assessing_then_201_with_the_profile_shown(
    world, api, risks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api("safety_a").post(
            f"/risk-units/{risks.unit_a.pk}/assessments",
            {"method": "lec", "L": 3, "E": 6, "C": 7, "note": "年度评估"},
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("method", "score", "class_number", "level", "colour")} == {
        "method": "lec",
        "score": "126",
        "class_number": 3,
        "level": "一般",
        "colour": "yellow",
    }
    assert (body["profile"], body["profile_version"]) == ("lec-5class-db", "1")
    assert body["profile_title"] == methods.get_profile("lec").title
    assert body["band"] == "(70, 160]"
    assert body["inputs"] == {"L": "3", "E": "6", "C": "7"}
    assert (body["note"], body["assessed_by"]) == ("年度评估", "safety_a")
    listed = api("coordinator_x").get(f"/enterprises/{world.chem_a.pk}/risk-units").json()
    item = listed["items"][0]
    assert (item["colour"], item["inherent_colour"]) == ("yellow", "yellow")
    assert item["latest_assessment"]["id"] == body["id"]
    assert item["latest_assessment"]["profile"] == "lec-5class-db"
    assert RiskState.objects.get(enterprise=world.chem_a).code is not None


def test_given_a_named_profile_when_assessing_then_it_grades(world, api, risks):
    response = api("safety_a").post(
        f"/risk-units/{risks.unit_a.pk}/assessments",
        {"method": "ls", "L": 3, "S": 3, "profile": "ls-v2"},
    )
    assert response.status_code == 201
    assert (response.json()["colour"], response.json()["profile"]) == ("yellow", "ls-v2")


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({}, "method", None),
        ({"method": "fmea"}, "method", None),
        ({"method": "lec", "L": 3, "E": 6}, "C", None),
        ({"method": "lec", "L": 4, "E": 6, "C": 7}, "L", "不在 LEC 的取值表中"),
        ({"method": "lec", "L": "abc", "E": 6, "C": 7}, "L", "应为数值"),
        ({"method": "lec", "L": True, "E": 6, "C": 7}, "L", None),
        ({"method": "ls", "L": 6, "S": 1}, "L", None),
        ({"method": "ls", "L": 1, "S": 1, "C": 7}, "C", None),
        ({"method": "mes", "M": 2, "E": 1, "S": 1}, "M", None),
        ({"method": "lec", "L": 3, "E": 6, "C": 7, "profile": "nope"}, "profile", "nope"),
        ({"method": "lec", "L": 3, "E": 6, "C": 7, "profile": "ls-v1"}, "profile", None),
        ({"method": "lec", "L": 3, "E": 6, "C": 7, "weight": 2}, "weight", None),
        ({"method": "lec", "L": 3, "E": 6, "C": 7, "note": "x" * 256}, "note", None),
        ({"method": "lec", "L": 3, "E": 6, "C": 7, "note": "a\x00b"}, "note", None),
    ],
)
def test_given_a_bad_assessment_then_422_on_its_field_and_nothing_written(
    world, api, risks, body, field, fragment
):
    before = counts()
    response = api("safety_a").post(f"/risk-units/{risks.unit_a.pk}/assessments", body)
    assert response.status_code == 422, response.content
    errors = fields(response)
    assert field in errors, errors
    if fragment:
        assert fragment in errors[field][0]
    assert counts() == before


def test_given_english_when_a_factor_is_not_in_the_table_then_the_message_is_english(
    world, api, risks
):
    response = api("safety_a", language="en").post(
        f"/risk-units/{risks.unit_a.pk}/assessments", {"method": "lec", "L": 4, "E": 6, "C": 7}
    )
    assert "is not in the LEC value table" in fields(response)["L"][0]


def test_given_several_assessments_when_listing_history_then_newest_first(world, api, risks):
    client = api("safety_a")
    for l_value in (1, 3, 6):
        client.post(
            f"/risk-units/{risks.unit_a.pk}/assessments",
            {"method": "lec", "L": l_value, "E": 6, "C": 7},
        )
    body = api("grid_x1").get(f"/risk-units/{risks.unit_a.pk}/assessments").json()
    assert body["count"] == 3
    assert [a["score"] for a in body["items"]] == ["252", "126", "42"]
    assert all(a["profile"] == "lec-5class-db" for a in body["items"])


# --- events, measures, check tasks ------------------------------------------------------------


def test_given_a_measure_when_posting_then_the_measure_and_its_derived_check_task(
    world, api, risks
):
    before = counts()
    response = api("safety_a").post(
        f"/risk-events/{risks.event_a.pk}/measures",
        {
            "description": "每班巡检",
            "classification": "operation",
            "data_source": "巡检",
            "check_content": "检查巡检记录",
            "responsible_person": "张三",
            "cycle": "8",
            "cycle_unit": "hour",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["event_id"] == risks.event_a.pk
    task = body["check_task"]
    assert (task["content"], task["cycle"], task["cycle_unit"]) == ("检查巡检记录", 8, "hour")
    assert task["responsible_person"] == "张三"
    due = dt.datetime.fromisoformat(task["next_due"])
    assert dt.timedelta(hours=7) < due - timezone.now() <= dt.timedelta(hours=8)
    after = counts()
    assert (after[4] - before[4], after[5] - before[5], after[7] - before[7]) == (1, 1, 1)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"cycle": 0}, "cycle"),
        ({"cycle": 1001}, "cycle"),
        ({"cycle": "weekly"}, "cycle"),
        ({"cycle_unit": "fortnight"}, "cycle_unit"),
        ({"classification": "prayer"}, "classification"),
        ({"responsible_person": ""}, "responsible_person"),
        ({"check_content": None}, "check_content"),
        ({"priority": "high"}, "priority"),
    ],
)
def test_given_a_bad_measure_then_422_and_nothing_written(world, api, risks, override, field):
    body = {
        "description": "巡检",
        "classification": "operation",
        "check_content": "巡检记录",
        "responsible_person": "李",
        "cycle": 1,
        "cycle_unit": "day",
    }
    body.update(override)
    before = counts()
    response = api("safety_a").post(f"/risk-events/{risks.event_a.pk}/measures", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert counts() == before


def test_given_an_empty_event_name_then_422(world, api, risks):
    response = api("safety_a").post(f"/risk-units/{risks.unit_a.pk}/events", {"name": " "})
    assert response.status_code == 422
    assert set(fields(response)) == {"name"}


def test_given_another_enterprises_event_when_adding_a_measure_then_404(world, api, risks):
    response = api("safety_a").post(f"/risk-events/{risks.event_c.pk}/measures", {})
    assert response.status_code == 404


def test_given_tasks_when_listing_check_tasks_then_scoped_and_filtered(world, api, risks):
    _installation(world)
    client = api("officer_emergency_x")
    body = client.get(f"/enterprises/{world.chem_a.pk}/check-tasks", limit=50).json()
    assert body["count"] == 4  # the measure's and the three 包保 persons'
    by_origin = client.get(f"/enterprises/{world.chem_a.pk}/check-tasks", origin="measure").json()
    assert by_origin["count"] == 1
    task = by_origin["items"][0]
    assert task["unit"] == {"id": risks.unit_a.pk, "name": "1号储罐区"}
    assert task["event"]["name"] == "储罐泄漏"
    assert task["installation"] is None
    guarantor = client.get(
        f"/enterprises/{world.chem_a.pk}/check-tasks", origin="installation"
    ).json()
    assert {t["responsible_person"] for t in guarantor["items"]} == {"甲", "乙", "丙"}
    assert client.get(f"/enterprises/{world.chem_a.pk}/check-tasks", origin="x").status_code == 422


# --- major hazard installations ----------------------------------------------------------------


def _installation_body(**overrides):
    body = {
        "name": "液氨罐区",
        "code": "BA-001",
        "unit_kind": "storage",
        "people_500m": 0,
        "principal_person": "甲",
        "technical_person": "乙",
        "operational_person": "丙",
        "substances": [{"substance": "氨", "quantity": 20}],
    }
    body.update(overrides)
    return body


def _installation(world):
    return services.installation_save(
        actor=svc_actor(world, "safety_a"), enterprise_id=world.chem_a.pk, data=_installation_body()
    )


def test_given_ammonia_when_posting_an_installation_then_graded_exactly(world, api):
    response = api("safety_a").post(
        f"/enterprises/{world.chem_a.pk}/major-hazards",
        _installation_body(
            substances=[{"substance": "氨", "quantity": 5}, {"substance": "氯", "quantity": 3}]
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"{BASE}/major-hazards/{body['id']}"
    # 5/10 + 3/5 = 11/10; R = 0.5 × (2·1/2 + 4·3/5) = 17/10 → 四级
    assert (body["sum"], body["sum_approx"], body["is_major"]) == ("11/10", "1.1", True)
    assert (body["alpha"], body["R"], body["R_approx"]) == ("0.5", "17/10", "1.7")
    assert (body["grade"], body["grade_number"]) == ("四级", 4)
    assert [s["name"] for s in body["substances"]] == ["氨", "氯"]
    assert body["substances"][1] == {
        "id": body["substances"][1]["id"],
        "name": "氯",
        "cas": "7782-50-5",
        "q": "3",
        "Q": "5",
        "beta": "4",
        "q/Q": "3/5",
    }
    assert (body["principal_person"], body["technical_person"], body["operational_person"]) == (
        "甲",
        "乙",
        "丙",
    )
    today = timezone.localdate()
    assert body["assessed_on"] == today.isoformat()
    assert dt.date.fromisoformat(body["reassess_by"]).year == today.year + 3


def test_given_an_installation_below_the_threshold_then_not_major_and_no_grade(world, api):
    body = (
        api("safety_a")
        .post(
            f"/enterprises/{world.chem_a.pk}/major-hazards",
            _installation_body(substances=[{"substance": "氨", "quantity": 5}]),
        )
        .json()
    )
    assert (body["sum"], body["is_major"], body["R"], body["grade"]) == ("1/2", False, None, None)


def test_given_an_installation_when_put_then_regraded_and_readable(world, api):
    installation = _installation(world)
    client = api("safety_a")
    response = put(
        client,
        f"/major-hazards/{installation.pk}",
        _installation_body(people_500m=120, substances=[{"substance": "氨", "quantity": 100}]),
    )
    assert response.status_code == 200, response.content
    # α = 2 (100 people or more); R = 2 × 2 × 100/10 = 40 → 三级
    assert (response.json()["alpha"], response.json()["R"], response.json()["grade"]) == (
        "2",
        "40",
        "三级",
    )
    listed = api("coordinator_x").get(f"/enterprises/{world.chem_a.pk}/major-hazards").json()
    assert listed["count"] == 1
    assert listed["items"][0]["R"] == "40"
    assert api("coordinator_y").get(f"/major-hazards/{installation.pk}").status_code == 404
    refused = put(api("coordinator_x"), f"/major-hazards/{installation.pk}", _installation_body())
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"substances": []}, "substances"),
        ({"substances": [{"substance": "神秘物质", "quantity": 1}]}, "substances"),
        ({"substances": [{"substance": "氨", "quantity": -1}]}, "substances"),
        (
            {"substances": [{"substance": "氨", "quantity": 1, "colour": "x"}]},
            "substances.0.colour",
        ),
        ({"people_500m": -3}, "people_500m"),
        ({"unit_kind": "shop"}, "unit_kind"),
        ({"principal_person": ""}, "principal_person"),
        ({"owner": "x"}, "owner"),
    ],
)
def test_given_a_bad_installation_then_422_and_nothing_written(world, api, override, field):
    before = counts()
    response = api("safety_a").post(
        f"/enterprises/{world.chem_a.pk}/major-hazards", _installation_body(**override)
    )
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert counts() == before


# --- the safety code ---------------------------------------------------------------------------


def _coded(world, api, risks, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        api("safety_a").post(
            f"/risk-units/{risks.unit_a.pk}/assessments", {"method": "lec", "L": 3, "E": 6, "C": 7}
        )
    return api("coordinator_x").get(f"/enterprises/{world.chem_a.pk}/safety-code").json()


def test_given_an_assessed_enterprise_when_reading_its_code_then_terms_validity_history(
    world, api, risks, django_capture_on_commit_callbacks
):
    body = _coded(world, api, risks, django_capture_on_commit_callbacks)
    current = body["current"]
    assert current["colour"] in {"red", "yellow", "blue"}
    assert current["colour_name"].endswith("码")
    terms = {t["key"]: t for t in current["terms"]}
    assert terms["highest_unit_colour"]["value"] == "yellow"
    assert terms["accidents"]["tracked"] is False
    assert body["status"] == "valid"
    assert body["highest_unit_colour"] == "yellow"
    assert dt.datetime.fromisoformat(body["valid_until"]) > timezone.now()
    assert body["history"][0]["id"] == current["id"]
    assert current["verify_path"].startswith(f"{BASE}/safety-codes/verify/")


def test_given_no_code_yet_when_reading_then_null_current_and_empty_history(world, api):
    body = api("principal_a").get(f"/enterprises/{world.chem_a.pk}/safety-code").json()
    assert (body["current"], body["status"], body["history"]) == (None, None, [])


def test_given_a_token_when_verified_without_auth_then_public_facts_only(
    world, api, risks, django_capture_on_commit_callbacks
):
    body = _coded(world, api, risks, django_capture_on_commit_callbacks)
    anonymous = ApiClient()  # no token, no session
    response = anonymous.get(body["current"]["verify_path"][len(BASE) :])
    assert response.status_code == 200, response.content
    public = response.json()
    assert set(public) == {
        "enterprise",
        "credit_code",
        "colour",
        "colour_name",
        "score",
        "computed_at",
        "valid_until",
        "status",
        "policy",
    }
    uscc = world.chem_a.uscc
    assert public["enterprise"] == world.chem_a.name
    assert public["credit_code"] == uscc[:6] + "********" + uscc[-4:]
    assert uscc not in json.dumps(public)
    assert world.chem_a.principal not in json.dumps(public, ensure_ascii=False)
    assert public["status"] == "valid"
    assert public["colour"] == body["current"]["colour"]


def test_given_a_replaced_code_when_verified_then_superseded_with_its_end(
    world, api, risks, django_capture_on_commit_callbacks
):
    body = _coded(world, api, risks, django_capture_on_commit_callbacks)
    path = body["current"]["verify_path"][len(BASE) :]
    with django_capture_on_commit_callbacks(execute=True):
        api("safety_a").post(
            f"/risk-units/{risks.unit_a.pk}/assessments",
            {"method": "lec", "L": 10, "E": 10, "C": 100},
        )
    newest = SafetyCode.objects.filter(enterprise=world.chem_a).first()
    public = ApiClient().get(path).json()
    assert public["status"] == "superseded"
    ended = dt.datetime.fromisoformat(public["valid_until"])
    assert abs(ended - newest.computed_at) < dt.timedelta(milliseconds=1)  # JSON keeps ms


def test_given_an_outdated_code_when_verified_then_expired(
    world, api, risks, django_capture_on_commit_callbacks
):
    body = _coded(world, api, risks, django_capture_on_commit_callbacks)
    RiskState.objects.filter(enterprise=world.chem_a).update(
        valid_until=timezone.now() - dt.timedelta(days=1)
    )
    public = ApiClient().get(body["current"]["verify_path"][len(BASE) :]).json()
    assert public["status"] == "expired"
    assert (
        api("principal_a").get(f"/enterprises/{world.chem_a.pk}/safety-code").json()["status"]
        == "expired"
    )


@pytest.mark.parametrize("token", ["nope", "x" * 65, "%00"])
def test_given_an_unknown_token_when_verified_then_404(world, token):
    response = ApiClient().get(f"/safety-codes/verify/{token}")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_given_no_auth_when_reading_anything_else_then_401(world, risks):
    anonymous = ApiClient()
    assert anonymous.get(f"/enterprises/{world.chem_a.pk}/safety-code").status_code == 401
    assert anonymous.get("/calc/lec", l=1, e=1, c=1).status_code == 401
    assert anonymous.get("/risk-profiles").status_code == 401


# --- reference profiles -------------------------------------------------------------------------


def test_given_a_user_when_reading_risk_profiles_then_every_profile_with_bands(world, api):
    body = api("grid_x1").get("/risk-profiles").json()
    assert {m["code"] for m in body["methods"]} == {"lec", "ls", "mes", "major-hazard"}
    lec = next(m for m in body["methods"] if m["code"] == "lec")
    assert lec["factors"]["C"] == ["100", "40", "15", "7", "3", "1"]
    assert lec["default_profile"] == "lec-5class-db"
    names = {p["name"] for p in body["profiles"]}
    assert names == {p.name for p in methods.profiles()}
    db = next(p for p in body["profiles"] if p["name"] == "lec-5class-db")
    assert db["default"] is True and db["version"] == "1" and db["source"]
    assert db["bands"][0] == {
        "class": 1,
        "label": db["bands"][0]["label"],
        "published": "> 320",
        "interval": "(320, ∞)",
        "level": "重大",
        "colour": "red",
    }
    gb = next(p for p in body["profiles"] if p["name"] == "gb18218-2018")
    assert gb["bands"] == [] and gb["alpha"][0]["alpha"] == "2.0"


def test_given_an_account_without_a_role_when_reading_profiles_or_calculating_then_403(world, api):
    client = api("outsider")
    assert client.get("/risk-profiles").status_code == 403
    assert client.get("/calc/lec", l=1, e=1, c=1).status_code == 403


# --- calculators --------------------------------------------------------------------------------


def cli(capsys, *argv):
    code = cli_main(["calc", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out or captured.err)


@pytest.mark.parametrize(
    ("path", "params", "argv", "expected"),
    [
        # LEC on the 20 edge: class 5 (left-open), and on 70 with p2: class 4.
        ("/calc/lec", {"l": 1, "e": "0.5", "c": 40}, ["lec", "--l", "1", "--e", "0.5", "--c", "40"], ("20", 5, "blue")),
        ("/calc/lec", {"l": 1, "e": 10, "c": 7, "profile": "lec-5class-p2"}, ["lec", "--l", "1", "--e", "10", "--c", "7", "--profile", "lec-5class-p2"], ("70", 4, "yellow")),
        ("/calc/lec", {"l": 1, "e": 10, "c": 7}, ["lec", "--l", "1", "--e", "10", "--c", "7"], ("70", 4, "blue")),
        ("/calc/lec", {"l": 3, "e": 6, "c": 40}, ["lec", "--l", "3", "--e", "6", "--c", "40"], ("720", 1, "red")),
        ("/calc/lec", {"l": "0.1", "e": 3, "c": 1}, ["lec", "--l", "0.1", "--e", "3", "--c", "1"], ("0.3", 5, "blue")),
        ("/calc/ls", {"l": 3, "s": 3, "profile": "ls-v1"}, ["ls", "--l", "3", "--s", "3", "--profile", "ls-v1"], ("9", None, "orange")),
        ("/calc/ls", {"l": 3, "s": 3, "profile": "ls-v2"}, ["ls", "--l", "3", "--s", "3", "--profile", "ls-v2"], ("9", None, "yellow")),
        ("/calc/ls", {"l": 5, "s": 5}, ["ls", "--l", "5", "--s", "5"], ("25", None, "red")),
        ("/calc/mes", {"m": 5, "e": 10, "s": 10}, ["mes", "--m", "5", "--e", "10", "--s", "10"], ("500", None, "red")),
        ("/calc/mes", {"m": 1, "e": "0.5", "s": 1}, ["mes", "--m", "1", "--e", "0.5", "--s", "1"], ("0.5", None, "blue")),
    ],
)  # fmt: skip
def test_given_factors_when_calculating_over_http_then_the_cli_answer(
    world, api, capsys, path, params, argv, expected
):
    response = api("grid_x1").get(path, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    code, printed = cli(capsys, *argv)
    assert code == 0
    assert body == printed  # same keys, same values
    score, class_number, colour = expected
    assert (body["score"], body["colour"]) == (score, colour)
    if class_number is not None:
        assert body["class"] == class_number


@pytest.mark.parametrize("score", [str(p) for p in methods.products("ls")])
def test_given_every_ls_product_when_calculated_then_the_pure_function_agrees(world, api, score):
    # Every edge of the default LS profile, through HTTP.
    value = int(score)
    pair = next((a, value // a) for a in range(1, 6) if value % a == 0 and value // a <= 5)
    body = api("grid_x1").get("/calc/ls", l=pair[0], s=pair[1]).json()
    assert body == methods.ls(*pair).as_dict()


@pytest.mark.parametrize(
    ("path", "params", "field", "fragment"),
    [
        ("/calc/lec", {"l": 4, "e": 6, "c": 7}, "l", "不在 LEC 的取值表中"),
        ("/calc/lec", {"l": "abc", "e": 6, "c": 7}, "l", "应为数值"),
        ("/calc/lec", {"l": 3, "e": 6}, "c", None),
        ("/calc/lec", {"l": 3, "e": 6, "c": 7, "profile": "nope"}, "profile", "nope"),
        ("/calc/lec", {"l": 3, "e": 6, "c": 7, "profile": "ls-v1"}, "profile", None),
        ("/calc/lec", {"l": "1" * 40, "e": 6, "c": 7}, "l", None),
        ("/calc/ls", {"l": 0, "s": 3}, "l", None),
        ("/calc/ls", {"l": 2, "s": "NaN"}, "s", None),
        ("/calc/mes", {"m": 5, "e": 10, "s": 9}, "s", None),
    ],
)
def test_given_bad_factors_when_calculating_then_422_on_the_parameter(
    world, api, path, params, field, fragment
):
    response = api("grid_x1").get(path, **params)
    assert response.status_code == 422, response.content
    errors = fields(response)
    assert field in errors, errors
    if fragment:
        assert fragment in errors[field][0]


@pytest.mark.parametrize(
    ("body", "argv"),
    [
        ({"substances": [{"substance": "氨", "quantity": 20}], "people": 0}, ["--substance", "氨:20", "--people", "0"]),
        ({"substances": [{"substance": "氨", "quantity": 5}, {"substance": "氯", "quantity": 2}]}, ["--substance", "氨:5", "--substance", "氯:2"]),
        ({"substances": [{"substance": "氨", "quantity": 20}]}, ["--substance", "氨:20"]),
        ({"substances": [{"substance": "氢", "quantity": "5", "critical_quantity": 5}], "alpha": "1.0"}, ["--substance", "氢:5:5", "--alpha", "1.0"]),
    ],
)  # fmt: skip
def test_given_substances_when_calculating_a_major_hazard_then_the_cli_answer(
    world, api, capsys, body, argv
):
    response = api("expert_x").post("/calc/major-hazard", body)
    assert response.status_code == 200, response.content
    code, printed = cli(capsys, "major-hazard", *argv)
    assert code == 0
    assert response.json() == printed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"substances": [{"substance": "神秘物质", "quantity": 1}]}, "substances.0.substance"),
        ({"substances": [{"substance": "氨", "quantity": 1}, {"substance": "氨", "quantity": -1}]}, "substances.1.quantity"),
        ({"substances": [{"substance": "氨", "quantity": 1, "critical_quantity": 0}]}, "substances.0.critical_quantity"),
        ({"substances": [{"substance": "氨", "quantity": "x"}]}, "substances.0.quantity"),
        ({"substances": [{"substance": "氨", "quantity": 20}], "people": 3, "alpha": 1}, "alpha"),
        ({"substances": [{"substance": "氨", "quantity": 20}], "alpha": "1.3"}, "alpha"),
        ({"substances": [{"substance": "氨", "quantity": 20}], "people": -1}, "people"),
        ({"substances": [{"substance": "氨", "quantity": 20}], "profile": "nope"}, "profile"),
        ({"substances": []}, "substances"),
        ({}, "substances"),
    ],
)  # fmt: skip
def test_given_bad_substances_when_calculating_then_422_on_the_item(world, api, body, field):
    response = api("expert_x").post("/calc/major-hazard", body)
    assert response.status_code == 422, response.content
    assert field in fields(response), fields(response)


# --- query counts -------------------------------------------------------------------------------


def _bulk_units(world, n: int) -> None:
    who = svc_actor(world, "safety_a")
    obj = services.risk_object_create(
        actor=who, enterprise_id=world.chem_a.pk, kind="device", name="设备"
    )
    for i in range(n):
        unit = services.risk_unit_create(
            actor=who, enterprise_id=world.chem_a.pk, data=unit_data(obj.pk, name=f"单元{i:03d}")
        )
        for l_value in (1, 3):
            services.risk_unit_assess(
                actor=who, unit_id=unit.pk, method="lec", inputs={"L": l_value, "E": 6, "C": 7}
            )
        event = services.risk_event_create(actor=who, unit_id=unit.pk, name="事件")
        services.control_measure_create(
            actor=who,
            event_id=event.pk,
            data={
                "description": "措施",
                "classification": "operation",
                "check_content": "检查",
                "responsible_person": "李",
                "cycle": 1,
                "cycle_unit": "day",
            },
        )


def _query_counts(client, path: str, sizes=(1, 5, 30)) -> dict[int, int]:
    client.get("/me")  # stamp the token's last use now, so every call below is alike
    out = {}
    for limit in sizes:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, limit=limit)
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit
        out[limit] = len(ctx.captured_queries)
    return out


@pytest.mark.parametrize("persona", ["safety_a", "coordinator_x", "officer_emergency_x"])
def test_given_many_units_when_listing_then_the_query_count_does_not_grow(world, api, persona):
    _bulk_units(world, 30)
    client = api(persona)
    found = _query_counts(client, f"/enterprises/{world.chem_a.pk}/risk-units")
    assert len(set(found.values())) == 1, found
    # Token, the caller's subtree, the enterprise check, count, page, latest assessments.
    assert max(found.values()) <= 6, found
    items = client.get(f"/enterprises/{world.chem_a.pk}/risk-units", limit=30).json()["items"]
    assert all(i["latest_assessment"]["score"] == "126" for i in items)


def test_given_many_tasks_when_listing_then_the_query_count_does_not_grow(world, api):
    _bulk_units(world, 30)
    found = _query_counts(api("coordinator_x"), f"/enterprises/{world.chem_a.pk}/check-tasks")
    assert len(set(found.values())) == 1, found
    assert max(found.values()) <= 5, found


def test_given_many_assessments_when_listing_history_then_bounded(world, api, risks):
    for l_value in (1, 3, 6, 10, 0.5, 0.2):
        services.risk_unit_assess(
            actor=svc_actor(world, "safety_a"),
            unit_id=risks.unit_a.pk,
            method="lec",
            inputs={"L": l_value, "E": 6, "C": 7},
        )
    found = _query_counts(
        api("coordinator_x"), f"/risk-units/{risks.unit_a.pk}/assessments", sizes=(1, 6)
    )
    assert len(set(found.values())) == 1, found


def test_given_many_installations_when_listing_then_bounded(world, api):
    for i in range(6):
        services.installation_save(
            actor=svc_actor(world, "safety_a"),
            enterprise_id=world.chem_a.pk,
            data=_installation_body(name=f"罐区{i}"),
        )
    found = _query_counts(
        api("coordinator_x"), f"/enterprises/{world.chem_a.pk}/major-hazards", sizes=(1, 6)
    )
    assert len(set(found.values())) == 1, found


def test_given_a_unit_detail_when_read_then_queries_are_bounded(
    world, api, risks, django_assert_max_num_queries
):
    client = api("coordinator_x")
    client.get("/me")
    # Token, subtree, the unit with its object, latest assessment, events, measures,
    # tasks, open proposals.
    with django_assert_max_num_queries(8):
        response = client.get(f"/risk-units/{risks.unit_a.pk}")
    assert response.status_code == 200


# --- the Excel import endpoint --------------------------------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = importer.SHEET_NAME
    sheet.append(list(importer.HEADERS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROW = [
    "2号罐区", "区域场所", "甲苯储罐", "储运车间", "王工", "车间", "易燃液体",
    "甲苯泄漏火灾", "设置可燃气体报警", "工程技术", "检查报警仪完好", 1, "天", "李班长",
    "LEC", 3, 6, 15,
]  # fmt: skip


def upload(client: ApiClient, enterprise_id: int, data: bytes, name: str = "清单.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.client.post(
        f"{BASE}/enterprises/{enterprise_id}/risks/import",
        {"file": file},
        headers=client.headers,
    )


def test_given_a_good_file_when_uploaded_then_200_with_counts(world, api):
    second = list(GOOD_ROW)
    second[8:14] = ["配备泡沫灭火器", "应急措施", "检查灭火器压力", 1, "月", "赵"]
    second[3:7] = ["", "", "", ""]
    second[14:] = ["", "", ""]
    before = counts()
    response = upload(api("safety_a"), world.chem_a.pk, xlsx([GOOD_ROW, second]))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "objects": 1,
        "units": 1,
        "events": 1,
        "measures": 2,
        "check_tasks": 2,
        "assessments": 1,
    }
    after = counts()
    assert [b - a for a, b in zip(before, after, strict=True)][:6] == [1, 1, 1, 1, 2, 2]
    unit = RiskUnit.objects.get(name="甲苯储罐")
    assert (unit.colour, unit.control_level, unit.hazard_factors) == (
        "orange",  # 3·6·15 = 270: class 2
        "workshop",
        ["flammable_liquid"],
    )


def test_given_bad_rows_when_uploaded_then_422_with_row_and_column_and_nothing_written(world, api):
    bad = list(GOOD_ROW)
    bad[5] = "集团"
    before = counts()
    response = upload(api("safety_a"), world.chem_a.pk, xlsx([GOOD_ROW, bad]))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == [
        {
            "row": 3,
            "column": "F",
            "field": "管控层级",
            "message": "第3行 F列（管控层级）：应为 公司/车间/班组/岗位 之一，实际为“集团”",
        }
    ]
    assert counts() == before


def test_given_a_pdf_when_uploaded_then_422_clear_message(world, api):
    response = upload(api("safety_a"), world.chem_a.pk, b"%PDF-1.7 ...", name="清单.pdf")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["row"], error["column"], error["field"]) == (None, None, "file")
    assert ".xlsx" in error["message"]


def test_given_no_file_when_posting_then_422_on_file(world, api):
    client = api("safety_a")
    response = client.client.post(
        f"{BASE}/enterprises/{world.chem_a.pk}/risks/import", {}, headers=client.headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"


@pytest.mark.parametrize(("persona", "status"), [("coordinator_x", 403), ("principal_c", 404)])
def test_given_a_persona_that_may_not_import_when_uploading_then_refused_before_reading(
    world, api, persona, status
):
    before = counts()
    response = upload(api(persona), world.chem_a.pk, b"not even a spreadsheet")
    assert response.status_code == status
    assert counts() == before


def test_given_the_template_when_downloaded_then_it_opens_with_the_headers(world, api):
    response = api("grid_x1").get("/risks/import-template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[importer.SHEET_NAME]
    assert [c.value for c in sheet[1]] == list(importer.HEADERS)
    assert importer.HELP_SHEET_NAME in book.sheetnames


def test_given_the_openapi_document_then_the_risk_endpoints_are_listed(world):
    doc = ApiClient().get("/openapi.json").json()
    paths = doc["paths"]
    expected = {
        "/api/v1/enterprises/{enterprise_id}/risk-units": {"get", "post"},
        "/api/v1/enterprises/{enterprise_id}/risk-objects": {"get", "post"},
        "/api/v1/risk-units/{unit_id}": {"get", "patch"},
        "/api/v1/risk-units/{unit_id}/assessments": {"get", "post"},
        "/api/v1/risk-units/{unit_id}/events": {"post"},
        "/api/v1/risk-events/{event_id}/measures": {"post"},
        "/api/v1/enterprises/{enterprise_id}/check-tasks": {"get"},
        "/api/v1/enterprises/{enterprise_id}/major-hazards": {"get", "post"},
        "/api/v1/major-hazards/{installation_id}": {"get", "put"},
        "/api/v1/enterprises/{enterprise_id}/safety-code": {"get"},
        "/api/v1/safety-codes/verify/{token}": {"get"},
        "/api/v1/risk-profiles": {"get"},
        "/api/v1/calc/lec": {"get"},
        "/api/v1/calc/ls": {"get"},
        "/api/v1/calc/mes": {"get"},
        "/api/v1/calc/major-hazard": {"post"},
        "/api/v1/risks/import-template.xlsx": {"get"},
        "/api/v1/enterprises/{enterprise_id}/risks/import": {"post"},
    }
    for path, verbs in expected.items():
        assert set(paths[path]) == verbs, path
    # The public check is the only one without security.
    assert paths["/api/v1/safety-codes/verify/{token}"]["get"].get("security") in (None, [])
    assert paths["/api/v1/risk-profiles"]["get"]["security"]
