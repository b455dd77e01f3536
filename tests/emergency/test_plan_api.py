"""The emergency plans API: the whole filing over HTTP, scoping (other county, another
department, outsider: 404 or nothing), and every refusal a 4xx with field messages,
never a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.emergency.models import Plan
from tests.api.conftest import ApiClient, fields
from tests.emergency.plan_helpers import draft, issued, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    def for_persona(name: str) -> ApiClient:
        return ApiClient(world.token(name))

    return for_persona


BODY = {
    "kind": "special",
    "title": "储罐区泄漏专项应急预案",
    "accident_types": ["19", "08"],
    "response_levels": [{"level": "Ⅰ级", "condition": "大量泄漏", "actions": "全厂撤离"}],
    "roles": [{"role": "总指挥", "name": "李四", "phone": "13800000000"}],
}


def test_the_whole_filing_over_the_api(api, world):
    unit, principal, officer = api("safety_a"), api("principal_a"), api("officer_emergency_x")
    created = unit.post("/emergency/plans", BODY)
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["state"] == "draft" and plan["accident_types"] == ["08", "19"]
    assert "sign" not in plan["actions"] and "edit" in plan["actions"]
    pid = plan["id"]
    signed = principal.post(f"/emergency/plans/{pid}/sign", {"issued_on": "2025-09-26"})
    assert signed.status_code == 200, signed.content
    assert signed.json()["filing_due"] == "2025-10-30"
    assert signed.json()["deadlines"]["filing_overdue"] is True
    sent = unit.post(f"/emergency/plans/{pid}/submit", {})
    assert (
        sent.status_code == 200 and sent.json()["filing_department"]["id"] == world.emergency_x.pk
    )
    assert sent.json()["deadlines"]["submitted_late"] is True
    desk = officer.get("/emergency/plans/filings")
    assert [p["id"] for p in desk.json()["awaiting"]] == [pid]
    back = officer.post(f"/emergency/plans/{pid}/return", {"missing": "缺少评审纪要"})
    assert back.status_code == 200 and back.json()["state"] == "returned"
    assert unit.post(f"/emergency/plans/{pid}/submit", {}).json()["state"] == "submitted"
    done = officer.post(f"/emergency/plans/{pid}/file", {"filing_number": "东应急备〔2025〕9号"})
    assert done.status_code == 200 and done.json()["state"] == "filed"
    seen = unit.get(f"/emergency/plans/{pid}").json()
    assert seen["filing_number"] == "东应急备〔2025〕9号"
    assert [e["action"] for e in seen["events"]] == [
        "create",
        "sign",
        "submit",
        "return",
        "submit",
        "file",
    ]
    trig = officer.post(f"/emergency/plans/{pid}/triggers", {"reason": "law", "note": "新规"})
    assert trig.status_code == 201 and trig.json()["open_triggers"][0]["reason"] == "law"
    new = unit.post(f"/emergency/plans/{pid}/revise", {})
    assert new.status_code == 201 and new.json()["version"] == 2
    nid = new.json()["id"]
    put = unit.client.put(
        f"/api/v1/emergency/plans/{nid}",
        {**BODY, "title": "储罐区泄漏专项应急预案（2026修订）"},
        content_type="application/json",
        headers=unit.headers,
    )
    assert put.status_code == 200 and put.json()["title"].endswith("修订）")
    principal.post(f"/emergency/plans/{nid}/sign", {})
    assert unit.get(f"/emergency/plans/{pid}").json()["state"] == "superseded"
    after = unit.get(f"/emergency/plans/{nid}").json()
    assert after["open_triggers"] == [] and [v["version"] for v in after["versions"]] == [2, 1]
    ev = unit.post(
        f"/emergency/plans/{nid}/evaluate", {"conclusion": "适用", "needs_revision": False}
    )
    assert ev.status_code == 200 and ev.json()["evaluated_on"]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("principal_a", True),
        ("coordinator_x", True),
        ("officer_emergency_x", True),
        ("officer_housing_x", False),
        ("coordinator_y", False),
        ("principal_c", False),
    ],
)
def test_given_a_plan_when_personas_read_then_only_those_in_scope_see_it(api, world, persona, sees):
    plan = draft(world)
    client = api(persona)
    listed = [p["id"] for p in client.get("/emergency/plans").json()["items"]]
    assert (plan.pk in listed) is sees
    assert client.get(f"/emergency/plans/{plan.pk}").status_code == (200 if sees else 404)


def test_given_an_outsider_then_401_or_403_or_nothing(api, world):
    plan = draft(world)
    client = api("outsider")
    response = client.get("/emergency/plans")
    assert response.status_code in (401, 403) or response.json()["count"] == 0
    assert client.get(f"/emergency/plans/{plan.pk}").status_code in (401, 403, 404)
    anonymous = ApiClient()
    assert anonymous.get("/emergency/plans").status_code == 401


def test_given_bad_bodies_then_422_with_fields(api, world):
    unit = api("safety_a")
    r = unit.post("/emergency/plans", {"kind": "card", "title": "", "colour": "red"})
    assert r.status_code == 422
    r = unit.post("/emergency/plans", {"kind": "card", "title": "", "accident_types": ["99"]})
    assert r.status_code == 422 and {"title", "post", "accident_types"} <= set(fields(r))
    r = unit.post("/emergency/plans", {"kind": "special", "title": 5})
    assert r.status_code == 422
    r = unit.post("/emergency/plans", raw="{not json")
    assert r.status_code in (400, 422)
    assert not Plan.objects.exists()


def test_given_wrong_parties_and_states_then_403_404_409(api, world):
    plan = issued(world)
    assert api("safety_a").post(f"/emergency/plans/{plan.pk}/sign", {}).status_code == 409
    assert (
        api("safety_a").post(f"/emergency/plans/{plan.pk}/file", {"filing_number": "N"}).status_code
        == 409
    )
    other = draft(world)
    assert api("safety_a").post(f"/emergency/plans/{other.pk}/sign", {}).status_code == 403
    assert (
        api("coordinator_y")
        .post(f"/emergency/plans/{other.pk}/triggers", {"reason": "law"})
        .status_code
        == 404
    )
    assert api("safety_a").post("/emergency/plans/99999999/submit", {}).status_code == 404
    assert api("safety_a").post(f"/emergency/plans/{2**70}/submit", {}).status_code in (404, 422)
    waiting = submitted(world)
    assert (
        api("principal_a")
        .post(f"/emergency/plans/{waiting.pk}/file", {"filing_number": "N"})
        .status_code
        == 403
    )
    r = api("officer_emergency_x").post(f"/emergency/plans/{waiting.pk}/file", {})
    assert r.status_code == 422 and "filing_number" in fields(r)
    r = api("officer_emergency_x").post(
        f"/emergency/plans/{waiting.pk}/file", {"filing_number": "N", "x": 1}
    )
    assert r.status_code == 422
    r = api("safety_a").post(
        f"/emergency/plans/{plan.pk}/submit", {"department": world.emergency_y.pk}
    )
    assert r.status_code == 422 and "department_id" in fields(r)
    r = api("safety_a").post(f"/emergency/plans/{plan.pk}/evaluate", {"needs_revision": "yes"})
    assert r.status_code == 422
    r = api("safety_a").post(f"/emergency/plans/{plan.pk}/sign", {"issued_on": "soon"})
    assert r.status_code in (409, 422)
    assert api("principal_a").get("/emergency/plans/filings").status_code == 403


def test_given_filters_then_the_list_narrows(api, world):
    late = issued(world)
    Plan.objects.filter(pk=late.pk).update(filing_due=dt.date(2025, 1, 1))
    other = draft(world, kind="onsite", title="现场处置方案")
    client = api("coordinator_x")
    ids = lambda **q: [p["id"] for p in client.get("/emergency/plans", **q).json()["items"]]  # noqa: E731
    assert ids(overdue="filing") == [late.pk]
    assert ids(kind="onsite") == [other.pk]
    assert ids(state="draft") == [other.pk]
    assert client.get("/emergency/plans", state="nope").status_code == 422
    assert client.get("/emergency/plans", overdue="later").status_code == 422
    assert client.get("/emergency/plans", limit=1).json()["count"] == 2
