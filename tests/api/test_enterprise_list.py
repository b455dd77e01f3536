"""GET /enterprises: filters, pagination, the item shape, and a bounded number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.core.audit import Actor
from anjian.registry.models import Enterprise, Industry
from anjian.registry.services import duties_rederive_all
from tests.world import enterprise, make_uscc


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# --- the item -------------------------------------------------------------------------------


def test_given_an_enterprise_when_listed_then_the_item_has_its_references(world, api):
    items = api("coordinator_x").get("/enterprises").json()["items"]
    chem_a = next(i for i in items if i["id"] == world.chem_a.pk)
    assert chem_a["name"] == world.chem_a.name
    assert chem_a["uscc"] == world.chem_a.uscc
    assert chem_a["division"] == {
        "id": world.grid_x1.pk,
        "code": world.grid_x1.code,
        "name": world.grid_x1.name,
    }
    assert chem_a["industry"]["code"] == "HR-HAZCHEM"
    assert chem_a["lead_department"] == {"id": world.emergency_x.pk, "name": "东县应急管理局"}
    assert chem_a["status"] == "operating"
    assert chem_a["flags"] == {
        "major_hazard": True,
        "key_process": False,
        "key_chemical": False,
        "two_key_one_major": True,
    }


def test_given_a_supervision_gap_when_listed_then_lead_department_is_null(world, api):
    items = api("coordinator_x").get("/enterprises").json()["items"]
    assert next(i for i in items if i["id"] == world.ess_d.pk)["lead_department"] is None


def test_given_the_list_when_read_then_newest_first(world, api):
    items = api("platform_admin").get("/enterprises").json()["items"]
    assert [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)


# --- filters --------------------------------------------------------------------------------


def test_given_q_when_part_of_a_name_then_matches_by_name(world, api):
    assert ids(api("platform_admin").get("/enterprises", q="甲化工")) == {world.chem_a.pk}
    assert ids(api("platform_admin").get("/enterprises", q="化工")) == {
        world.chem_a.pk,
        world.chem_c.pk,
    }


def test_given_q_when_a_credit_code_or_its_prefix_then_matches_by_code(world, api):
    client = api("platform_admin")
    assert ids(client.get("/enterprises", q=world.build_b.uscc)) == {world.build_b.pk}
    # Lower case is fine: codes are stored upper case.
    assert ids(client.get("/enterprises", q=world.chem_a.uscc.lower())) == {world.chem_a.pk}
    assert ids(client.get("/enterprises", q="91330102")) == {world.chem_c.pk}
    assert ids(client.get("/enterprises", q="  ")) == {
        world.chem_a.pk,
        world.build_b.pk,
        world.ess_d.pk,
        world.chem_c.pk,
    }


def test_given_a_division_filter_then_its_whole_subtree(world, api):
    client = api("platform_admin")
    assert ids(client.get("/enterprises", division=world.county_x.pk)) == {
        world.chem_a.pk,
        world.build_b.pk,
        world.ess_d.pk,
    }
    assert ids(client.get("/enterprises", division=world.grid_x1.pk)) == {
        world.chem_a.pk,
        world.ess_d.pk,
    }
    assert ids(client.get("/enterprises", division=world.city.pk)) == {
        world.chem_a.pk,
        world.build_b.pk,
        world.ess_d.pk,
        world.chem_c.pk,
    }
    assert ids(client.get("/enterprises", division=987654)) == set()


def test_given_a_division_filter_then_it_only_narrows_the_callers_scope(world, api):
    # The grid officer of grid 1 asks for the whole county: still only grid 1.
    assert ids(api("grid_x1").get("/enterprises", division=world.county_x.pk)) == {
        world.chem_a.pk,
        world.ess_d.pk,
    }


def test_given_an_industry_filter_then_it_includes_sub_industries(world, api):
    metallurgy = enterprise(10, "东县戊钢铁有限公司", world.grid_x2, "HR-IT-MET")
    textiles = enterprise(11, "东县己纺织有限公司", world.grid_x2, "HR-IT-TXT")
    client = api("platform_admin")
    parent = Industry.objects.get(code="HR-IT")
    assert ids(client.get("/enterprises", industry=parent.pk)) == {metallurgy.pk, textiles.pk}
    child = Industry.objects.get(code="HR-IT-MET")
    assert ids(client.get("/enterprises", industry=child.pk)) == {metallurgy.pk}
    hazchem = Industry.objects.get(code="HR-HAZCHEM")
    assert ids(client.get("/enterprises", industry=hazchem.pk)) == {
        world.chem_a.pk,
        world.chem_c.pk,
    }


def test_given_a_department_filter_then_lead_and_cooperating_duties_count(world, api):
    client = api("coordinator_x")
    assert ids(client.get("/enterprises", department=world.emergency_x.pk)) == {world.chem_a.pk}
    assert ids(client.get("/enterprises", department=world.housing_x.pk)) == {world.build_b.pk}
    # The fire brigade cooperates on hazardous chemicals.
    assert world.chem_a.pk in ids(client.get("/enterprises", department=world.fire_x.pk))


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("major_hazard", {"chem_a"}),
        ("key_process", {"chem_c"}),
        ("key_chemical", {"build_b"}),
        ("two_key_one_major", {"chem_a", "build_b", "chem_c"}),
    ],
)
def test_given_a_flag_filter_then_only_flagged_enterprises(world, api, flag, expected):
    Enterprise.objects.filter(pk=world.chem_c.pk).update(has_key_process=True)
    Enterprise.objects.filter(pk=world.build_b.pk).update(has_key_chemical=True)
    response = api("platform_admin").get("/enterprises", flag=flag)
    assert ids(response) == {getattr(world, name).pk for name in expected}


def test_given_a_status_filter_then_only_that_status(world, api):
    Enterprise.objects.filter(pk=world.chem_c.pk).update(status="suspended")
    client = api("platform_admin")
    assert ids(client.get("/enterprises", status="suspended")) == {world.chem_c.pk}
    assert world.chem_c.pk not in ids(client.get("/enterprises", status="operating"))


def test_given_filters_together_then_all_apply(world, api):
    response = api("platform_admin").get(
        "/enterprises", division=world.county_x.pk, q="化工", flag="major_hazard"
    )
    assert ids(response) == {world.chem_a.pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"flag": "dangerous"}, "flag"),
        ({"status": "bankrupt"}, "status"),
        ({"division": "east"}, "division"),
        ({"industry": "1.5"}, "industry"),
        ({"department": "x"}, "department"),
        ({"limit": "all"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
def test_given_a_bad_filter_value_when_listing_then_422_names_it(world, api, params, field):
    response = api("coordinator_x").get("/enterprises", **params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert response.json()["detail"][0]["message"]


# --- pagination -----------------------------------------------------------------------------


def test_given_limit_and_offset_then_pages_cover_the_set_once(world, api):
    client = api("platform_admin")
    first = client.get("/enterprises", limit=3).json()
    second = client.get("/enterprises", limit=3, offset=3).json()
    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == 3
    assert len(second["items"]) == 1
    seen = [i["id"] for i in first["items"] + second["items"]]
    assert sorted(seen) == sorted(
        e.pk for e in (world.chem_a, world.build_b, world.ess_d, world.chem_c)
    )
    past_the_end = client.get("/enterprises", offset=100).json()
    assert past_the_end == {"count": 4, "items": []}


def _bulk(world, count: int) -> None:
    """count more enterprises in county X, with their duties derived by the rule table."""
    industry = Industry.objects.get(code="HR-HAZCHEM")
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"东县批量{n}号化工有限公司",
            uscc=make_uscc(1000 + n),
            division=world.grid_x1,
            address="东镇",
            industry=industry,
            scale="small",
            legal_representative="某",
            principal="某",
        )
        for n in range(count)
    )
    duties_rederive_all(actor=Actor.system("test"))


def test_given_many_enterprises_then_the_default_page_is_25(world, api):
    _bulk(world, 40)
    body = api("coordinator_x").get("/enterprises").json()
    assert body["count"] == 43
    assert len(body["items"]) == 25


# --- query counts ---------------------------------------------------------------------------

# The token with its user, the token's last-use stamp, the caller's subtree, the count, the
# page, the lead departments of the page. A department officer's duty check is an EXISTS
# inside the count and page queries, not a query of its own.
MAX_LIST_QUERIES = 6


@pytest.mark.parametrize(
    "persona", ["coordinator_x", "officer_emergency_x", "platform_admin", "principal_a"]
)
def test_given_a_page_of_25_when_listing_then_queries_are_bounded(
    world, api, django_assert_max_num_queries, persona
):
    _bulk(world, 60)
    client = api(persona)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get("/enterprises", limit=25)
    assert response.status_code == 200
    if persona != "principal_a":
        assert len(response.json()["items"]) == 25


def test_given_bigger_pages_when_listing_then_the_query_count_does_not_grow(world, api):
    _bulk(world, 60)
    client = api("coordinator_x")
    client.get("/me")  # stamp the token's last use now, so every call below is alike
    counts = {}
    for limit in (1, 5, 25, 60):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/enterprises", limit=limit)
        assert len(response.json()["items"]) == limit
        counts[limit] = len(ctx.captured_queries)
    assert len(set(counts.values())) == 1, counts


def test_given_every_filter_when_listing_then_queries_are_still_bounded(
    world, api, django_assert_max_num_queries
):
    _bulk(world, 30)
    client = api("coordinator_x")
    industry = Industry.objects.get(code="HR-HAZCHEM")
    # The division filter looks the division up among those the caller sees (the caller's
    # ancestors: two queries; the lookup: one) and takes its subtree (one); the industry
    # filter reads the industry tree (one). The others are conditions in the same query.
    with django_assert_max_num_queries(MAX_LIST_QUERIES + 5):
        response = client.get(
            "/enterprises",
            division=world.town_x.pk,
            industry=industry.pk,
            department=world.emergency_x.pk,
            flag="two_key_one_major",
            q="化工",
            status="operating",
            limit=25,
        )
    assert response.json()["count"] == 1  # chem_a; the bulk ones have no flag


def test_given_a_detail_when_read_then_queries_are_bounded(
    world, api, django_assert_max_num_queries
):
    client = api("coordinator_x")
    # Token, stamp, subtree, the enterprise with its references, licences, duties.
    with django_assert_max_num_queries(6):
        response = client.get(f"/enterprises/{world.chem_a.pk}")
    assert response.status_code == 200
