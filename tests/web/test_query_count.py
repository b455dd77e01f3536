"""The enterprise list costs the same number of queries for 5 or 60 enterprises."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.registry.models import Licence
from tests.world import enterprise

INDUSTRIES = ["HR-HAZCHEM", "HR-CONSTR", "NB-ESS", "HR-IT-MET", "HR-FIRE"]


def add_enterprises(world, count: int) -> None:
    grids = [world.grid_x1, world.grid_x2]
    for i in range(count):
        ent = enterprise(
            1000 + i,
            f"东县测试企业{i:03d}",
            grids[i % 2],
            INDUSTRIES[i % 5],
            has_key_chemical=i % 3 == 0,
        )
        Licence.objects.create(
            enterprise=ent, kind="other", number=f"L{i}", expires_on="2027-01-01"
        )


def list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("enterprise-list"), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["coordinator_x", "officer_emergency_x", "platform_admin"])
def test_given_5_or_60_enterprises_when_listing_then_query_count_is_flat(
    world, client_for, django_assert_max_num_queries, persona
):
    client = client_for(persona)
    add_enterprises(world, 2)  # 5 in county X
    small = list_queries(client)
    add_enterprises_more = 55
    for i in range(add_enterprises_more):
        enterprise(2000 + i, f"东县批量企业{i:03d}", world.grid_x1, INDUSTRIES[i % 5])
    large = list_queries(client)
    assert large == small
    with django_assert_max_num_queries(small):
        client.get(reverse("enterprise-list"), {"page": 2})
    with django_assert_max_num_queries(small + 1):  # the division filter's subtree
        client.get(
            reverse("enterprise-list"),
            {
                "q": "东县",
                "flag": "two_key_one_major",
                "division": world.town_x.pk,
                "department": world.emergency_x.pk,
                "status": "operating",
            },
        )


def test_given_60_enterprises_when_listing_then_25_per_page_with_lead(world, client_for):
    add_enterprises(world, 57)
    response = client_for("coordinator_x").get(reverse("enterprise-list"))
    page = response.context["page"]
    assert page.paginator.count == 60
    assert len(page.object_list) == 25
    assert page.paginator.num_pages == 3
    html = response.content.decode()
    assert world.emergency_x.name in html


def test_given_many_divisions_when_tree_then_one_aggregate_query(world, client_for):
    client = client_for("coordinator_x")
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("division-list"))
    add_enterprises(world, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("division-list"))
    assert len(large.captured_queries) == len(small.captured_queries)
    roots = response.context["roots"]
    county = roots[0].kids[0].kids[0]
    assert county.pk == world.county_x.pk
    assert county.total == 33
