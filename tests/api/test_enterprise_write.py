"""POST and PATCH /enterprises: through the registry services, all errors at once,
nothing written on refusal, optimistic concurrency, and who may write at all."""

from __future__ import annotations

from typing import Any

import pytest

from anjian.accounts.models import Role, User
from anjian.api.schemas import ENTERPRISE_WRITE_FIELDS, REQUIRED_ON_CREATE
from anjian.core.models import AuditEntry
from anjian.registry.models import Enterprise, Industry
from anjian.registry.services import ENTERPRISE_FIELDS
from anjian.registry.uscc import check_character
from tests.api.conftest import fields
from tests.world import make_uscc

REQUIRED = {
    "name",
    "uscc",
    "division_id",
    "address",
    "industry_id",
    "scale",
    "legal_representative",
    "principal",
}


def new_enterprise(world, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "东县庚建材有限公司",
        "uscc": make_uscc(77),
        "division_id": world.grid_x2.pk,
        "address": "东镇二网格77号",
        "industry_id": Industry.objects.get(code="HR-CONSTR").pk,
        "scale": "medium",
        "employees": 120,
        "legal_representative": "王五",
        "principal": "赵六",
        "principal_phone": "0571-88888888",
        "longitude": 120.123456,
        "latitude": 30.5,
        "has_key_chemical": True,
    }
    data.update(overrides)
    return data


def written() -> tuple[int, int]:
    return Enterprise.objects.count(), AuditEntry.objects.count()


# --- create -------------------------------------------------------------------------------


def test_given_a_valid_record_when_posting_then_201_with_the_detail(world, api):
    before = written()
    response = api("coordinator_x").post("/enterprises", new_enterprise(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/enterprises/{body['id']}"
    assert body["name"] == "东县庚建材有限公司"
    assert body["division"]["id"] == world.grid_x2.pk
    assert body["industry"]["code"] == "HR-CONSTR"
    assert body["lead_department"] == {"id": world.housing_x.pk, "name": "东县住房和城乡建设局"}
    assert body["flags"]["key_chemical"] is True
    assert body["flags"]["two_key_one_major"] is True
    assert body["longitude"] == pytest.approx(120.123456)
    assert body["version"] == 1
    assert body["licences"] == []
    assert written() == (before[0] + 1, before[1] + 1)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.via, entry.actor_label) == ("create", "api", "coordinator_x")
    assert entry.object_id == str(body["id"])


def test_given_a_created_enterprise_when_read_back_then_the_same(world, api):
    client = api("coordinator_x")
    created = client.post("/enterprises", new_enterprise(world)).json()
    assert client.get(f"/enterprises/{created['id']}").json() == created


def test_given_a_wrong_check_character_when_posting_then_422_names_it(world, api):
    good = make_uscc(77)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = api("coordinator_x").post("/enterprises", new_enterprise(world, uscc=wrong))
    assert response.status_code == 422
    message = fields(response)["uscc"][0]
    assert "校验位" in message  # zh-hans by default
    assert f"“{check_character(good[:17])}”" in message
    assert f"“{wrong[17]}”" in message


def test_given_english_when_the_check_character_is_wrong_then_the_message_is_english(world, api):
    good = make_uscc(77)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    client = api("coordinator_x", language="en")
    response = client.post("/enterprises", new_enterprise(world, uscc=wrong))
    message = fields(response)["uscc"][0]
    assert "check character" in message
    assert f"'{good[17]}'" in message


def test_given_an_empty_record_when_posting_then_every_missing_field_is_listed(world, api):
    before = written()
    response = api("coordinator_x").post("/enterprises", {})
    assert response.status_code == 422
    assert set(fields(response)) == REQUIRED
    assert written() == before
    # What the OpenAPI document promises is what the service demands.
    assert set(REQUIRED_ON_CREATE) == REQUIRED


def test_given_several_problems_when_posting_then_all_are_reported_at_once(world, api):
    body = new_enterprise(
        world,
        uscc="123",
        employees="many",
        has_major_hazard="yes",
        scale="huge",
        latitude=99,
        colour="red",
    )
    del body["name"]
    response = api("coordinator_x").post("/enterprises", body)
    assert response.status_code == 422
    assert set(fields(response)) == {
        "uscc",
        "employees",
        "has_major_hazard",
        "scale",
        "latitude",
        "colour",
        "name",
    }
    for error in response.json()["detail"]:
        assert set(error) == {"field", "message"}
        assert error["message"]


def test_given_an_unknown_division_when_posting_then_422_on_division_id(world, api):
    before = written()
    response = api("coordinator_x").post("/enterprises", new_enterprise(world, division_id=987654))
    assert response.status_code == 422
    assert set(fields(response)) == {"division_id"}
    assert written() == before


def test_given_county_x_when_posting_into_county_y_then_422_on_division_id(world, api):
    before = written()
    response = api("coordinator_x").post(
        "/enterprises", new_enterprise(world, division_id=world.grid_y1.pk, uscc=make_uscc(78))
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"division_id"}
    assert written() == before


def test_given_a_county_when_posting_then_422_an_enterprise_sits_lower(world, api):
    response = api("coordinator_x").post(
        "/enterprises", new_enterprise(world, division_id=world.county_x.pk)
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"division_id"}


def test_given_an_unknown_industry_when_posting_then_422_on_industry_id(world, api):
    response = api("coordinator_x").post("/enterprises", new_enterprise(world, industry_id=0))
    assert set(fields(response)) == {"industry_id"}


def test_given_a_duplicate_credit_code_when_posting_then_422_and_nothing_written(world, api):
    before = written()
    response = api("coordinator_x").post(
        "/enterprises", new_enterprise(world, uscc=world.build_b.uscc)
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"uscc"}
    assert written() == before


def test_given_a_duplicate_in_lower_case_when_posting_then_still_a_duplicate(world, api):
    before = written()
    response = api("coordinator_x").post(
        "/enterprises", new_enterprise(world, uscc=world.chem_a.uscc.lower())
    )
    assert set(fields(response)) == {"uscc"}
    assert written() == before


@pytest.mark.parametrize(
    "persona",
    [
        "expert_x",
        "principal_a",
        "safety_a",
        "employee_a",
        "security_admin",
        "audit_admin",
        "outsider",
    ],
)
def test_given_a_role_that_only_reads_when_posting_then_403_and_nothing_written(
    world, api, persona
):
    before = written()
    response = api(persona).post("/enterprises", new_enterprise(world))
    assert response.status_code == 403
    assert response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize("persona", ["grid_x1", "officer_housing_x", "platform_admin"])
def test_given_another_editor_role_when_posting_in_scope_then_201(world, api, persona):
    division = world.grid_x1 if persona == "grid_x1" else world.grid_x2
    response = api(persona).post("/enterprises", new_enterprise(world, division_id=division.pk))
    assert response.status_code == 201, response.content


def test_given_the_openapi_write_fields_then_they_are_the_services_fields():
    assert list(ENTERPRISE_WRITE_FIELDS) == list(ENTERPRISE_FIELDS)


# --- update -------------------------------------------------------------------------------


def test_given_one_field_when_patching_then_only_it_changes(world, api):
    before = written()
    response = api("coordinator_x").patch(f"/enterprises/{world.build_b.pk}", {"employees": 75})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["employees"] == 75
    assert body["version"] == 2
    assert body["name"] == world.build_b.name
    world.build_b.refresh_from_db()
    assert (world.build_b.employees, world.build_b.principal) == (75, "李四")
    assert written() == (before[0], before[1] + 1)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "change"
    assert entry.changes == {"employees": [50, 75]}


def test_given_the_current_version_when_patching_then_accepted(world, api):
    response = api("coordinator_x").patch(
        f"/enterprises/{world.build_b.pk}", {"employees": 75, "version": 1}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_given_a_stale_version_when_patching_then_409_and_nothing_written(world, api):
    client = api("coordinator_x")
    assert client.patch(f"/enterprises/{world.build_b.pk}", {"employees": 60}).status_code == 200
    before = written()
    response = client.patch(f"/enterprises/{world.build_b.pk}", {"employees": 99, "version": 1})
    assert response.status_code == 409
    assert response.json()["detail"]
    world.build_b.refresh_from_db()
    assert world.build_b.employees == 60
    assert written() == before


def test_given_a_new_industry_when_patching_then_duties_follow(world, api):
    hazchem = Industry.objects.get(code="HR-HAZCHEM")
    response = api("coordinator_x").patch(
        f"/enterprises/{world.build_b.pk}", {"industry_id": hazchem.pk}
    )
    assert response.status_code == 200
    assert response.json()["lead_department"]["id"] == world.emergency_x.pk


def test_given_an_unknown_id_when_patching_then_404(world, api):
    response = api("coordinator_x").patch("/enterprises/987654321", {"employees": 1})
    assert response.status_code == 404


def test_given_county_x_when_patching_county_ys_enterprise_then_404(world, api):
    response = api("coordinator_x").patch(f"/enterprises/{world.chem_c.pk}", {"employees": 1})
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["expert_x", "principal_a", "safety_a", "employee_a"])
def test_given_a_role_that_only_reads_when_patching_what_it_sees_then_403(world, api, persona):
    before = written()
    response = api(persona).patch(f"/enterprises/{world.chem_a.pk}", {"employees": 1})
    assert response.status_code == 403
    assert written() == before


def test_given_a_cooperating_department_when_patching_then_403(world, api):
    # Fire cooperates on chem_a; only the lead department edits the record.
    world.users["officer_fire_x"] = User.objects.create_user(
        username="officer_fire_x",
        password="x" * 12,
        role=Role.DEPARTMENT_OFFICER,
        division=world.county_x,
        department=world.fire_x,
    )
    client = api("officer_fire_x")
    assert client.get(f"/enterprises/{world.chem_a.pk}").status_code == 200
    assert client.patch(f"/enterprises/{world.chem_a.pk}", {"employees": 1}).status_code == 403


def test_given_an_empty_patch_then_422_nothing_to_change(world, api):
    response = api("coordinator_x").patch(f"/enterprises/{world.build_b.pk}", {})
    assert response.status_code == 422
    assert set(fields(response)) == {"__all__"}


def test_given_a_duplicate_code_when_patching_then_422_and_unchanged(world, api):
    before = written()
    response = api("coordinator_x").patch(
        f"/enterprises/{world.build_b.pk}", {"uscc": world.chem_a.uscc}
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"uscc"}
    world.build_b.refresh_from_db()
    assert world.build_b.version == 1
    assert written() == before


def test_given_a_move_out_of_scope_when_patching_then_422_on_division_id(world, api):
    response = api("coordinator_x").patch(
        f"/enterprises/{world.build_b.pk}", {"division_id": world.grid_y1.pk}
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"division_id"}


def test_given_a_version_that_is_not_a_number_when_patching_then_422(world, api):
    response = api("coordinator_x").patch(
        f"/enterprises/{world.build_b.pk}", {"employees": 2, "version": "latest"}
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"version"}
