"""Deadline extensions and overdue hazards over HTTP: scoped, refusals mapped."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from anjian.hazards.jobs import hazard_deadlines_run
from anjian.hazards.models import DeadlineExtension
from tests.hazards.helpers import bring

from .conftest import ApiClient

TZ = ZoneInfo("Asia/Shanghai")


def test_given_manager_and_officer_when_extension_asked_and_decided_over_api_then_recorded(world):
    hazard = bring(world, "general_rectifying")
    new = (hazard.deadline + dt.timedelta(days=7)).isoformat()
    principal = ApiClient(world.token("principal_a"))
    bad = principal.post(f"/hazards/{hazard.pk}/extensions", {"new_deadline": "x", "reason": ""})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"new_deadline", "reason"}
    made = principal.post(
        f"/hazards/{hazard.pk}/extensions", {"new_deadline": new, "reason": "缺件"}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["state"] == "requested" and body["new_deadline"] == new
    assert body["may_decide"] is False
    again = principal.post(
        f"/hazards/{hazard.pk}/extensions", {"new_deadline": new, "reason": "再"}
    )
    assert again.status_code == 409
    assert (
        ApiClient(world.token("employee_a"))
        .post(f"/hazards/{hazard.pk}/extensions", {"new_deadline": new, "reason": "x"})
        .status_code
        == 403
    )
    assert (
        ApiClient(world.token("principal_c"))
        .post(f"/hazards/{hazard.pk}/extensions", {"new_deadline": new, "reason": "x"})
        .status_code
        == 404
    )

    officer = ApiClient(world.token("officer_emergency_x"))
    waiting = officer.get("/deadline-extensions", state="requested").json()
    assert waiting["count"] == 1 and waiting["items"][0]["may_decide"] is True
    assert ApiClient(world.token("coordinator_y")).get("/deadline-extensions").json()["count"] == 0
    assert ApiClient(world.token("outsider")).get("/deadline-extensions").json()["count"] == 0
    ext_id = body["id"]
    assert (
        ApiClient(world.token("grid_x1"))
        .post(f"/deadline-extensions/{ext_id}/decision", {"approve": True})
        .status_code
        == 403
    )
    assert (
        ApiClient(world.token("coordinator_y"))
        .post(f"/deadline-extensions/{ext_id}/decision", {"approve": True})
        .status_code
        == 404
    )
    assert (
        officer.post(f"/deadline-extensions/{ext_id}/decision", {"approve": "yes"}).status_code
        == 422
    )
    assert (
        officer.post(f"/deadline-extensions/{ext_id}/decision", {"approve": False}).status_code
        == 422
    )
    done = officer.post(
        f"/deadline-extensions/{ext_id}/decision", {"approve": True, "note": "同意"}
    )
    assert done.status_code == 200 and done.json()["state"] == "approved"
    assert done.json()["decided_by"] == "officer_emergency_x"
    assert (
        officer.post(
            f"/deadline-extensions/{ext_id}/decision", {"approve": False, "note": "x"}
        ).status_code
        == 409
    )
    history = principal.get(f"/hazards/{hazard.pk}/extensions").json()
    assert [e["state"] for e in history] == ["approved"]
    assert (
        ApiClient(world.token("principal_c")).get(f"/hazards/{hazard.pk}/extensions").status_code
        == 404
    )
    assert DeadlineExtension.objects.count() == 1


def test_given_overdue_hazard_when_listed_over_api_then_scoped_with_level(world):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        hazard = bring(world, "general_rectifying")
    with time_machine.travel(start + dt.timedelta(days=16), tick=False):
        hazard_deadlines_run()
        body = ApiClient(world.token("coordinator_x")).get("/overdue-hazards").json()
        assert body["count"] == 1
        item = body["items"][0]
        assert item["id"] == hazard.pk and item["escalation_level"] == 2
        assert item["days_overdue"] == 6 and item["deadline_basis"] == "five_fixes"
        assert (
            ApiClient(world.token("coordinator_x"))
            .get("/overdue-hazards", escalation_level=3)
            .json()["count"]
            == 0
        )
        for who in ("coordinator_y", "officer_housing_x", "outsider"):
            assert ApiClient(world.token(who)).get("/overdue-hazards").json()["count"] == 0
        assert ApiClient(world.token("principal_a")).get("/overdue-hazards").json()["count"] == 1
