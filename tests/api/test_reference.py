"""/divisions, /departments, /industries and /me."""

from __future__ import annotations

import pytest

from anjian.registry.models import Industry


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


# --- divisions ------------------------------------------------------------------------------


def test_given_county_x_when_listing_divisions_then_its_subtree_and_ancestors(world, api):
    assert codes(api("coordinator_x").get("/divisions")) == [
        "330000",
        "330100",
        "330101",
        "330101001",
        "330101001001",
        "330101001002",
    ]


def test_given_an_enterprise_user_when_listing_divisions_then_the_enterprises_chain(world, api):
    assert codes(api("principal_a").get("/divisions")) == [
        "330000",
        "330100",
        "330101",
        "330101001",
        "330101001001",
    ]


def test_given_a_parent_filter_then_only_its_visible_children(world, api):
    client = api("coordinator_x")
    assert codes(client.get("/divisions", parent=world.town_x.pk)) == [
        "330101001001",
        "330101001002",
    ]
    # County Y is a child of the city but not visible to county X.
    assert codes(client.get("/divisions", parent=world.city.pk)) == ["330101"]
    assert codes(api("platform_admin").get("/divisions", parent=world.city.pk)) == [
        "330101",
        "330102",
    ]


def test_given_a_level_filter_then_only_that_level(world, api):
    assert codes(api("platform_admin").get("/divisions", level="grid")) == [
        "330101001001",
        "330101001002",
        "330102001001",
    ]


def test_given_a_division_when_opened_then_its_path_and_children(world, api):
    body = api("coordinator_x").get(f"/divisions/{world.town_x.pk}").json()
    assert (body["code"], body["level"], body["parent_id"]) == (
        "330101001",
        "township",
        world.county_x.pk,
    )
    assert [d["code"] for d in body["path"]] == ["330000", "330100", "330101"]
    assert [d["code"] for d in body["children"]] == ["330101001001", "330101001002"]


def test_given_the_root_when_opened_then_an_empty_path(world, api):
    body = api("coordinator_x").get(f"/divisions/{world.province.pk}").json()
    assert body["path"] == []
    # Only the city is visible below the province, and of the city only county X.
    assert [d["code"] for d in body["children"]] == ["330100"]


def test_given_a_grid_officer_when_opening_a_sibling_grid_then_404(world, api):
    assert api("grid_x1").get(f"/divisions/{world.grid_x2.pk}").status_code == 404
    assert api("grid_x1").get(f"/divisions/{world.grid_x1.pk}").status_code == 200


def test_given_divisions_when_paginated_then_count_and_limit(world, api):
    body = api("platform_admin").get("/divisions", limit=2, offset=1).json()
    assert body["count"] == 9
    assert [d["code"] for d in body["items"]] == ["330100", "330101"]


# --- departments ----------------------------------------------------------------------------


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


def test_given_coordinators_when_listing_departments_then_their_county_only(world, api):
    assert names(api("coordinator_x").get("/departments")) == {
        "东县应急管理局",
        "东县住房和城乡建设局",
        "东县消防救援大队",
        "东县公安局",
    }
    assert names(api("coordinator_y").get("/departments")) == {"西县应急管理局"}


def test_given_enterprise_staff_when_listing_departments_then_those_supervising_them(world, api):
    assert names(api("principal_a").get("/departments")) == {
        "东县应急管理局",
        "东县消防救援大队",
        "东县公安局",
    }


def test_given_department_filters_then_they_narrow(world, api):
    client = api("platform_admin")
    assert names(client.get("/departments", division=world.county_y.pk)) == {"西县应急管理局"}
    assert names(client.get("/departments", division=world.city.pk, kind="emergency")) == {
        "东县应急管理局",
        "西县应急管理局",
    }


def test_given_a_department_when_opened_then_its_division(world, api):
    body = api("coordinator_x").get(f"/departments/{world.housing_x.pk}").json()
    assert body["kind"] == "housing"
    assert body["division"]["code"] == "330101"


def test_given_a_department_of_another_county_when_opened_then_404(world, api):
    response = api("coordinator_x").get(f"/departments/{world.emergency_y.pk}")
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("persona", ["audit_admin", "outsider"])
def test_given_no_department_scope_when_listing_then_empty(world, api, persona):
    assert api(persona).get("/departments").json() == {"count": 0, "items": []}


# --- industries -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator_x", "principal_c", "expert_x", "audit_admin"])
def test_given_any_role_when_listing_industries_then_the_whole_table(world, api, persona):
    response = api(persona).get("/industries")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert len(rows) == Industry.objects.count()
    parent = Industry.objects.get(code="HR-IT")
    assert rows["HR-IT-MET"]["parent_id"] == parent.pk
    assert rows["HR-IT"]["parent_id"] is None
    assert rows["HR-HAZCHEM"]["category"] == "high_risk"


def test_given_no_role_when_listing_industries_then_403(world, api):
    response = api("outsider").get("/industries")
    assert response.status_code == 403
    assert response.json()["detail"]


# --- me -------------------------------------------------------------------------------------


def test_given_a_department_officer_when_asking_me_then_where_they_sit(world, api):
    body = api("officer_emergency_x").get("/me").json()
    assert body["username"] == "officer_emergency_x"
    assert body["role"] == "department_officer"
    assert body["division"]["code"] == "330101"
    assert body["department"] == {"id": world.emergency_x.pk, "name": "东县应急管理局"}
    assert body["enterprise"] is None


def test_given_enterprise_staff_when_asking_me_then_their_enterprise(world, api):
    body = api("safety_a").get("/me").json()
    assert body["role"] == "enterprise_safety_officer"
    assert body["enterprise"] == {"id": world.chem_a.pk, "name": world.chem_a.name}
    assert body["division"] is None


def test_given_the_outsider_when_asking_me_then_no_role(world, api):
    body = api("outsider").get("/me").json()
    assert body["role"] == ""
    assert (body["division"], body["department"], body["enterprise"]) == (None, None, None)
