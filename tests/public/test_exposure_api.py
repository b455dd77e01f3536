"""Exposure board API: the public list without a token (published only, no personal
data), proposal and steps with 201/200, 403, 404, 409 and 422, never a 500; scope."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, fields
from tests.penalties.helpers import decided_penalty
from tests.public.exposure_helpers import SUMMARY, propose, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    def for_persona(name: str) -> ApiClient:
        return ApiClient(world.token(name))

    return for_persona


def test_given_entries_when_public_api_read_without_token_then_published_only(world):
    published = walk(world, propose(world), "published")
    propose(world, "coordinator_x", ground="accident")
    walk(world, propose(world, ground="major_hazard_overdue"), "withdrawn")
    answer = ApiClient().get("/public/exposures")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1 and [i["id"] for i in body["items"]] == [published.pk]
    item = body["items"][0]
    assert item["credit_code"] == world.chem_a.uscc and item["summary"] == SUMMARY
    assert set(item) == {
        "id",
        "enterprise_name",
        "credit_code",
        "ground",
        "ground_label",
        "title",
        "summary",
        "published_at",
    }
    assert "张三" not in answer.content.decode() and "李四" not in answer.content.decode()
    assert ApiClient().get("/public/exposures", ground="accident").json()["count"] == 0
    assert ApiClient().get("/public/exposures", ground="nope").status_code == 422
    assert ApiClient().get("/exposures").status_code == 401


def test_given_officer_when_proposing_over_api_then_201_or_refusals(world, api):
    penalty = decided_penalty(world)
    officer = api("officer_emergency_x")
    body = {"ground": "serious_violation", "link": penalty.pk, "summary": SUMMARY}
    assert officer.post("/exposures", {**body, "extra": 1}).status_code == 422
    refused = officer.post("/exposures", {**body, "summary": "身份证330101199001011234"})
    assert refused.status_code == 422 and "summary" in fields(refused)
    missing = officer.post("/exposures", {"ground": "serious_violation"})
    assert missing.status_code == 422 and {"penalty", "summary"} <= set(fields(missing))
    assert api("principal_a").post("/exposures", body).status_code == 403
    other = api("coordinator_y").post("/exposures", body)
    assert other.status_code == 422 and "penalty" in fields(other)
    made = officer.post("/exposures", body)
    assert made.status_code == 201, made.content
    detail = made.json()
    assert detail["state"] == "proposed" and detail["penalty"] == penalty.pk
    assert detail["actions"] == [] and detail["events"][0]["action"] == "propose"
    assert officer.post("/exposures", body).status_code == 409


def test_given_proposal_when_steps_over_api_then_table_enforced(world, api):
    exposure = propose(world)
    coordinator = api("coordinator_x")
    path = f"/exposures/{exposure.pk}"
    assert coordinator.get(path).json()["actions"] == ["approve", "reject"]
    assert api("coordinator_y").post(f"{path}/approve", {}).status_code == 404
    assert api("principal_a").get(path).status_code == 404
    assert api("officer_emergency_x").post(f"{path}/approve", {}).status_code == 403
    assert coordinator.post(f"{path}/publish", {}).status_code == 409
    assert coordinator.post(f"{path}/fly", {}).status_code in (404, 422)
    assert coordinator.post("/exposures/999999/approve", {}).status_code == 404
    assert coordinator.post(f"{path}/approve", {"reason": 1}).status_code == 422
    approved = coordinator.post(f"{path}/approve", {})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert coordinator.post(f"{path}/approve", {}).status_code == 409
    assert coordinator.post(f"{path}/publish").status_code == 200
    assert api("principal_a").get(path).json()["state"] == "published"
    no_reason = coordinator.post(f"{path}/withdraw", {})
    assert no_reason.status_code == 422 and "reason" in fields(no_reason)
    gone = coordinator.post(f"{path}/withdraw", {"reason": "经复核撤下"})
    assert gone.status_code == 200 and gone.json()["withdraw_reason"] == "经复核撤下"
    assert ApiClient().get("/public/exposures").json()["count"] == 0


def test_given_entries_when_listed_over_api_then_scoped_and_filtered(world, api):
    propose(world)
    walk(world, propose(world, ground="major_hazard_overdue"), "published")
    assert api("coordinator_x").get("/exposures").json()["count"] == 2
    assert api("coordinator_x").get("/exposures", state="published").json()["count"] == 1
    assert api("coordinator_y").get("/exposures").json()["count"] == 0
    assert api("principal_a").get("/exposures").json()["count"] == 1
    assert api("outsider").get("/exposures").json()["count"] == 0
    assert api("coordinator_x").get("/exposures", state="nope").status_code == 422
