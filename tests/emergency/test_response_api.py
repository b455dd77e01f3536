"""The response API: the start with the matched resources, calls, answers, notes, close
and timeline; scope (another county and an outsider see nothing), and every refusal a
4xx with field messages, never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, fields
from tests.emergency.response_helpers import LAT, LON, plans, resources

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    return lambda name: ApiClient(world.token(name))


BODY = {
    "title": "甲化工罐区泄漏",
    "latitude": str(LAT),
    "longitude": float(LON),
    "accident_type": "19",
}


def started(world, api, **extra) -> dict:
    r = api("coordinator_x").post(
        "/emergency/incidents", {**BODY, "enterprise": world.chem_a.pk, **extra}
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_given_a_start_when_posted_then_201_with_plans_and_ranked_resources(world, api):
    resources(world)
    p = plans(world)
    body = started(world, api)
    assert body["state"] == "active"
    assert body["division"]["id"] == world.chem_a.division_id
    assert {x["id"] for x in body["plans"]} == {p["comprehensive"].pk, p["poison"].pk}
    teams = body["matched"]["teams"]
    assert [(t["name"], t["km"], t["eta_minutes"], t["fits"]) for t in teams[:2]] == [
        ("东县急救站", 1.0, 4, True),
        ("甲化工专职队", 2.0, 7, True),
    ]
    assert body["matched"]["warehouses"][0]["supplies"][0]["quantity"] == 40
    assert set(body["matched"]["specialities"]) == {"chemical", "gas", "medical"}


def test_given_the_steps_when_posted_then_calls_answers_notes_close_and_timeline(world, api):
    r = resources(world)
    incident = started(world, api)
    client = api("coordinator_x")
    path = f"/emergency/incidents/{incident['id']}"
    res = client.post(f"{path}/calls", {"targets": [{"kind": "team", "id": r["fire"].pk}]})
    assert res.status_code == 200, res.content
    call = res.json()["calls"][0]
    assert (call["name"], call["phone"], call["km"], call["eta_minutes"], call["answer"]) == (
        "东县消防救援站",
        "0571-119",
        "10.00",
        25,
        "waiting",
    )
    again = client.post(f"{path}/calls", {"targets": [{"kind": "team", "id": r["fire"].pk}]})
    assert again.status_code == 409
    ans = client.post(f"/emergency/calls/{call['id']}/answer", {"answer": "accepted"})
    assert ans.status_code == 200 and ans.json()["answer"] == "accepted"
    assert ans.json()["next"] == ["arrived", "declined"]
    assert (
        client.post(f"/emergency/calls/{call['id']}/answer", {"answer": "accepted"}).status_code
        == 409
    )
    note = client.post(f"{path}/notes", {"note": "现场警戒"})
    assert note.status_code == 201
    assert [e["action"] for e in note.json()["events"]] == ["start", "call", "answer", "note"]
    closed = client.post(f"{path}/close", {"outcome": "处置完毕", "lessons": "完善预案"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert client.post(f"{path}/close", {"outcome": "x"}).status_code == 409
    assert client.post(f"{path}/notes", {"note": "x"}).status_code == 409
    line = client.get(f"{path}/timeline").json()
    assert line["state"] == "closed" and line["calls"][0]["next"] == []


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator_x", True),
        ("principal_a", True),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
    ],
)
def test_given_an_incident_when_personas_read_then_only_in_scope(world, api, persona, sees):
    incident = started(world, api)
    client = api(persona)
    path = f"/emergency/incidents/{incident['id']}"
    listed = client.get("/emergency/incidents")
    if sees:
        assert [i["id"] for i in listed.json()["items"]] == [incident["id"]]
        assert client.get(path).status_code == 200
        assert client.get(f"{path}/timeline").status_code == 200
        return
    # Another county and an enterprise elsewhere: an empty list and 404s; a user without a
    # role is refused at the door (403) or sees an empty list.
    assert listed.status_code == 403 or listed.json()["items"] == []
    assert client.get(path).status_code in (403, 404)
    assert client.get(f"{path}/timeline").status_code in (403, 404)
    assert client.post(f"{path}/notes", {"note": "x"}).status_code in (403, 404)
    if persona != "outsider":
        assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "latitude": 95}, "latitude"),
        ({**BODY, "latitude": "３０"}, "latitude"),
        ({**BODY, "accident_type": "42"}, "accident_type"),
        ({**BODY, "title": 5}, "title"),
        ({**BODY, "colour": "red"}, "colour"),
        ({**BODY, "source": "alarm"}, "alarm"),
        ({**BODY, "source": "accident", "accident": 999999}, "accident"),
        ({**BODY, "division": 999999}, "division"),
    ],
)
def test_given_bad_starts_when_posted_then_422_by_field(world, api, body, field):
    r = api("coordinator_x").post("/emergency/incidents", body)
    assert r.status_code == 422, r.content
    assert field in fields(r)


def test_given_roles_without_command_when_starting_then_403(world, api):
    assert api("employee_a").post("/emergency/incidents", BODY).status_code == 403
    assert api("grid_x1").post("/emergency/incidents", BODY).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"targets": []},
        {"targets": [{"kind": "ship", "id": 1}]},
        {"targets": [{"kind": "team", "id": 0}]},
        {"targets": [{"kind": "team", "id": 1, "why": "x"}]},
        {},
        {"targets": [{"kind": "team", "id": 99999999}]},
    ],
)
def test_given_bad_calls_when_posted_then_422(world, api, body):
    incident = started(world, api)
    r = api("coordinator_x").post(f"/emergency/incidents/{incident['id']}/calls", body)
    assert r.status_code == 422, r.content


def test_given_unknown_ids_when_requested_then_404_never_500(world, api):
    client = api("coordinator_x")
    assert client.get("/emergency/incidents/999999").status_code == 404
    assert client.get(f"/emergency/incidents/{2**63}").status_code in (404, 422)
    assert client.post("/emergency/calls/999999/answer", {"answer": "accepted"}).status_code == 404
    assert client.post("/emergency/calls/1/answer", {"answer": "maybe"}).status_code == 422
    assert client.post("/emergency/incidents/999999/close", {"outcome": "x"}).status_code == 404


def test_given_a_grid_officer_when_acting_then_403(world, api):
    r = resources(world)
    incident = started(world, api)
    client = api("grid_x1")
    assert client.get(f"/emergency/incidents/{incident['id']}").status_code == 200
    res = client.post(
        f"/emergency/incidents/{incident['id']}/calls",
        {"targets": [{"kind": "team", "id": r["fire"].pk}]},
    )
    assert res.status_code == 403
