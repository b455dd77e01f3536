"""The inspections API: inspections in scope with their findings (hazards) and documents,
an unannounced inspection hidden from the enterprise until it starts, bad filters 422,
and the published draws without sign-in (the record, its verification)."""

from __future__ import annotations

import pytest

from anjian.inspections import document_services as ds
from anjian.inspections import documents as pure
from anjian.inspections import services
from anjian.inspections.models import Kind
from tests.inspections.helpers import actor, add_chemicals, add_roster, conclude, plan, token

from .conftest import ApiClient, fields


@pytest.fixture
def county(world):
    add_roster(world)
    add_chemicals(world)
    return world


def start(world, inspection):
    services.inspection_start(actor=actor(world.user("insp1")), inspection_id=inspection.pk)


@pytest.fixture
def documented(county):
    """A routine inspection of chem_a, concluded with one finding and its record issued."""
    inspection = plan(county)
    start(county, inspection)
    services.finding_record(
        actor=actor(county.user("insp1")),
        inspection_id=inspection.pk,
        client_token=token(),
        data={"description": "储罐区静电接地线断开", "location": "储罐区"},
    )
    conclude(county, inspection)
    document = ds.document_issue(
        actor=actor(county.user("insp1")),
        inspection_id=inspection.pk,
        kind=pure.CHECK_RECORD,
        data={"certificates": {u.pk: f"33010{u.pk:04d}" for u in inspection.inspectors.all()}},
    )
    return inspection, document


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("insp1", True),
        ("officer_emergency_x", True),
        ("coordinator_x", True),
        ("principal_a", True),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
    ],
)
def test_given_an_inspection_when_personas_read_then_only_those_in_scope_see_it(
    api, documented, persona, sees
):
    inspection, _ = documented
    client = api(persona)
    listed = client.get("/inspections")
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()["items"]] == ([inspection.pk] if sees else [])
    assert client.get(f"/inspections/{inspection.pk}").status_code == (200 if sees else 404)


def test_given_a_concluded_inspection_then_its_findings_and_documents_are_given(api, documented):
    inspection, document = documented
    body = api("principal_a").get(f"/inspections/{inspection.pk}").json()
    assert body["state"] == "concluded" and body["kind"] == "routine"
    (finding,) = body["findings"]
    assert finding["hazard_id"] == inspection.findings.get().hazard_id
    assert finding["hazard_number"]
    (doc,) = body["documents"]
    assert doc["number"] == document.number and doc["sha256"] == document.sha256
    assert doc["kind"] == pure.CHECK_RECORD
    assert doc["download_url"].endswith(f"/enforcement/documents/{document.pk}/download/")
    assert [e["action"] for e in body["events"]][:2] == ["plan", "start"]


def test_given_an_unannounced_inspection_then_the_enterprise_sees_it_only_once_started(api, county):
    inspection = plan(county, kind=Kind.UNANNOUNCED)
    staff, officer = api("principal_a"), api("officer_emergency_x")
    assert staff.get("/inspections").json()["items"] == []
    assert staff.get("/inspections", kind="unannounced").json()["count"] == 0
    assert staff.get(f"/inspections/{inspection.pk}").status_code == 404
    assert officer.get(f"/inspections/{inspection.pk}").status_code == 200
    start(county, inspection)
    assert [i["id"] for i in staff.get("/inspections").json()["items"]] == [inspection.pk]
    assert staff.get(f"/inspections/{inspection.pk}").status_code == 200


def test_given_filters_when_listing_inspections_then_they_apply(api, county):
    routine = plan(county)
    other = plan(county, kind=Kind.UNANNOUNCED)
    client = api("officer_emergency_x")

    def ids(**params):
        response = client.get("/inspections", **params)
        assert response.status_code == 200, response.content
        return {i["id"] for i in response.json()["items"]}

    assert ids() == {routine.pk, other.pk}
    assert ids(kind="routine") == {routine.pk}
    assert ids(state="planned", enterprise=county.chem_a.pk) == {routine.pk, other.pk}
    assert ids(state="concluded") == set()
    assert ids(department=county.emergency_x.pk) == {routine.pk, other.pk}
    assert ids(department=county.housing_x.pk) == set()
    assert ids(**{"from": "2026-12-10", "to": "2026-12-10"}) == {routine.pk, other.pk}
    assert ids(**{"from": "2026-12-11"}) == set()


def test_given_bad_filters_when_listing_inspections_then_422_naming_them(api, world):
    response = api("coordinator_x").get(
        "/inspections", state="open", kind="surprise", department="x", to="2026-13-01"
    )
    assert response.status_code == 422
    assert {"state", "kind", "department", "to"} <= set(fields(response))


# --- 双随机、一公开 ------------------------------------------------------------------------


def draw(county, publish: bool = True):
    return services.draw_run(
        actor=actor(county.user("officer_emergency_x")),
        department_id=county.emergency_x.pk,
        seed="2026-12 公开抽取",
        sample_size=2,
        publish=publish,
    )


def test_given_a_published_draw_when_read_without_sign_in_then_the_record(county):
    published = draw(county)
    client = ApiClient()  # no token, no session
    listed = client.get("/draws/public")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]] == [published.pk]
    body = client.get(f"/draws/public/{published.pk}").json()
    assert body["seed"] == "2026-12 公开抽取" and body["digest"] == published.digest
    assert len(body["selections"]) == 2 and body["selected"] == 2
    assert body["record"]["parameters"]["seed"] == "2026-12 公开抽取"


def test_given_a_published_draw_when_verified_without_sign_in_then_it_matches(county):
    published = draw(county)
    response = ApiClient().post(f"/draws/public/{published.pk}/verify")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["match"] is True and body["recomputed"] == published.digest


def test_given_a_tampered_record_when_verified_then_no_match(county):
    published = draw(county)
    published.canonical = published.canonical.replace("公开抽取", "私下抽取")
    published.save(update_fields=["canonical"])
    body = ApiClient().post(f"/draws/public/{published.pk}/verify").json()
    assert body["match"] is False


def test_given_an_unpublished_or_unknown_draw_then_404_publicly(county):
    hidden = draw(county, publish=False)
    client = ApiClient()
    assert client.get("/draws/public").json()["count"] == 0
    assert client.get(f"/draws/public/{hidden.pk}").status_code == 404
    assert client.post(f"/draws/public/{hidden.pk}/verify").status_code == 404
    assert client.get("/draws/public/987654321").status_code == 404


def test_given_many_inspections_when_listing_then_the_queries_stay_bounded(
    api, county, django_assert_max_num_queries
):
    for _ in range(6):
        plan(county)
    client = api("officer_emergency_x")
    with django_assert_max_num_queries(12):
        response = client.get("/inspections")
    assert response.json()["count"] == 6
