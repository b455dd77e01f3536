"""Allocation over HTTP: compute and keep, list, one run, the stateless solver; 401,
403, 404, 422 with field names, unknown fields refused; scoping by persona."""

from __future__ import annotations

import pytest

from anjian.emergency.models import AllocationRun
from tests.api.conftest import ApiClient, fields

from .test_allocation_services import depot  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(world, name: str) -> ApiClient:
    return ApiClient(world.token(name))


HAND_SOLVED = {
    "objective": "distance",
    "incidents": [
        {"id": "I1", "lat": 30, "lon": 120, "demands": {"sand": 10}},
        {"id": "I2", "lat": 30, "lon": 120, "demands": {"sand": 10}},
    ],
    "warehouses": [
        {"id": "W1", "lat": 30, "lon": 120, "stocks": {"sand": 10}},
        {"id": "W2", "lat": 30, "lon": 120, "stocks": {"sand": 10}},
    ],
    "routes": [
        {"warehouse": "W1", "incident": "I1", "km": 1, "minutes": 2},
        {"warehouse": "W1", "incident": "I2", "km": 2, "minutes": 4},
        {"warehouse": "W2", "incident": "I1", "km": 3, "minutes": 6},
        {"warehouse": "W2", "incident": "I2", "km": 10, "minutes": 20},
    ],
}


def test_given_the_hand_solved_problem_when_solved_over_http_then_the_optimum_comes_back(
    world,
):
    response = api(world, "grid_x1").post("/emergency/allocations/solve", HAND_SOLVED)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"]["cost"] == 50.0
    assert {(s["warehouse"], s["incident"]) for s in body["shipments"]} == {
        ("W2", "I1"),
        ("W1", "I2"),
    }
    assert not AllocationRun.objects.exists()


def test_given_a_bad_problem_when_solved_then_422_names_the_fields(world):
    bad = {
        **HAND_SOLVED,
        "incidents": [{"id": "I1", "lat": 100, "lon": 120, "demands": {"sand": -1}}],
    }
    response = api(world, "coordinator_x").post("/emergency/allocations/solve", bad)
    assert response.status_code == 422
    got = fields(response)
    assert any(f.startswith("incidents") for f in got)


@pytest.mark.parametrize(
    "body",
    [
        {**HAND_SOLVED, "colour": "red"},
        {**HAND_SOLVED, "incidents": [{**HAND_SOLVED["incidents"][0], "size": 3}]},
    ],
)
def test_given_unknown_fields_when_solved_then_422(world, body):
    response = api(world, "coordinator_x").post("/emergency/allocations/solve", body)
    assert response.status_code == 422


def test_given_no_token_when_calling_then_401(world):
    assert ApiClient().get("/emergency/allocations").status_code == 401
    assert ApiClient().post("/emergency/allocations/solve", HAND_SOLVED).status_code == 401


def test_given_a_coordinator_when_posting_then_the_run_is_kept_and_readable_in_scope(
    world,
    depot,  # noqa: F811
):
    client = api(world, "coordinator_x")
    response = client.post(
        "/emergency/allocations",
        {
            "title": "东镇调配",
            "objective": "time",
            "incidents": [
                {"incident": depot["fire"].pk, "demands": {"T-SAND": 300}, "priority": 2},
                {"name": "河堤", "lat": 30.1, "lon": 120.0, "demands": {"T-SAND": 400}},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["totals"]["demanded"] == 700 and body["totals"]["short"] == 100
    assert body["result"]["unmet"] and body["result"]["cost_unit"] == "minutes"
    assert body["incidents"][0]["incident"] == depot["fire"].pk
    run_id = body["id"]
    listed = client.get("/emergency/allocations").json()
    assert [r["id"] for r in listed["items"]] == [run_id]
    assert (
        api(world, "officer_housing_x").get(f"/emergency/allocations/{run_id}").status_code == 200
    )
    assert api(world, "coordinator_y").get(f"/emergency/allocations/{run_id}").status_code == 404
    assert api(world, "coordinator_y").get("/emergency/allocations").json()["count"] == 0
    assert api(world, "principal_a").get(f"/emergency/allocations/{run_id}").status_code == 403
    assert api(world, "outsider").get("/emergency/allocations").status_code in (401, 403)
    assert client.get("/emergency/allocations/99999999").status_code == 404


@pytest.mark.parametrize("name", ["grid_x1", "principal_a", "expert_x"])
def test_given_a_role_that_does_not_dispatch_when_posting_then_403(
    world,
    depot,  # noqa: F811
    name,
):
    response = api(world, name).post(
        "/emergency/allocations",
        {"title": "x", "incidents": [{"incident": depot["fire"].pk, "demands": {"T-SAND": 1}}]},
    )
    assert response.status_code == 403
    assert not AllocationRun.objects.exists()


def test_given_bad_input_when_posting_then_422_by_field(world, depot):  # noqa: F811
    response = api(world, "coordinator_x").post(
        "/emergency/allocations",
        {
            "title": "",
            "objective": "cheap",
            "incidents": [{"incident": 10**9, "demands": {"T-SAND": 1}}],
        },
    )
    assert response.status_code == 422
    got = fields(response)
    assert {"title", "objective", "incidents[0].incident"} <= set(got)


def test_given_an_unknown_field_or_another_county_when_posting_then_refused(
    world,
    depot,  # noqa: F811
):
    client = api(world, "coordinator_x")
    body = {"title": "x", "incidents": [{"name": "a", "lat": 30, "lon": 120, "demands": {}}]}
    assert client.post("/emergency/allocations", {**body, "extra": 1}).status_code == 422
    response = client.post("/emergency/allocations", {**body, "division": world.county_y.pk})
    assert response.status_code == 404
