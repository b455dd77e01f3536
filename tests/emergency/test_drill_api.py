"""The drills API: lists and details in scope (another county and an outsider see
nothing), an unannounced drill from order to evaluation with its response times, the
compliance list, and every refusal a 4xx with field messages, never a 500."""

from __future__ import annotations

import pytest

from anjian.emergency.models import Drill, RevisionTrigger
from anjian.hazards.models import Hazard
from tests.api.conftest import ApiClient, fields
from tests.emergency.drill_helpers import ordered, plan, planned, put

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    def for_persona(name: str) -> ApiClient:
        return ApiClient(world.token(name))

    return for_persona


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator_x", True),
        ("officer_emergency_x", True),
        ("principal_a", True),
        ("employee_a", True),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
    ],
)
def test_given_a_drill_when_personas_read_then_only_those_in_scope_see_it(
    world, api, persona, sees
):
    drill = ordered(world)
    client = api(persona)
    listed = client.get("/emergency/drills")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]] == ([drill.pk] if sees else [])
    one = client.get(f"/emergency/drills/{drill.pk}")
    assert one.status_code == (200 if sees else 404)
    compliance = client.get("/emergency/drills/compliance", enterprise=world.chem_a.pk)
    assert compliance.status_code == (200 if sees else 404)


def test_given_an_unannounced_drill_when_run_over_the_api_then_times_and_findings(world, api):
    p = plan(world)
    regulator, unit = api("coordinator_x"), api("principal_a")
    r = regulator.post(
        "/emergency/drills/order",
        {"enterprise": world.chem_a.pk, "scenario": "液氨泄漏", "kind": "full_scale", "plan": p.pk},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert (body["state"], body["unannounced"], body["plan"]["id"]) == ("ordered", True, p.pk)
    assert body["response_times"] == {"to_acknowledge": None, "to_start": None, "total": None}
    assert regulator.get(f"/emergency/drills/{pk}").json()["actions"] == ["cancel"]
    assert unit.get(f"/emergency/drills/{pk}").json()["actions"] == ["acknowledge", "start"]
    r = unit.post(f"/emergency/drills/{pk}/acknowledge", {})
    assert r.status_code == 200 and r.json()["response_times"]["to_acknowledge"] == 0
    assert unit.post(f"/emergency/drills/{pk}/start", {}).json()["state"] == "running"
    r = unit.post(f"/emergency/drills/{pk}/finish", {"participants": 20})
    assert r.status_code == 200
    times = r.json()["response_times"]
    assert times["to_start"] == 0 and times["total"] == 0
    r = regulator.post(
        f"/emergency/drills/{pk}/evaluate",
        {
            "evaluation": "响应及时",
            "findings": [
                {"text": "警戒区域设置过小", "outcome": "revision"},
                {"text": "记录"},
            ],
        },
    )
    assert r.status_code == 200, r.content
    found = r.json()["findings"]
    assert [f["outcome"] for f in found] == ["revision", "note"]
    assert RevisionTrigger.objects.get(pk=found[0]["trigger"]).drill_id == pk
    assert [e["action"] for e in r.json()["events"]] == [
        "order",
        "acknowledge",
        "start",
        "finish",
        "evaluate",
    ]
    listed = regulator.get("/emergency/drills", unannounced="true", state="evaluated")
    assert [d["id"] for d in listed.json()["items"]] == [pk]


def test_given_the_enterprise_when_planning_over_the_api_then_201_and_a_hazard_finding(world, api):
    unit = api("safety_a")
    r = unit.post("/emergency/drills", {"kind": "tabletop", "scenario": "桌面推演：停电"})
    assert r.status_code == 201 and r.json()["state"] == "planned"
    pk = r.json()["id"]
    unit.post(f"/emergency/drills/{pk}/start", {})
    unit.post(f"/emergency/drills/{pk}/finish", {"participants": 8})
    r = unit.post(
        f"/emergency/drills/{pk}/evaluate",
        {"evaluation": "一般", "findings": [{"text": "应急照明损坏", "outcome": "hazard"}]},
    )
    assert r.status_code == 200
    assert Hazard.objects.filter(pk=r.json()["findings"][0]["hazard"]).exists()


def test_given_bad_requests_when_posted_then_4xx_with_fields_never_500(world, api):
    unit, regulator = api("principal_a"), api("coordinator_x")
    r = unit.post("/emergency/drills", {"kind": "parade", "scenario": ""})
    assert r.status_code == 422 and set(fields(r)) >= {"kind", "scenario"}
    r = unit.post("/emergency/drills", {"kind": "tabletop", "scenario": "x", "colour": "red"})
    assert r.status_code == 422
    r = unit.post("/emergency/drills", {"kind": "tabletop", "scenario": 5})
    assert r.status_code == 422
    assert unit.post("/emergency/drills/order", {"enterprise": 1, "scenario": "x"}).status_code == (
        403
    )
    r = regulator.post("/emergency/drills/order", {"enterprise": world.chem_c.pk, "scenario": "x"})
    assert r.status_code == 422 and "enterprise" in fields(r)
    assert regulator.post(
        "/emergency/drills", {"kind": "tabletop", "scenario": "x"}
    ).status_code == (403)
    drill = planned(world)
    assert unit.post(f"/emergency/drills/{drill.pk}/finish", {"participants": 3}).status_code == 409
    assert unit.post(f"/emergency/drills/{drill.pk}/acknowledge", {}).status_code == 409
    assert regulator.post(f"/emergency/drills/{drill.pk}/start", {}).status_code == 403
    assert unit.post(f"/emergency/drills/{drill.pk}/start", {"x": 1}).status_code == 422
    put(drill, "running")
    r = unit.post(f"/emergency/drills/{drill.pk}/finish", {"participants": "many"})
    assert r.status_code == 422
    r = unit.post(f"/emergency/drills/{drill.pk}/finish", {"participants": 0})
    assert r.status_code == 422 and "participants" in fields(r)
    put(drill, "done")
    r = unit.post(
        f"/emergency/drills/{drill.pk}/evaluate",
        {"evaluation": "x", "findings": [{"text": "y", "outcome": "revision"}]},
    )
    assert r.status_code == 422
    assert unit.post(f"/emergency/drills/{drill.pk}/cancel", {"reason": "x"}).status_code == 409
    for path in ("/emergency/drills/999999999", "/emergency/drills/99999999999999999999"):
        assert unit.get(path).status_code in (404, 422)
    assert unit.post("/emergency/drills/999999/start", {}).status_code == 404
    assert (
        api("coordinator_y")
        .post(f"/emergency/drills/{drill.pk}/cancel", {"reason": "x"})
        .status_code
        == 404
    )
    assert unit.get("/emergency/drills", state="nope").status_code == 422
    assert unit.get("/emergency/drills/compliance", profile="nope").status_code == 422
    assert ApiClient().get("/emergency/drills").status_code == 401
    assert Drill.objects.count() == 1


def test_given_a_jurisdiction_when_compliance_is_asked_then_overdue_first_and_both_profiles(
    world, api
):
    p1 = plan(world, title="罐区现场处置方案")
    plan(world, title="装车现场处置方案")
    put(planned(world, plan_id=p1.pk), "done")
    client = api("coordinator_x")
    r = client.get("/emergency/drills/compliance")
    assert r.status_code == 200
    body = r.json()
    assert body["profile"] == "national" and body["count"] == 3
    assert body["items"][0]["enterprise"]["id"] == world.build_b.pk
    assert body["items"][0]["status"] == "overdue" and body["items"][0]["high_risk"]
    chem = {i["enterprise"]["id"]: i for i in body["items"]}[world.chem_a.pk]
    assert chem["status"] == "satisfied"
    r = client.get(
        "/emergency/drills/compliance", enterprise=world.chem_a.pk, profile="each_onsite"
    )
    one = r.json()["items"][0]
    assert one["status"] == "overdue"
    onsite = [o for o in one["obligations"] if o["code"] == "half_onsite"]
    assert sorted(o["status"] for o in onsite) == ["overdue", "satisfied"]
    assert api("outsider").get("/emergency/drills/compliance").json()["count"] == 0
