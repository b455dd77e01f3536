"""The permits API: the whole life over HTTP, the refusal of an unlicensed operator,
scoping (other county, outsider: 404 or nothing) and every refusal a 4xx, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.conftest import ApiClient
from tests.people.permit_helpers import crew, worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    return lambda name: ApiClient(world.token(name))


def body(operators, guardian, **extra):
    start = timezone.now() + dt.timedelta(minutes=10)
    return {
        "kind": "hot_work",
        "grade": "first",
        "place": "罐区T-101",
        "content": "管线焊接",
        "planned_start": start.isoformat(),
        "planned_end": (start + dt.timedelta(hours=8)).isoformat(),
        "workers": [w.pk for w in operators],
        "guardian": guardian.pk,
        **extra,
    }


GAS = {"analyst": "赵分析", "combustible_pct": "0.1", "combustible_lel_pct": 5}


def test_the_whole_life_over_the_api(api, world):
    a, b, g = crew(world)
    unit, principal = api("safety_a"), api("principal_a")
    created = unit.post("/permits", body([a, b], g))
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert created.json()["state"] == "draft" and created.json()["grade_label"] == "一级"
    r = unit.post(f"/permits/{pid}/analyses", GAS)
    assert r.status_code == 201 and r.json()["analyses"][0]["passed"] is True
    r = principal.post(f"/permits/{pid}/issue", {})
    assert r.status_code == 200 and r.json()["state"] == "issued", r.content
    assert {x["status"] for x in r.json()["licences"]} == {"valid"}
    assert unit.post(f"/permits/{pid}/start", {}).json()["state"] == "working"
    assert unit.post(f"/permits/{pid}/close", {}).status_code == 422
    r = unit.post(f"/permits/{pid}/close", {"site_checked": True})
    assert r.json()["state"] == "closed"
    assert unit.post(f"/permits/{pid}/cancel", {"reason": "x"}).status_code == 409
    listed = api("coordinator_x").get("/permits").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == pid


def test_an_unlicensed_operator_is_refused_over_the_api(api, world):
    a, _b, g = crew(world)
    c = worker(world.chem_a, "无证")
    unit = api("safety_a")
    pid = unit.post("/permits", body([a, c], g)).json()["id"]
    unit.post(f"/permits/{pid}/analyses", GAS)
    r = api("principal_a").post(f"/permits/{pid}/issue", {})
    assert r.status_code == 200 and r.json()["state"] == "refused"
    assert "无证" in r.json()["refusal"]
    assert [x["status"] for x in r.json()["licences"]] == ["valid", "missing"]


def test_refusals_are_4xx(api, world):
    a, b, g = crew(world)
    unit = api("safety_a")
    r = unit.post("/permits", body([a, b], a, extra_field=1))
    assert r.status_code == 422
    r = unit.post("/permits", body([a, b], a))
    assert r.status_code == 422 and any(d["field"] == "guardian" for d in r.json()["detail"])
    r = unit.post("/permits", {**body([a], g), "planned_start": "not a time", "workers": "x"})
    assert r.status_code == 422
    assert api("coordinator_x").post("/permits", body([a], g)).status_code == 403
    pid = unit.post("/permits", body([a, b], g)).json()["id"]
    assert api("employee_a").post(f"/permits/{pid}/issue", {}).status_code == 403
    assert unit.post(f"/permits/{pid}/start", {}).status_code == 409
    assert unit.post(f"/permits/{pid}/issue", {"x": 1}).status_code == 422
    assert (
        unit.post(f"/permits/{pid}/analyses", {"analyst": "a", "passed": True}).status_code == 422
    )
    assert unit.post(f"/permits/{pid}/cancel", {}).status_code == 422
    assert unit.get("/permits/0").status_code == 404
    assert unit.get("/permits/99999999").status_code == 404
    for name in ("coordinator_y", "principal_c", "outsider"):
        client = api(name)
        assert client.get(f"/permits/{pid}").status_code == 404
        assert client.post(f"/permits/{pid}/cancel", {"reason": "x"}).status_code == 404
        assert client.get("/permits").json()["count"] == 0
