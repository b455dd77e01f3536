"""The accidents API: list and detail in scope (an outsider and another county see
nothing), the quick report and follow-ups with the grade computed and late flags by the
frozen clock, and every refusal a 4xx with field messages, never a 500."""

from __future__ import annotations

import pytest
import time_machine

from anjian.accidents.models import Accident
from tests.accidents.accident_helpers import at, investigate, report
from tests.api.conftest import ApiClient, fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    def for_persona(name: str) -> ApiClient:
        return ApiClient(world.token(name))

    return for_persona


QUICK = {
    "occurred_at": "2026-11-03T09:00:00+08:00",
    "learned_at": "2026-11-03T09:10:00+08:00",
    "place": "东镇一网格1号 罐区",
    "gb6441_type": "19",
    "deaths": 2,
    "serious_injuries": 1,
    "direct_loss_yuan": "1200000",
    "course": "储罐检修时作业人员中毒",
}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator_x", True),
        ("officer_housing_x", True),
        ("grid_x1", True),
        ("principal_a", True),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
        ("audit_admin", False),
    ],
)
def test_given_an_accident_when_personas_read_then_only_those_in_scope_see_it(
    world, api, persona, sees
):
    accident = report(world)
    client = api(persona)

    listed = client.get("/accidents")

    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["items"]] == ([accident.pk] if sees else [])
    assert client.get(f"/accidents/{accident.pk}").status_code == (200 if sees else 404)


def test_given_staff_when_they_post_a_quick_report_then_it_is_graded_and_on_time(world, api):
    with time_machine.travel(at(3, 9, 40), tick=False):
        response = api("safety_a").post("/accidents", QUICK)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enterprise"]["id"] == world.chem_a.pk
    assert (body["grade"], body["decided_by"]) == (
        "general",
        ["deaths", "serious_injuries", "direct_loss"],
    )
    assert body["late_quick_report"] is False
    assert body["direct_loss_yuan"] == "1200000.00"
    assert [r["kind"] for r in body["reports"]] == ["quick"]
    assert body["deadlines"]["followup_ends"] == "2026-12-03"
    assert body["deadlines"]["investigation_due"] == "2027-01-02"
    assert "followup" in body["actions"] and "investigate" not in body["actions"]


def test_given_a_quick_report_after_the_hour_when_posted_then_it_is_flagged_late(world, api):
    with time_machine.travel(at(3, 10, 11), tick=False):
        body = api("safety_a").post("/accidents", QUICK).json()
    assert body["late_quick_report"] is True and body["reports"][0]["late"] is True


def test_given_a_follow_up_with_three_deaths_then_the_accident_becomes_larger(world, api):
    accident = report(world, deaths=2)
    client = api("safety_a")

    with time_machine.travel(at(6), tick=False):
        response = client.post(
            f"/accidents/{accident.pk}/followups",
            {"version": 1, "deaths": 3, "course": "一名伤员死亡"},
        )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["grade"], body["deaths"], body["version"]) == ("larger", 3, 2)
    assert [(r["number"], r["grade"], r["late"]) for r in body["reports"]] == [
        (1, "general", False),
        (2, "larger", False),
    ]


def test_given_a_road_accident_when_the_follow_up_comes_on_day_eight_then_it_is_late(world, api):
    accident = report(world, gb6441_type="02", road_or_fire=True)
    with time_machine.travel(at(11, 9), tick=False):
        body = (
            api("safety_a")
            .post(f"/accidents/{accident.pk}/followups", {"deaths": 1, "course": "x"})
            .json()
        )
    assert body["reports"][-1]["late"] is True


def test_given_a_stale_version_when_following_up_then_409(world, api):
    accident = report(world)
    client = api("safety_a")
    assert (
        client.post(
            f"/accidents/{accident.pk}/followups", {"version": 1, "deaths": 1, "course": "a"}
        ).status_code
        == 200
    )

    response = client.post(
        f"/accidents/{accident.pk}/followups", {"version": 1, "deaths": 2, "course": "b"}
    )

    assert response.status_code == 409
    assert "detail" in response.json()


def test_given_a_withdrawn_accident_when_following_up_then_409(world, api):
    from anjian.accidents import services
    from tests.accidents.accident_helpers import actor

    accident = report(world)
    services.accident_withdraw(
        actor=actor(world.user("safety_a")), accident_id=accident.pk, reason="误报"
    )

    response = api("safety_a").post(
        f"/accidents/{accident.pk}/followups", {"deaths": 1, "course": "x"}
    )
    assert response.status_code == 409


def test_given_a_grid_officer_who_did_not_report_when_following_up_then_403(world, api):
    accident = report(world)
    response = api("grid_x1").post(
        f"/accidents/{accident.pk}/followups", {"deaths": 1, "course": "x"}
    )
    assert response.status_code == 403


def test_given_another_county_when_following_up_then_404(world, api):
    accident = report(world)
    response = api("coordinator_y").post(
        f"/accidents/{accident.pk}/followups", {"deaths": 1, "course": "x"}
    )
    assert response.status_code == 404
    assert api("coordinator_y").post(
        "/accidents/99999999999999999999/followups", {"deaths": 1}
    ).status_code in (404, 422)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deaths": -1}, "deaths"),
        ({"deaths": "３"}, "deaths"),
        ({"deaths": 1.5}, "deaths"),
        ({"serious_injuries": True}, "serious_injuries"),
        ({"direct_loss_yuan": "lots"}, "direct_loss_yuan"),
        ({"direct_loss_yuan": 1e15}, "direct_loss_yuan"),
        ({"place": 12}, "place"),
        ({"place": ""}, "place"),
        ({"course": None}, "course"),
        ({"gb6441_type": {"a": 1}}, "gb6441_type"),
        ({"gb6441_type": "99"}, "gb6441_type"),
        ({"occurred_at": "soon"}, "occurred_at"),
        ({"learned_at": "2026-11-03T08:00:00+08:00"}, "learned_at"),
        ({"division": "x"}, "division"),
        ({"division": [1]}, "division"),
        ({"enterprise": 10**30}, "enterprise"),
        ({"latitude": 95, "longitude": 120}, "latitude"),
        ({"latitude": 30}, "longitude"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_given_a_bad_quick_report_when_posted_then_422_by_field_never_500(
    world, api, change, field
):
    with time_machine.travel(at(3, 9, 40), tick=False):
        response = api("safety_a").post("/accidents", {**QUICK, **change})

    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Accident.objects.exists()


def test_given_a_bad_follow_up_version_when_posted_then_422(world, api):
    accident = report(world)
    response = api("safety_a").post(
        f"/accidents/{accident.pk}/followups", {"version": "1", "deaths": 1, "course": "x"}
    )
    assert response.status_code == 422
    assert "version" in fields(response)


def test_given_no_json_when_posted_then_400(world, api):
    assert api("safety_a").post("/accidents", raw="{not json").status_code == 400


@pytest.mark.parametrize("persona", ["outsider", "audit_admin", "platform_admin"])
def test_given_no_reporting_role_when_posting_then_403(world, api, persona):
    with time_machine.travel(at(3, 9, 40), tick=False):
        response = api(persona).post("/accidents", {**QUICK, "division": world.grid_x1.pk})
    assert response.status_code == 403


def test_given_filters_when_listing_then_they_apply(world, api):
    general = report(world, deaths=1)
    larger = report(world, "coordinator_x", division_id=world.grid_x2.pk, deaths=5)
    investigate(world, general)
    client = api("coordinator_x")

    def ids(**params):
        response = client.get("/accidents", **params)
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["items"]}

    assert ids(grade="larger") == {larger.pk}
    assert ids(state="investigating") == {general.pk}
    assert ids(enterprise=world.chem_a.pk) == {general.pk}
    assert ids(division=world.grid_x2.pk) == {larger.pk}
    assert ids(**{"from": "2026-11-03", "to": "2026-11-03"}) == {general.pk, larger.pk}
    assert ids(**{"from": "2026-11-04"}) == set()
    assert client.get("/accidents", grade="huge").status_code == 422
    assert client.get("/accidents", type="21").status_code == 422


def test_given_an_investigation_then_the_detail_shows_it(world, api):
    accident = report(world)
    investigate(world, accident)

    body = api("coordinator_x").get(f"/accidents/{accident.pk}").json()

    assert body["investigation"]["level"] == "county"
    assert body["investigation"]["due_on"] == "2027-01-02"
    assert body["investigation"]["checklist"]["causes_found"] is False
    assert [e["action"] for e in body["events"]] == ["report", "investigate"]
    assert set(body["actions"]) >= {"extend", "close", "accountable"}


def test_given_an_unknown_field_when_posting_then_422_names_it_in_the_users_language(world, api):
    from django.utils.translation import gettext

    with time_machine.travel(at(3, 9, 40), tick=False):
        response = api("safety_a").post("/accidents", {**QUICK, "colour": "red"})
    assert response.status_code == 422
    assert gettext("Unknown field.") in str(response.json())
    assert not Accident.objects.exists()
