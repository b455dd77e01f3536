"""The points and responsibility-list API: balances, ledgers, awards, reversals, posts,
letters, reports; scoping (the other county, the outsider: 404 or nothing) and every
refusal a 4xx with field messages, never a 500."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anjian.people import duty_rules as dr
from anjian.people.models import PointEntry
from tests.api.conftest import ApiClient, fields
from tests.people.points_helpers import crew

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    return lambda name: ApiClient(world.token(name))


def test_given_an_award_and_a_reversal_over_the_api_then_the_ledger_shows_both(api, world):
    c = crew(world)
    unit = api("safety_a")
    r = unit.post(
        "/points/award",
        {"worker": c["wang"].pk, "rule": "manual", "points": 6, "note": "合理化建议"},
    )
    assert r.status_code == 201, r.content
    entry = r.json()
    assert entry["points"] == 6
    v = unit.post(
        "/points/award",
        {"worker": c["zhao"].pk, "rule": "violation", "severity": "ordinary", "note": "违章"},
    )
    assert v.status_code == 201 and v.json()["points"] == -10
    back = api("principal_a").post(f"/points/{entry['id']}/reverse", {"reason": "重复录入"})
    assert back.status_code == 201 and back.json()["reverses"] == entry["id"]
    again = unit.post(f"/points/{entry['id']}/reverse", {"reason": "again"})
    assert again.status_code == 409
    ledger = unit.get(f"/points/{c['wang'].pk}").json()
    assert ledger["balance"] == 0 and [e["points"] for e in ledger["entries"]] == [-6, 6]
    assert ledger["entries"][1]["reversed"] is True
    page = api("coordinator_x").get("/points", year=timezone.localdate().year).json()
    assert page["count"] == 4
    assert page["items"][-1]["worker"]["name"] == "赵六" and page["items"][-1]["balance"] == -10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rule": "manual", "points": 5, "note": "x"}, "worker"),
        ({"worker": "W", "rule": "manual", "points": 5, "note": "x"}, "worker"),
        ({"rule": "drill", "points": 5, "note": "x"}, "rule"),
        ({"rule": "manual", "points": 500, "note": "x"}, "points"),
        ({"rule": "manual", "points": 5, "note": ""}, "note"),
        ({"rule": "violation", "severity": "fatal"}, "severity"),
        ({"rule": "manual", "points": 5, "note": "x", "extra": 1}, "extra"),
    ],
)
def test_given_a_bad_award_when_posted_then_422_with_the_field(api, world, body, field):
    c = crew(world)
    body = {"worker": c["wang"].pk, **body} if "worker" not in body and field != "worker" else body
    r = api("safety_a").post("/points/award", body)
    assert r.status_code in (404, 422), r.content
    if r.status_code == 422:
        assert field in fields(r) or any(field in k for k in fields(r)), fields(r)
    assert not PointEntry.objects.exists()


def test_given_refusals_when_posted_then_403_404_and_never_500(api, world):
    c = crew(world)
    body = {"worker": c["wang"].pk, "rule": "manual", "points": 5, "note": "x"}
    assert api("employee_a").post("/points/award", body).status_code == 403
    assert api("coordinator_x").post("/points/award", body).status_code == 403
    assert api("principal_c").post("/points/award", body).status_code == 404
    assert api("outsider").post("/points/award", body).status_code in (401, 403, 404)
    entry = api("safety_a").post("/points/award", body).json()
    assert (
        api("principal_c").post(f"/points/{entry['id']}/reverse", {"reason": "x"}).status_code
        == 404
    )
    assert api("safety_a").post(f"/points/{entry['id']}/reverse", {}).status_code == 422
    assert api("safety_a").post("/points/99999999/reverse", {"reason": "x"}).status_code == 404
    assert api("safety_a").post("/points/award", raw="{not json").status_code in (400, 422)


def test_given_scoping_when_reading_then_other_county_sees_nothing(api, world):
    c = crew(world)
    assert api("coordinator_y").get(f"/points/{c['wang'].pk}").status_code == 404
    assert api("employee_a").get(f"/points/{c['zhao'].pk}").status_code == 404
    assert api("employee_a").get(f"/points/{c['wang'].pk}").status_code == 200
    assert [i["worker"]["name"] for i in api("employee_a").get("/points").json()["items"]] == [
        "王五"
    ]
    assert api("coordinator_y").get("/points").json()["count"] == 1
    assert api("outsider").get("/points").status_code in (200, 401, 403)
    if api("outsider").get("/points").status_code == 200:
        assert api("outsider").get("/points").json()["count"] == 0


def test_given_the_responsibility_list_over_the_api_then_missing_signatures_and_reports(api, world):
    c = crew(world)
    unit = api("safety_a")
    post = unit.post("/duty/posts", {"post": "操作工", "duties": "严格执行操作规程"})
    assert post.status_code == 201, post.content
    pid = post.json()["id"]
    letters = unit.post("/duty/letters", {"post": pid, "workers": [c["wang"].pk]})
    assert letters.status_code == 201 and len(letters.json()["created"]) == 1
    assert (
        unit.post("/duty/letters", {"post": pid, "workers": [c["wang"].pk]}).json()["created"] == []
    )
    mine = unit.get("/duty").json()["enterprise"]
    assert mine["missing"] == 2  # 赵六 unsigned, 钱七 (电工) unlisted
    assert [w["name"] for w in mine["posts"][0]["unsigned"]] == ["赵六"]
    y, q = dr.last_ended_quarter(timezone.localdate())
    report = {"year": y, "quarter": q, "text": "本季度履职情况良好"}
    assert unit.post("/duty/reports", report).status_code == 403
    assert api("principal_a").post("/duty/reports", report).status_code == 201
    assert api("principal_a").post("/duty/reports", report).status_code == 409
    assert api("principal_a").get("/duty").json()["enterprise"]["report_status"] == "submitted"
    overview = api("coordinator_x").get("/duty").json()["enterprises"]
    a = next(r for r in overview if r["enterprise"]["id"] == world.chem_a.pk)
    assert (a["missing"], a["report_status"]) == (2, "submitted")
    assert api("coordinator_y").get("/duty", enterprise=world.chem_a.pk).status_code == 404
    assert [
        r["enterprise"]["id"] for r in api("coordinator_y").get("/duty").json()["enterprises"]
    ] == [world.chem_c.pk]


def test_given_bad_duty_writes_when_posted_then_4xx_with_fields(api, world):
    c = crew(world)
    unit = api("safety_a")
    assert unit.post("/duty/posts", {"post": ""}).status_code == 422
    assert (
        unit.post("/duty/posts", {"post": "x", "duties": "y", "colour": "red"}).status_code == 422
    )
    assert api("employee_a").post("/duty/posts", {"post": "x", "duties": "y"}).status_code == 403
    pid = unit.post("/duty/posts", {"post": "操作工", "duties": "y"}).json()["id"]
    r = unit.post("/duty/letters", {"post": pid, "workers": [c["qian"].pk]})
    assert r.status_code == 422 and "worker_ids" in fields(r)
    assert (
        unit.post("/duty/letters", {"post": 99999999, "workers": [c["wang"].pk]}).status_code == 404
    )
    assert (
        api("principal_c")
        .post("/duty/letters", {"post": pid, "workers": [c["wang"].pk]})
        .status_code
        == 404
    )
    r = api("principal_a").post("/duty/reports", {"year": 2026, "quarter": 9, "text": "x"})
    assert r.status_code == 422
    assert api("principal_a").get("/duty").status_code == 200
    assert api("outsider").get("/duty").status_code in (401, 403)
