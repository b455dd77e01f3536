"""Jurisdiction isolation through the API: every persona sees exactly its scope, and
everything else answers 404 exactly like an id that does not exist."""

from __future__ import annotations

import pytest

from tests.world import EXPECTED_ENTERPRISES

ENTERPRISES = ("chem_a", "build_b", "ess_d", "chem_c")


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_listing_enterprises_then_exactly_its_scope(world, api, persona):
    response = api(persona).get("/enterprises", limit=200)
    assert response.status_code == 200
    body = response.json()
    expected = {getattr(world, name).pk for name in EXPECTED_ENTERPRISES[persona]}
    assert {item["id"] for item in body["items"]} == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_opening_each_enterprise_then_others_are_404(world, api, persona):
    client = api(persona)
    for name in ENTERPRISES:
        enterprise = getattr(world, name)
        response = client.get(f"/enterprises/{enterprise.pk}")
        if name in EXPECTED_ENTERPRISES[persona]:
            assert response.status_code == 200, (name, response.content)
            assert response.json()["uscc"] == enterprise.uscc
        else:
            assert response.status_code == 404, (name, response.content)
            assert set(response.json()) == {"detail"}
            assert response.json()["detail"]


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_changing_an_enterprise_out_of_scope_then_404_never_403(
    world, api, persona
):
    # A 403 would confirm that the enterprise exists; out of scope must look like unknown.
    client = api(persona)
    for name in ENTERPRISES:
        if name in EXPECTED_ENTERPRISES[persona]:
            continue
        enterprise = getattr(world, name)
        response = client.patch(f"/enterprises/{enterprise.pk}", {"employees": 1})
        assert response.status_code == 404, (name, response.content)
        enterprise.refresh_from_db()
        assert enterprise.employees == 50


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_opening_an_id_that_does_not_exist_then_the_same_404(
    world, api, persona
):
    client = api(persona)
    unknown = client.get("/enterprises/987654321")
    assert unknown.status_code == 404
    hidden = [n for n in ENTERPRISES if n not in EXPECTED_ENTERPRISES[persona]]
    if hidden:
        other = client.get(f"/enterprises/{getattr(world, hidden[0]).pk}")
        assert other.json() == unknown.json()


def test_given_the_outsider_when_reading_anything_then_nothing(world, api):
    client = api("outsider")
    for path in ("/enterprises", "/divisions", "/departments"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json() == {"count": 0, "items": []}, path
    assert client.get(f"/divisions/{world.county_x.pk}").status_code == 404
    assert client.get(f"/divisions/{world.province.pk}").status_code == 404
    assert client.get(f"/departments/{world.emergency_x.pk}").status_code == 404
    assert client.get(f"/enterprises/{world.chem_a.pk}").status_code == 404
    assert client.get("/industries").status_code == 403


def test_given_the_outsider_when_filtering_by_a_real_division_then_still_nothing(world, api):
    response = api("outsider").get("/enterprises", division=world.county_x.pk)
    assert response.json()["count"] == 0


def test_given_county_y_when_filtering_by_county_x_then_nothing_leaks(world, api):
    client = api("coordinator_y")
    assert client.get("/enterprises", division=world.county_x.pk).json()["count"] == 0
    assert client.get("/enterprises", department=world.emergency_x.pk).json()["count"] == 0
    assert client.get("/enterprises", q="东县").json()["count"] == 0
    assert client.get("/departments", division=world.county_x.pk).json()["count"] == 0
    assert client.get(f"/divisions/{world.county_x.pk}").status_code == 404
    assert client.get(f"/departments/{world.emergency_x.pk}").status_code == 404
