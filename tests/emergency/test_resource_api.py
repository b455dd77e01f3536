"""The resources API: lists and details in scope (another county and an outsider see
nothing), creates and patches through the services, and every refusal a 4xx (unknown
fields, bad values, other keepers, retired rows, stale edits), never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.emergency.models import RescueTeam
from tests.api.conftest import ApiClient, fields
from tests.emergency.test_resource_support import (
    enterprise_warehouse,
    government_warehouse,
    kind,
    supply,
    team_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    def for_persona(name: str) -> ApiClient:
        return ApiClient(world.token(name))

    return for_persona


def test_given_a_keeper_when_posting_a_team_then_201_with_roster(world, api):
    client = api("safety_a")
    body = team_data(roster=[{"name": "张一", "phone": "138"}])
    response = client.post("/emergency/teams", body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["enterprise"]["id"] == world.chem_a.pk and out["may_change"] is True
    assert out["roster"] == [{"name": "张一", "speciality": "", "phone": "138"}]
    assert out["latitude"] == "30.270000"
    team_id = out["id"]
    assert client.get(f"/emergency/teams/{team_id}").json()["members"] == 1
    assert client.get("/emergency/teams").json()["count"] == 1


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator_x", True),
        ("officer_housing_x", True),
        ("principal_a", False),
        ("coordinator_y", False),
        ("principal_c", False),
    ],
)
def test_given_a_government_team_when_personas_read_then_only_those_in_scope(
    world, api, persona, sees
):
    created = api("coordinator_x").post("/emergency/teams", team_data()).json()
    client = api(persona)
    listing = client.get("/emergency/teams").json()
    assert (listing["count"] == 1) is sees
    assert client.get(f"/emergency/teams/{created['id']}").status_code == (200 if sees else 404)


def test_given_an_outsider_then_no_resource_at_all(world, api):
    api("coordinator_x").post("/emergency/teams", team_data())
    response = api("outsider").get("/emergency/teams")
    assert response.status_code in (401, 403) or response.json()["count"] == 0


def test_given_unknown_fields_or_bad_values_then_422_with_each_field(world, api):
    client = api("coordinator_x")
    response = client.post("/emergency/teams", {**team_data(), "colour": "red"})
    assert response.status_code == 422
    assert "colour" in fields(response)
    response = client.post(
        "/emergency/teams",
        {"name": "", "kind": "x", "duty_phone": "", "latitude": 95, "members": "-3"},
    )
    assert response.status_code == 422
    assert {"name", "kind", "duty_phone", "latitude", "members"} <= set(fields(response))
    assert not RescueTeam.objects.exists()


def test_given_other_keepers_row_when_patching_then_403_or_404(world, api):
    team = api("safety_a").post("/emergency/teams", team_data()).json()
    assert (
        api("coordinator_x").patch(f"/emergency/teams/{team['id']}", {"leader": "x"}).status_code
        == 403
    )
    assert (
        api("coordinator_y").patch(f"/emergency/teams/{team['id']}", {"leader": "x"}).status_code
        == 404
    )
    assert (
        api("employee_a").patch(f"/emergency/teams/{team['id']}", {"leader": "x"}).status_code
        == 403
    )
    assert api("safety_a").patch("/emergency/teams/99999999", {"leader": "x"}).status_code == 404


def test_given_a_stale_updated_at_then_409_and_retired_then_409(world, api):
    client = api("coordinator_x")
    team = client.post("/emergency/teams", team_data()).json()
    ok = client.patch(
        f"/emergency/teams/{team['id']}", {"leader": "甲", "updated_at": team["updated_at"]}
    )
    assert ok.status_code == 200 and ok.json()["leader"] == "甲"
    stale = client.patch(
        f"/emergency/teams/{team['id']}", {"leader": "乙", "updated_at": team["updated_at"]}
    )
    assert stale.status_code == 409
    assert (
        client.post(f"/emergency/teams/{team['id']}/retire", {"reason": "撤编"}).json()["active"]
        is False
    )
    assert client.post(f"/emergency/teams/{team['id']}/retire", {}).status_code == 409
    assert client.patch(f"/emergency/teams/{team['id']}", {"leader": "丙"}).status_code == 409
    assert client.get("/emergency/teams").json()["count"] == 0
    assert client.get("/emergency/teams", active="false").json()["count"] == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/emergency/warehouses", {"name": "库", "keeper": "赵", "phone": "1"}),
        ("/emergency/experts", {"name": "刘洋", "phone": "138", "specialities": ["chemical"]}),
        ("/emergency/shelters", {"name": "广场", "capacity": 300}),
    ],
)
def test_given_the_other_kinds_then_create_get_patch_list(world, api, path, body):
    client = api("officer_emergency_x")
    created = client.post(path, body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.patch(f"{path}/{pk}", {"name": "新名"}).json()["name"] == "新名"
    assert client.get(path).json()["items"][0]["id"] == pk
    assert api("principal_c").get(f"{path}/{pk}").status_code == 404


def test_given_supplies_then_create_list_patch_scrap_and_warnings(world, api):
    kind()
    client = api("safety_a")
    house = client.post("/emergency/warehouses", {"name": "甲库"}).json()
    today = timezone.localdate()
    created = client.post(
        "/emergency/supplies",
        {
            "warehouse": house["id"],
            "kind": "M03-01",
            "quantity": 2,
            "minimum": 5,
            "expires_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    out = created.json()
    assert {w["kind"] for w in out["warnings"]} == {"expired", "short"}
    warnings = client.get("/emergency/supply-warnings").json()
    assert warnings["count"] == 1
    assert client.get("/emergency/supply-warnings", kind="state").json()["count"] == 0
    assert client.get("/emergency/supply-warnings", kind="bogus").status_code == 422
    assert api("coordinator_y").get("/emergency/supply-warnings").json()["count"] == 0
    patched = client.patch(f"/emergency/supplies/{out['id']}", {"quantity": 9})
    assert patched.status_code == 200 and patched.json()["quantity"] == 9
    moved = client.patch(f"/emergency/supplies/{out['id']}", {"warehouse": 1})
    assert moved.status_code == 422
    assert client.get("/emergency/warehouses").json()["items"][0]["supplies"] == 1
    assert client.post(f"/emergency/supplies/{out['id']}/retire", {}).json()["state"] == "scrapped"
    assert client.patch(f"/emergency/supplies/{out['id']}", {"quantity": 1}).status_code == 409
    assert client.get("/emergency/supplies").json()["count"] == 0
    assert client.get("/emergency/supplies", scrapped="true").json()["count"] == 1


def test_given_a_supply_post_without_warehouse_or_into_others_then_4xx(world, api):
    kind()
    gov = government_warehouse(world)
    ent = enterprise_warehouse(world)
    client = api("coordinator_x")
    assert "warehouse" in fields(
        client.post("/emergency/supplies", {"kind": "M03-01", "quantity": 1})
    )
    assert (
        client.post(
            "/emergency/supplies", {"warehouse": ent.pk, "kind": "M03-01", "quantity": 1}
        ).status_code
        == 403
    )
    assert (
        api("principal_c")
        .post("/emergency/supplies", {"warehouse": gov.pk, "kind": "M03-01", "quantity": 1})
        .status_code
        == 404
    )
    row = supply(world, gov)
    assert api("principal_a").get(f"/emergency/supplies/{row.pk}").status_code == 404


def test_given_the_catalogue_then_listed_with_accident_types(world, api):
    kind()
    out = api("principal_a").get("/emergency/supply-kinds").json()
    assert out["count"] >= 30
    sandbag = next(k for k in out["items"] if k["name"] == "沙袋")
    assert "12" in sandbag["accident_types"]
