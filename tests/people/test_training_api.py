"""The workers / trainings / certificates API: scoped lists (another county and an
outsider see nothing), masked id numbers, writes by the keepers only, every refusal a
4xx (unknown fields, bad values, others' workers), never a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.core.audit import Actor
from anjian.people import training_services as ts
from anjian.people import worker_services as ws
from tests.api.conftest import ApiClient, fields

pytestmark = pytest.mark.django_db

ID_A = "330101198506151231"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    return lambda name: ApiClient(world.token(name))


def worker(world, name="王五", number=ID_A):
    return ws.worker_create(
        actor=Actor.for_user(world.user("safety_a"), "test"),
        data={"name": name, "id_number": number},
    )


def test_given_a_keeper_when_posting_a_worker_then_201_masked(world, api):
    client = api("safety_a")
    response = client.post("/workers", {"name": "王五", "id_number": ID_A, "post": "电工"})
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["id_number_masked"] == "3301**********1231" and ID_A not in response.content.decode()
    assert out["enterprise"]["id"] == world.chem_a.pk
    assert client.get("/workers").json()["count"] == 1


def test_given_bad_bodies_then_422_with_fields_and_403_for_others(world, api):
    client = api("safety_a")
    bad = client.post("/workers", {"name": "", "id_number": "123", "extra": 1})
    assert bad.status_code == 422
    assert api("coordinator_x").post("/workers", {"name": "王五"}).status_code == 403
    bad = client.post("/workers", {"name": "王五", "id_number": "330101198506151232"})
    assert bad.status_code == 422 and "id_number" in fields(bad)


def test_given_a_worker_when_patched_and_leaving_then_200_and_others_404_or_403(world, api):
    w = worker(world)
    client = api("principal_a")
    response = client.patch(f"/workers/{w.pk}", {"post": "焊工", "active": False})
    assert response.status_code == 200, response.content
    assert response.json()["post"] == "焊工" and response.json()["active"] is False
    assert api("principal_c").patch(f"/workers/{w.pk}", {"post": "x"}).status_code == 404
    assert api("coordinator_x").patch(f"/workers/{w.pk}", {"post": "x"}).status_code == 403
    assert client.patch(f"/workers/{w.pk}", {"active": "maybe"}).status_code == 422
    assert client.get("/workers/99999999").status_code == 404
    assert client.get("/workers/0").status_code == 404


@pytest.mark.parametrize(
    ("name", "count"), [("coordinator_x", 1), ("coordinator_y", 0), ("outsider", 0)]
)
def test_given_personas_then_lists_follow_scope(world, api, name, count):
    w = worker(world)
    ts.certificate_create(
        actor=Actor.for_user(world.user("safety_a"), "test"),
        worker_id=w.pk,
        data={"kind": "principal", "number": "A1", "issued_on": "2025-01-01"},
    )
    client = api(name)
    if name == "outsider":
        # No role: the API refuses the caller or shows nothing; never a row.
        response = client.get("/workers")
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert response.json()["count"] == 0
        return
    assert client.get("/workers").json()["count"] == count
    assert client.get("/certificates").json()["count"] == count
    assert client.get(f"/workers/{w.pk}").status_code == (200 if count else 404)


def test_given_trainings_and_certificates_when_posted_then_201_and_warnings_listed(world, api):
    w = worker(world)
    client = api("safety_a")
    response = client.post(
        "/trainings",
        {
            "worker": w.pk,
            "kind": "annual",
            "title": "年度再培训",
            "hours": 8,
            "held_on": "2025-05-01",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["hours"] == "8.0"
    bad = client.post("/trainings", {"worker": w.pk, "kind": "annual", "hours": "x", "bogus": 1})
    assert bad.status_code == 422
    issued = dt.date.today() - dt.timedelta(days=3 * 365 - 10)
    response = client.post(
        "/certificates",
        {
            "worker": w.pk,
            "kind": "special_work",
            "category": "电工作业",
            "item": "低压电工作业",
            "number": ID_A,
            "issued_on": issued.isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["status"] == "review_due" and out["number_masked"] == "3301**********1231"
    warned = client.get("/certificates/warnings").json()
    assert [c["id"] for c in warned["items"]] == [out["id"]]
    assert client.get("/certificates", status="valid").json()["count"] == 0
    assert client.get("/certificates", status="review_due").json()["count"] == 1
    assert client.get("/certificates", status="bogus").status_code == 422
    assert api("coordinator_y").get("/certificates/warnings").json()["count"] == 0
    assert (
        api("coordinator_x")
        .post(
            "/certificates",
            {"worker": w.pk, "kind": "principal", "number": "B", "issued_on": "2025-01-01"},
        )
        .status_code
        == 403
    )
    assert (
        api("principal_c")
        .post(
            "/trainings",
            {"worker": w.pk, "kind": "annual", "title": "x", "hours": 8, "held_on": "2025-01-01"},
        )
        .status_code
        == 404
    )
