"""The self-checks API: records in scope (filters, bad filters 422), one record with its
answers, the idempotent submission, and the authenticity scores, per persona (an outsider
sees nothing)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from anjian.checks.models import AuthenticityRun, CheckRecord, EnterpriseAuthenticity
from tests.checks.conftest import measure_task

from .conftest import fields


@pytest.fixture
def task_a(world):
    return measure_task(world, "safety_a", world.chem_a)


def submission(task, token: str | None = None, **over) -> dict:
    body = {
        "task_id": task.pk,
        "client_token": token or str(uuid.uuid4()),
        "answers": {"1": {"status": "normal", "note": ""}},
        "lat": 30.25,
        "lon": 120.16,
        "accuracy": 12,
        "device_id": "dev-api",
    }
    body.update(over)
    return body


@pytest.fixture
def record(api, task_a):
    response = api("safety_a").post("/checks/records", submission(task_a))
    assert response.status_code == 201, response.content
    return response.json()


def test_given_staff_when_submitting_a_check_then_201_with_the_answers(api, task_a):
    response = api("safety_a").post("/checks/records", submission(task_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["timing"] == "on_time"
    assert [a["status"] for a in body["answers"]] == ["normal"]
    assert body["answers"][0]["check_status"] == 0
    assert body["lat"] == 30.25 and body["device_id"] == "dev-api"


def test_given_a_submission_when_sent_again_with_its_token_then_200_and_no_second_record(
    api, task_a
):
    client = api("safety_a")
    body = submission(task_a)
    first = client.post("/checks/records", body)
    again = client.post("/checks/records", body)
    assert first.status_code == 201 and again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert CheckRecord.objects.filter(task=task_a).count() == 1


def test_given_bad_input_when_submitting_then_422_with_each_field(api, task_a):
    client = api("safety_a")
    response = client.post(
        "/checks/records", {"task_id": "x", "client_token": "nope", "colour": "red"}
    )
    assert response.status_code == 422
    assert {"task_id", "client_token", "colour"} <= set(fields(response))
    response = client.post(
        "/checks/records",
        submission(task_a, answers={"1": {"status": "maybe"}}, lat=91),
    )
    assert response.status_code == 422
    assert {"answers.1.status", "lat"} <= set(fields(response))
    assert not CheckRecord.objects.filter(state="submitted").exists()


def test_given_a_regulator_or_an_outsider_when_submitting_then_refused(api, task_a):
    assert api("coordinator_x").post("/checks/records", submission(task_a)).status_code == 403
    assert api("principal_c").post("/checks/records", submission(task_a)).status_code == 404
    assert api("outsider").post("/checks/records", submission(task_a)).status_code == 404
    assert not CheckRecord.objects.exists()


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("safety_a", True),
        ("employee_a", True),
        ("coordinator_x", True),
        ("officer_emergency_x", True),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
    ],
)
def test_given_a_record_when_personas_read_then_only_those_in_scope_see_it(
    api, world, record, persona, sees
):
    client = api(persona)
    listed = client.get("/checks/records")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == ([record["id"]] if sees else [])
    detail = client.get(f"/checks/records/{record['id']}")
    assert detail.status_code == (200 if sees else 404)


def test_given_filters_when_listing_records_then_they_apply(api, world, record):
    client = api("coordinator_x")
    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()

    def ids(**params):
        response = client.get("/checks/records", **params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["items"]]

    assert ids(enterprise=world.chem_a.pk, timing="on_time") == [record["id"]]
    assert ids(enterprise=world.build_b.pk) == []
    assert ids(timing="late") == []
    assert ids(**{"from": today.isoformat(), "to": today.isoformat()}) == [record["id"]]
    assert ids(**{"from": tomorrow}) == []


def test_given_bad_filters_when_listing_records_then_422_naming_them(api, world):
    response = api("coordinator_x").get(
        "/checks/records", **{"from": "yesterday", "timing": "soon", "enterprise": 0}
    )
    assert response.status_code == 422
    assert {"from", "timing", "enterprise"} <= set(fields(response))
    response = api("coordinator_x").get("/checks/records", to="0001-01-01")
    assert response.status_code == 422 and "to" in fields(response)


@pytest.fixture
def scores(world):
    run = AuthenticityRun.objects.create(
        day=dt.date(2026, 12, 1),
        started_at=timezone.now(),
        finished_at=timezone.now(),
        period_from=timezone.now() - dt.timedelta(days=90),
        period_to=timezone.now(),
        period_days=90,
        enterprises=2,
        flagged_enterprises=1,
        thresholds={"flag_below": 75.0},
    )
    signal = {
        "name": "burst",
        "evidence": {"records": 3, "of": 10, "share": 0.3, "penalty": 0.2, "ids": ["1"]},
    }
    return {
        "a": EnterpriseAuthenticity.objects.create(
            run=run, enterprise=world.chem_a, score=60.0, flag=True, records=10, signals=[signal]
        ),
        "c": EnterpriseAuthenticity.objects.create(
            run=run, enterprise=world.chem_c, score=98.0, records=5
        ),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator_x", ["chem_a"]),
        ("coordinator_y", ["chem_c"]),
        ("platform_admin", ["chem_a", "chem_c"]),
        ("safety_a", []),  # staff read their own enterprise's page, not the ranked list
        ("outsider", []),
    ],
)
def test_given_scores_when_listing_authenticity_then_regulators_see_their_scope(
    api, world, scores, persona, expected
):
    response = api(persona).get("/checks/authenticity")
    assert response.status_code == 200
    assert [i["enterprise_id"] for i in response.json()["items"]] == [
        getattr(world, name).pk for name in expected
    ]


def test_given_a_flagged_enterprise_then_its_signals_carry_the_evidence(api, world, scores):
    body = api("coordinator_x").get("/checks/authenticity", flagged="true").json()
    (item,) = body["items"]
    assert item["flag"] is True and item["threshold"] == 75.0
    (signal,) = item["signals"]
    assert signal["name"] == "burst" and signal["evidence"]["records"] == 3
    assert signal["title"] and signal["summary"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("safety_a", 200), ("coordinator_x", 200), ("principal_c", 404), ("outsider", 404)],
)
def test_given_scores_when_opening_an_enterprises_authenticity_then_scoped(
    api, world, scores, persona, status
):
    response = api(persona).get(f"/checks/authenticity/{world.chem_a.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["latest"]["score"] == 60.0


def test_given_several_records_when_listing_then_the_queries_stay_bounded(
    api, world, django_assert_max_num_queries
):
    for n in range(4):
        task = measure_task(world, "safety_a", world.chem_a, f"检查项 {n}")
        assert api("safety_a").post("/checks/records", submission(task)).status_code == 201
    client = api("coordinator_x")
    with django_assert_max_num_queries(10):
        response = client.get("/checks/records")
    assert response.json()["count"] == 4
