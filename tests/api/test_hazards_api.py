"""The hazards API: the ledger list, one hazard with history and next steps, reporting,
the steps (JSON and multipart), photos, duplicates, the lists and the workflow table;
per persona, with every refusal's status and reason."""

from __future__ import annotations

import io
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from anjian.hazards.models import Hazard, HazardEvent, HazardPhoto
from tests import clock
from tests.hazards.helpers import (
    MAJOR_ITEM,
    bring,
    do,
    five_fixes,
    in_days,
    photo,
    report,
    report_data,
    step_data,
)
from tests.world import EXPECTED_ENTERPRISES, build_world

from .conftest import BASE, ApiClient, fields

YEAR = clock.TODAY.year

pytestmark = pytest.mark.usefixtures("clock_at_ten")


def post_multipart(client: ApiClient, path: str, data: dict, files: list | None = None):
    body = dict(data)
    if files is not None:
        body["photos"] = files
    return client.client.post(BASE + path, body, headers=client.headers)


def act(client: ApiClient, hazard: Hazard, action: str, data=None, version=None):
    body: dict = {"data": data or {}}
    if version is not None:
        body["expected_version"] = version
    return client.post(f"/hazards/{hazard.pk}/actions/{action}", body)


def act_multipart(client: ApiClient, hazard: Hazard, action: str, data, photos, version=None):
    import json

    form = {"data": json.dumps(data)}
    if version is not None:
        form["expected_version"] = str(version)
    return post_multipart(client, f"/hazards/{hazard.pk}/actions/{action}/multipart", form, photos)


@pytest.fixture
def hazards(world):
    a = report(world, description="呼吸阀堵塞")
    c = report(world, who="principal_c", enterprise=world.chem_c, description="静电接地断开")
    return {"a": a, "c": c}


# --- GET /hazards --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_each_persona_when_listing_then_only_hazards_in_scope(world, api, hazards, persona):
    response = api(persona).get("/hazards")
    assert response.status_code == 200
    body = response.json()
    allowed = {getattr(world, n).pk for n in EXPECTED_ENTERPRISES[persona]}
    expected = {h.number for h in hazards.values() if h.enterprise_id in allowed}
    assert {i["number"] for i in body["items"]} == expected
    assert body["count"] == len(expected)


def test_given_the_ledger_when_listed_then_items_carry_what_a_row_shows(world, api, hazards):
    listed = bring(world, "major_listed")
    overdue = bring(world, "general_rectifying")
    Hazard.objects.filter(pk=overdue.pk).update(deadline=timezone.localdate().replace(year=2020))
    response = api("coordinator_x").get("/hazards", counts="true", limit=10)
    assert response.status_code == 200
    body = response.json()
    by_number = {i["number"]: i for i in body["items"]}
    item = by_number[listed.number]
    assert item["enterprise"] == {"id": world.chem_a.pk, "name": world.chem_a.name}
    # Listing is a step in parallel: the state stays "reported", the flag tells.
    assert (item["state"], item["level"], item["listed"], item["overdue"]) == (
        "reported",
        "major",
        True,
        False,
    )
    assert item["state_label"] and item["level_label"]
    assert by_number[overdue.number]["overdue"] is True
    past = timezone.localdate().replace(year=2020).isoformat()
    assert by_number[overdue.number]["deadline"] == past
    assert body["count_capped"] is False
    assert body["counts"] == {
        "total": 3,
        "total_capped": False,
        "open": 3,
        "overdue": 1,
        "major_open": 1,
        "closed": 0,
        "listed_open": 1,
    }
    assert api("coordinator_x").get("/hazards").json().get("counts") is None


def test_given_filters_and_paging_when_listed_then_applied(world, api, hazards):
    bring(world, "general_closed")
    client = api("platform_admin")
    body = client.get("/hazards", state="closed").json()
    assert body["count"] == 1 and body["items"][0]["state"] == "closed"
    body = client.get("/hazards", state="open,closed", enterprise=world.chem_c.pk).json()
    assert [i["number"] for i in body["items"]] == [hazards["c"].number]
    body = client.get("/hazards", q="呼吸阀").json()
    assert body["count"] == 2  # the reported one and the closed one share the description
    page1 = client.get("/hazards", limit=1).json()
    page2 = client.get("/hazards", limit=1, offset=1).json()
    assert page1["count"] == page2["count"] == 3
    assert page1["items"][0]["number"] != page2["items"][0]["number"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"enterprise": "NaN"}, "enterprise"),
        ({"division": "1e999"}, "division"),
        ({"industry": str(2**64)}, "industry"),
        ({"reported_from": "2026-02-30"}, "reported_from"),
        ({"overdue": "perhaps"}, "overdue"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": str(2**64)}, "offset"),
        ({"limit": "NaN"}, "limit"),
    ],
)
def test_given_a_bad_filter_when_listing_then_422_naming_it(world, api, params, field):
    response = api("coordinator_x").get("/hazards", **params)
    assert response.status_code == 422
    assert field in fields(response)


def test_given_no_token_when_listing_then_401(world):
    assert Client().get(BASE + "/hazards").status_code == 401


# --- GET /hazards/{id} ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_each_persona_when_reading_a_hazard_then_200_in_scope_else_404(
    world, api, hazards, persona
):
    response = api(persona).get(f"/hazards/{hazards['a'].pk}")
    if "chem_a" in EXPECTED_ENTERPRISES[persona]:
        assert response.status_code == 200
        assert response.json()["number"] == hazards["a"].number
    else:
        assert response.status_code == 404
        assert response.json()["detail"]


def test_given_an_unknown_id_and_a_hidden_one_when_read_then_the_same_404(world, api, hazards):
    client = api("principal_a")
    hidden = client.get(f"/hazards/{hazards['c'].pk}")
    unknown = client.get("/hazards/987654")
    huge = client.get(f"/hazards/{2**70}")
    assert hidden.status_code == unknown.status_code == huge.status_code == 404
    assert hidden.json() == unknown.json() == huge.json()


def test_given_a_major_hazard_when_read_then_everything_and_next_steps_with_reasons(world, api):
    hazard = bring(world, "major_confirmed")
    hazard = do(world, "coordinator_x", hazard, "list", True)
    body = api("principal_a").get(f"/hazards/{hazard.pk}").json()
    assert body["state"] == "reported"  # confirmed and listed: both steps in parallel
    assert body["major"]["basis"] == "list_item"
    assert body["major"]["item"]["item_id"] == MAJOR_ITEM
    assert body["major"]["confirmed_by"] == "expert_x"
    assert body["listing"]["listed_by"] == "coordinator_x"
    assert body["listing"]["division"]["id"] == world.county_x.pk
    assert body["listing"]["deadline"] == in_days(60)
    assert body["five_fixes"] is None and body["acceptance"] is None
    assert body["version"] == hazard.version
    assert [e["action"] for e in body["events"]] == ["report", "confirm_major", "list"]
    event = body["events"][1]
    assert (event["actor"], event["actor_role"], event["from_state"], event["to_state"]) == (
        "expert_x",
        "expert",
        "reported",
        "reported",
    )
    assert event["note"] and event["at"] and event["action_label"]
    listing = body["events"][2]
    assert (listing["actor"], listing["from_state"], listing["to_state"]) == (
        "coordinator_x",
        "reported",
        "reported",
    )
    # The principal plans the remedy at once (set_plan, not the five fixes alone), may
    # stop production and reports to the workers' congress.
    assert [a["action"] for a in body["available_actions"]] == [
        "report_to_workers",
        "set_plan",
        "suspend",
    ]
    refused = {r["action"]: r for r in body["why_not"]}
    assert refused["set_five_fixes"]["status"] == 409  # a major hazard needs the plan
    assert refused["fix_on_spot"]["status"] == 403  # the listing body reviews, not chem_a
    for action in ("confirm_major", "dismiss_major", "order", "list", "make_major"):
        assert refused[action]["status"] == 403, action
    assert all(r["reason"] for r in body["why_not"])
    available = {a["action"] for a in body["available_actions"]}
    assert available.isdisjoint(refused)

    grid = api("grid_x1").get(f"/hazards/{hazard.pk}").json()
    assert grid["available_actions"] == []
    refused = {r["action"]: r for r in grid["why_not"]}
    assert refused["set_plan"]["status"] == 403 and refused["set_plan"]["reason"]
    assert refused["suspend"]["status"] == 403  # the grid officer neither listed nor leads

    expert = api("expert_x").get(f"/hazards/{hazard.pk}").json()
    assert expert["available_actions"] == []
    refused = {r["action"]: r["status"] for r in expert["why_not"]}
    assert refused["confirm_major"] == 409  # already confirmed
    assert refused["dismiss_major"] == 409  # listed: the listing body decided


def test_given_a_general_reported_hazard_when_read_then_guard_refusals_are_409(world, api):
    hazard = report(world)
    body = api("coordinator_x", language="en").get(f"/hazards/{hazard.pk}").json()
    # The office may decide it is major or order it rectified (and then review it).
    assert [a["action"] for a in body["available_actions"]] == ["make_major", "order"]
    refused = {r["action"]: r for r in body["why_not"]}
    # chem_a found it, so chem_a accepts it: a regulator is not its acceptor.
    assert refused["fix_on_spot"]["status"] == 403
    assert refused["confirm_major"]["status"] == 403  # experts only
    assert refused["set_five_fixes"]["status"] == 403
    expert = api("expert_x", language="en").get(f"/hazards/{hazard.pk}").json()
    refused = {r["action"]: r for r in expert["why_not"]}
    assert refused["confirm_major"]["status"] == 409  # the right party, a general hazard
    assert "general hazard" in refused["confirm_major"]["reason"]


def test_given_photos_when_read_then_download_urls_scoped(world, api):
    hazard = report(world, photos=[photo("JPEG", "before.jpg")])
    body = api("safety_a").get(f"/hazards/{hazard.pk}").json()
    [p] = body["photos"]
    assert p["kind"] == "before" and p["image_format"] == "JPEG"
    assert body["events"][0]["photo_ids"] == [p["id"]]
    path = p["url"].removeprefix(BASE)
    response = api("grid_x1").get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    content = b"".join(response.streaming_content)
    stored = HazardPhoto.objects.get(pk=p["id"])
    with stored.image.open("rb") as f:
        assert content == f.read()
    for persona in ("principal_c", "outsider", "officer_housing_x"):
        assert api(persona).get(path).status_code == 404
    other = report(world)
    assert api("safety_a").get(f"/hazards/{other.pk}/photos/{p['id']}").status_code == 404
    assert api("safety_a").get(f"/hazards/{hazard.pk}/photos/{2**70}").status_code == 404


# --- POST /hazards -------------------------------------------------------------------------------


def test_given_a_valid_report_when_posted_then_201_with_hazard_and_similar(world, api):
    first = report(world)
    response = api("employee_a").post(
        "/hazards", {"enterprise_id": world.chem_a.pk, **report_data()}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["hazard"]["number"] == f"330101-{YEAR}-00002"
    assert body["hazard"]["state"] == "reported" and body["hazard"]["version"] == 1
    assert body["hazard"]["events"][0]["via"] == "api"
    assert [s["number"] for s in body["similar"]] == [first.number]
    assert body["similar"][0]["score"] > 50


def test_given_a_report_with_a_list_item_when_posted_then_major(world, api):
    response = api("safety_a").post(
        "/hazards", {"enterprise_id": world.chem_a.pk, **report_data(major_item=MAJOR_ITEM)}
    )
    assert response.status_code == 201
    assert response.json()["hazard"]["level"] == "major"


def test_given_bad_report_fields_when_posted_then_422_every_field(world, api):
    response = api("safety_a").post(
        "/hazards",
        {
            "enterprise_id": world.chem_a.pk,
            "source": "rumour",
            "hazard_type": "5",
            "description": "",
            "major_item": "no-such-item",
            "surprise": 1,
        },
    )
    assert response.status_code == 422
    got = fields(response)
    for name in (
        "source",
        "hazard_type",
        "category",
        "handling",
        "description",
        "major_item",
        "surprise",
    ):
        assert name in got, name
    assert Hazard.objects.count() == 0


def test_given_values_of_the_wrong_json_type_when_reporting_then_422_names_each(world, api):
    # Refused at the boundary, all of them at once, before the service reads anything.
    response = api("safety_a").post(
        "/hazards",
        {
            "enterprise_id": world.chem_a.pk,
            "hazard_type": 5,
            "location": ["x"],
            "name": 0,
            "risk_unit_id": "１２",
        },
    )
    assert response.status_code == 422
    assert set(fields(response)) == {"hazard_type", "location", "name", "risk_unit_id"}
    assert Hazard.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"enterprise_id": NaN}', None),
        ('{"enterprise_id": "abc"}', "enterprise_id"),
        ('{"enterprise_id": 1e999}', None),
        ('{"enterprise_id": 99999999999999999999999}', "enterprise_id"),
        ('{"enterprise_id": true}', "enterprise_id"),
        ("[]", "__all__"),
        ("not json", None),
        ('{"source": "self_check"}', "enterprise_id"),
    ],
)
def test_given_malformed_report_bodies_when_posted_then_4xx_never_500(world, api, raw, field):
    response = api("safety_a").post("/hazards", raw=raw)
    assert response.status_code in (400, 422), response.content
    if field is not None:
        assert response.status_code == 422
        assert field in fields(response)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("outsider", 404),
        ("principal_c", 404),
        ("officer_housing_x", 404),
        ("audit_admin", 404),
        ("platform_admin", 403),  # sees the registry, but is no party to a hazard
    ],
)
def test_given_a_persona_who_may_not_report_when_posting_then_refused(world, api, persona, status):
    response = api(persona).post("/hazards", {"enterprise_id": world.chem_a.pk, **report_data()})
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert Hazard.objects.count() == 0


def test_given_photos_when_reported_multipart_then_stored(world, api):
    import json

    response = post_multipart(
        api("safety_a"),
        "/hazards/multipart",
        {"enterprise_id": str(world.chem_a.pk), "data": json.dumps(report_data())},
        [photo("PNG", "a.png"), photo("WEBP", "b.webp")],
    )
    assert response.status_code == 201, response.content
    body = response.json()["hazard"]
    assert sorted(p["image_format"] for p in body["photos"]) == ["PNG", "WEBP"]
    assert all(p["kind"] == "before" for p in body["photos"])


@pytest.mark.parametrize(
    ("upload", "needle"),
    [
        (lambda: _named(b"%PDF-1.7 not an image", "scan.png"), "PNG, JPEG or WebP"),
        (lambda: _named(b"GIF89a" + b"\x00" * 20, "anim.gif"), "PNG, JPEG or WebP"),
        (lambda: _big(), "10 MB"),
    ],
)
def test_given_a_bad_photo_when_reported_then_422_on_photos_and_nothing_written(
    world, api, upload, needle
):
    import json

    response = post_multipart(
        api("safety_a", language="en"),
        "/hazards/multipart",
        {"enterprise_id": str(world.chem_a.pk), "data": json.dumps(report_data())},
        [upload()],
    )
    assert response.status_code == 422
    assert any(needle in m for m in fields(response)["photos"])
    assert Hazard.objects.count() == 0


def _named(content: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def _big() -> io.BytesIO:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="PNG")
    f = io.BytesIO(buf.getvalue() + b"\x00" * (10 * 1024 * 1024))
    f.name = "huge.png"
    return f


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", '{"x": NaN}', "7"])
def test_given_bad_multipart_data_when_reported_then_422_on_data(world, api, data):
    response = post_multipart(
        api("safety_a"), "/hazards/multipart", {"enterprise_id": str(world.chem_a.pk), "data": data}
    )
    assert response.status_code == 422
    assert "data" in fields(response)


# --- the steps -----------------------------------------------------------------------------------


MAJOR_WALK = [
    ("expert_x", "confirm_major"),
    ("coordinator_x", "list"),
    ("principal_a", "report_to_workers"),
    ("principal_a", "set_plan"),
    ("safety_a", "start"),
    ("safety_a", "submit"),
    ("coordinator_x", "accept"),  # the listing body reviews and closes it
    ("coordinator_x", "accountability_review"),
]


def test_given_a_major_hazard_when_walked_end_to_end_through_the_api_then_closed(world, api):
    created = api("safety_a").post(
        "/hazards", {"enterprise_id": world.chem_a.pk, **report_data(major_item=MAJOR_ITEM)}
    )
    assert created.status_code == 201
    hazard = Hazard.objects.get(pk=created.json()["hazard"]["id"])
    version = created.json()["hazard"]["version"]
    for who, action in MAJOR_WALK:
        client = api(who)
        before = client.get(f"/hazards/{hazard.pk}").json()
        assert action in [a["action"] for a in before["available_actions"]], (who, action)
        if action == "accept":
            # Listed by the office, so not the enterprise's to accept.
            refused = act(api("principal_a"), hazard, action, step_data(action, True)[0])
            assert refused.status_code == 403
        data, photos = step_data(action, True)
        if photos:
            response = act_multipart(client, hazard, action, data, photos, version)
        else:
            response = act(client, hazard, action, data, version)
        assert response.status_code == 200, (action, response.content)
        version = response.json()["version"]
    body = api("coordinator_x").get(f"/hazards/{hazard.pk}").json()
    assert body["state"] == "closed" and body["number_national_state"] == "9"
    assert body["workers_reported_on"] == timezone.localdate().isoformat()
    assert body["acceptance"]["accepted_by"] == "coordinator_x"
    assert body["accountability_review"]["persons_accountable"][0]["name"] == "赵六"
    assert body["five_fixes"]["owner"] == "王工"
    assert set(body["remediation_plan"]) == set(five_fixes(True)["plan"])
    assert [p["kind"] for p in body["photos"]] == ["after"]
    assert [e["action"] for e in body["events"]] == ["report"] + [a for _, a in MAJOR_WALK]
    assert all(e["via"] == "api" for e in body["events"])
    # Closed and reviewed: the office may still reopen it (回头看); the enterprise has
    # nothing left to do.
    assert [a["action"] for a in body["available_actions"]] == ["reopen"]
    assert api("principal_a").get(f"/hazards/{hazard.pk}").json()["available_actions"] == []
    listed = api("coordinator_x").get("/hazards", listed="true", state="closed").json()
    assert [i["id"] for i in listed["items"]] == [hazard.pk]


def test_given_the_wrong_party_when_acting_then_403_with_who_may(world, api):
    hazard = bring(world, "major_reported")
    response = act(api("safety_a", language="en"), hazard, "confirm_major", {"note": "确认"})
    assert response.status_code == 403
    assert "expert" in response.json()["detail"]
    assert HazardEvent.objects.filter(hazard=hazard).count() == 1


def test_given_the_wrong_state_or_guard_when_acting_then_409_with_the_reason(world, api):
    hazard = bring(world, "general_reported")
    response = act(api("coordinator_x", language="en"), hazard, "accept", {})
    assert response.status_code == 409
    assert "Cannot" in response.json()["detail"]
    response = act(api("expert_x", language="en"), hazard, "confirm_major", {"note": "x"})
    assert response.status_code == 409
    assert "general hazard" in response.json()["detail"]


def test_given_a_stale_version_when_acting_then_409(world, api):
    hazard = bring(world, "general_reported")
    response = act(
        api("safety_a"), hazard, "set_five_fixes", five_fixes(), version=hazard.version + 5
    )
    assert response.status_code == 409
    hazard.refresh_from_db()
    assert hazard.state == "reported"


def test_given_missing_step_data_when_acting_then_422_fields(world, api):
    hazard = bring(world, "general_reported")
    response = act(api("safety_a"), hazard, "set_five_fixes", {"funds": "-1", "deadline": "x"})
    assert response.status_code == 422
    got = fields(response)
    assert {"owner", "measures", "funds", "deadline", "contingency_plan"} <= set(got)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": [1]}, "data"),
        ({"data": "text"}, "data"),
        ({"data": {}, "expected_version": "abc"}, "expected_version"),
        ({"data": {}, "expected_version": 2**70}, "expected_version"),
        ({"data": {}, "expected_version": -1}, "expected_version"),
        ({"data": {}, "expected_version": True}, "expected_version"),
        ({"data": {}, "surprise": 1}, "surprise"),
    ],
)
def test_given_a_malformed_step_body_when_acting_then_422(world, api, body, field):
    hazard = bring(world, "general_reported")
    response = api("safety_a").post(f"/hazards/{hazard.pk}/actions/start", body)
    assert response.status_code == 422
    assert field in fields(response)


def test_given_an_unknown_action_when_acting_then_422_not_500(world, api):
    hazard = bring(world, "general_reported")
    response = act(api("safety_a"), hazard, "explode", {})
    assert response.status_code == 422
    assert "action" in fields(response)
    long = api("safety_a").post(f"/hazards/{hazard.pk}/actions/{'x' * 500}", {"data": {}})
    assert long.status_code == 422


@pytest.mark.parametrize("persona", ["outsider", "principal_c", "officer_housing_x"])
def test_given_an_out_of_scope_persona_when_acting_then_404_whatever_the_body(world, api, persona):
    hazard = bring(world, "general_reported")
    client = api(persona)
    assert act(client, hazard, "set_five_fixes", five_fixes()).status_code == 404
    assert act(client, hazard, "explode", {}).status_code == 404
    assert client.post(f"/hazards/{hazard.pk}/actions/start", {"data": [1]}).status_code == 404
    assert act_multipart(client, hazard, "submit", {}, [photo()]).status_code == 404
    hazard.refresh_from_db()
    assert hazard.state == "reported" and hazard.version == 1


def test_given_submit_with_photos_when_multipart_then_after_photos(world, api):
    hazard = bring(world, "general_rectifying")
    response = act_multipart(
        api("safety_a"), hazard, "submit", {"note": "已完成"}, [photo()], hazard.version
    )
    assert response.status_code == 200, response.content
    assert [p["kind"] for p in response.json()["photos"]] == ["after"]


def test_given_a_bad_photo_on_submit_when_multipart_then_422_and_state_kept(world, api):
    hazard = bring(world, "general_rectifying")
    response = act_multipart(
        api("safety_a", language="en"),
        hazard,
        "submit",
        {"note": "已完成"},
        [_named(b"%PDF-1.4", "after.jpg")],
    )
    assert response.status_code == 422
    assert "photos" in fields(response)
    hazard.refresh_from_db()
    assert hazard.state == "rectifying"


def test_given_photos_on_a_step_without_photos_when_multipart_then_422(world, api):
    hazard = bring(world, "general_reported")
    response = act_multipart(api("safety_a"), hazard, "set_five_fixes", five_fixes(), [photo()])
    assert response.status_code == 422
    assert "photos" in fields(response)


# --- similar, lists, workflow --------------------------------------------------------------------


def test_given_a_description_when_asking_for_similar_then_ranked_in_scope(world, api, hazards):
    response = api("safety_a").get(
        "/hazards/similar", enterprise_id=world.chem_a.pk, description="呼吸阀堵塞了"
    )
    assert response.status_code == 200
    assert [s["number"] for s in response.json()] == [hazards["a"].number]
    assert (
        api("principal_c")
        .get("/hazards/similar", enterprise_id=world.chem_a.pk, description="呼吸阀")
        .status_code
        == 404
    )
    assert (
        api("outsider")
        .get("/hazards/similar", enterprise_id=world.chem_a.pk, description="呼吸阀")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "enterprise_id"),
        ({"enterprise_id": "x", "description": "a"}, "enterprise_id"),
        ({"enterprise_id": "1"}, "description"),
        ({"enterprise_id": "1", "description": "a", "unit_id": "NaN"}, "unit_id"),
        ({"enterprise_id": "1", "description": "a", "limit": "999"}, "limit"),
        ({"enterprise_id": str(2**70), "description": "a"}, "enterprise_id"),
    ],
)
def test_given_bad_similar_params_when_asked_then_422(world, api, params, field):
    response = api("safety_a").get("/hazards/similar", **params)
    assert response.status_code == 422
    assert field in fields(response)


def test_given_any_signed_in_user_when_reading_the_lists_then_items_with_ids(world, api):
    body = api("employee_a").get("/hazard-lists").json()
    ids = {item["id"] for lst in body["lists"] for item in lst["items"]}
    assert MAJOR_ITEM in ids
    assert Client().get(BASE + "/hazard-lists").status_code == 401


def test_given_a_language_when_reading_the_workflow_then_labels_in_it(world, api):
    zh = api("employee_a", language="zh-hans").get("/hazard-workflow").json()
    en = api("employee_a", language="en").get("/hazard-workflow").json()
    assert len(zh["transitions"]) == len(en["transitions"]) > 10
    rows = [t for t in en["transitions"] if t["action"]["key"] == "confirm_major"]
    assert rows[0]["from"]["key"] == "reported"
    # An expert's confirmation is a step in parallel: no state of its own.
    assert all(t["from"]["key"] == t["to"]["key"] for t in rows)
    assert all(
        t["parties"] == [{"key": "expert", "label": "experts of the jurisdiction"}] for t in rows
    )
    assert rows[0]["guard"]["key"] == "major_unconfirmed"
    plan = next(t for t in en["transitions"] if t["action"]["key"] == "set_plan")
    assert (plan["from"]["key"], plan["to"]["key"]) == ("reported", "fixes_set")
    assert plan["parties"] == [
        {"key": "enterprise_principal", "label": "the enterprise's principal"}
    ]
    reviews = [t for t in en["transitions"] if t["action"]["key"] == "review_pass"]
    assert [t["from"]["key"] for t in reviews] == ["resume_applied"]
    en_states = {s["key"]: s["label"] for s in en["states"]}
    zh_states = {s["key"]: s["label"] for s in zh["states"]}
    assert not {"confirmed", "listed"} & set(en_states)  # retired states
    assert en_states["closed"] == "closed"
    assert zh_states["closed"] != "closed"  # translated in the catalog
    assert {a["key"] for a in en["actions"]} >= {"report", "accept", "review_pass"}


# --- PostgreSQL: two requests with the same version ---------------------------------------------

needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_requests_with_the_same_version_when_raced_then_one_200_one_409(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert connection.vendor == "postgresql"
    world = build_world()
    hazard = bring(world, "general_submitted")
    # chem_a found it, so its principal accepts it (the safety officer submitted): the
    # same acceptor on two devices.
    clients = [ApiClient(world.token("principal_a")), ApiClient(world.token("principal_a"))]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def run(i: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            response = act(clients[i], hazard, "accept", {"note": f"验收{i}"}, hazard.version)
            statuses.append(response.status_code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    hazard.refresh_from_db()
    assert hazard.state == "closed"
    assert hazard.events.filter(action="accept").count() == 1


def test_given_3_or_30_hazards_when_listed_over_the_api_then_same_number_of_queries(world, api):
    from django.test.utils import CaptureQueriesContext

    client = api("coordinator_x")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/hazards", limit=50, counts="true")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    client.get("/hazards")  # the token's first use is recorded once
    for _ in range(3):
        report(world)
    few, n_few = queries()
    for _ in range(27):
        report(world)
    many, n_many = queries()
    assert (n_few, n_many) == (3, 30)
    assert few == many


def test_given_stop_path_over_the_api_when_data_is_bad_then_422_by_field_and_nothing_written(
    world, api
):
    hazard = bring(world, "major_reported")
    events = HazardEvent.objects.count()
    officer = api("officer_emergency_x")
    response = act(officer, hazard, "suspend", {"scope": "everything", "withdrawal": ""})
    assert response.status_code == 422
    assert set(fields(response)) == {"scope", "withdrawal"}
    response = act(officer, hazard, "suspend", {"scope": "part", "withdrawal": "已撤人"})
    assert response.status_code == 422 and set(fields(response)) == {"part"}
    assert HazardEvent.objects.count() == events
    assert Hazard.objects.get(pk=hazard.pk).state == "reported"
    ok = act(
        officer, hazard, "suspend", {"scope": "whole", "withdrawal": "撤出全部作业人员，设置警戒"}
    )
    assert ok.status_code == 200 and ok.json()["state"] == "suspended"
    detail = officer.get(f"/hazards/{hazard.pk}").json()
    assert detail["stop"]["suspension"]["ordered"] is True
    assert detail["review_authority"]["department"]["id"] == world.emergency_x.pk
    # The enterprise cannot apply before evaluating a regulator's stop, nor without a plan.
    principal = api("principal_a")
    refused = act(principal, hazard, "apply_resume", {"application": "申请恢复"})
    assert refused.status_code == 409
    bad_date = act(
        principal,
        hazard,
        "report_to_workers",
        {"body": "workers_congress", "reported_on": "2099-01-01", "note": "通报"},
    )
    assert bad_date.status_code == 422 and set(fields(bad_date)) == {"reported_on"}
