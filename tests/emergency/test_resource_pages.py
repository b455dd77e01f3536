"""The resource pages: lists in scope without N+1 queries, details (404 outside scope),
the forms (add, change, 422 with field errors, 403 for non-keepers), retiring and the
warnings page with its filter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anjian.emergency import resource_services as services
from anjian.emergency.models import Expert, RescueTeam, Supply, Warehouse
from tests.emergency.test_resource_support import (
    act,
    enterprise_warehouse,
    government_warehouse,
    kind,
    supply,
    team_data,
)
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(world, name):
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def many(world, n: int = 6) -> None:
    kind()
    today = timezone.localdate()
    for i in range(n):
        services.team_create(
            actor=act(world, "coordinator_x"),
            data=team_data(name=f"队{i}", roster=[{"name": f"员{i}"}]),
        )
        house = government_warehouse(world, f"库{i}")
        supply(world, house, quantity=1, minimum=5)
        supply(world, house, expires_on=today - dt.timedelta(days=1))
        services.expert_create(
            actor=act(world, "coordinator_x"),
            data={"name": f"专家{i}", "phone": "1", "latitude": 30.1, "longitude": 120.2},
        )
        services.shelter_create(actor=act(world, "coordinator_x"), data={"name": f"场所{i}"})


@pytest.mark.parametrize("tab", ["teams", "warehouses", "experts", "shelters"])
def test_given_many_resources_when_listing_then_the_queries_do_not_grow(
    world, tab, django_assert_max_num_queries
):
    many(world, 2)
    client = login(world, "coordinator_x")
    url = reverse("emergency:resources") + f"?tab={tab}"
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    small = len(few.captured_queries)
    many(world, 6)
    with django_assert_max_num_queries(small) as more:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"<tr data-id=") == 8
    assert len(more.captured_queries) <= small


def test_given_the_resources_page_then_counts_warnings_and_map_data(world):
    many(world, 2)
    response = login(world, "coordinator_x").get(reverse("emergency:resources"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="res-warning-badge">4<' in body
    assert 'id="res-map-points"' in body and '"experts": [[120.2, 30.1, ' in body
    assert 'id="res-new"' in body


@pytest.mark.parametrize("persona", ["coordinator_y", "principal_c", "outsider"])
def test_given_another_county_or_outsider_then_the_page_shows_nothing(world, persona):
    many(world, 1)
    response = login(world, persona).get(reverse("emergency:resources"))
    assert response.status_code == 200
    assert b"<tr data-id=" not in response.content
    assert "队0".encode() not in response.content
    assert b'id="res-new"' not in response.content or persona != "outsider"


def test_given_a_team_and_warehouse_when_outside_scope_then_404(world):
    kind()
    team = services.team_create(actor=act(world, "safety_a"), data=team_data())
    house = enterprise_warehouse(world)
    supply(world, house, who="safety_a")
    mine = login(world, "principal_a")
    assert mine.get(reverse("emergency:team", args=[team.pk])).status_code == 200
    page = mine.get(reverse("emergency:warehouse", args=[house.pk]))
    assert page.status_code == 200 and b'id="supply-new"' in page.content
    for persona in ("coordinator_y", "principal_c", "outsider"):
        other = login(world, persona)
        assert other.get(reverse("emergency:team", args=[team.pk])).status_code == 404
        assert other.get(reverse("emergency:warehouse", args=[house.pk])).status_code == 404
    # The county's coordinator sees the enterprise's own but may not change it.
    page = login(world, "coordinator_x").get(reverse("emergency:warehouse", args=[house.pk]))
    assert page.status_code == 200 and b'id="supply-new"' not in page.content


def test_given_the_team_form_when_posted_then_created_and_bad_input_422(world):
    client = login(world, "safety_a")
    url = reverse("emergency:team-new")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "", "kind": "professional", "duty_phone": "", "latitude": "99"})
    assert bad.status_code == 422
    assert bad.content.count(b'class="field-error"') >= 3
    response = client.post(
        url,
        {
            "name": "甲化工救援队",
            "kind": "enterprise",
            "specialities": ["chemical", "gas"],
            "duty_phone": "0571-1",
            "roster": "张一, 堵漏, 138\n李二",
            "members": "",
            "readiness_minutes": "3",
        },
    )
    team = RescueTeam.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "emergency:team", args=[team.pk]
    )
    assert team.enterprise == world.chem_a and team.members == 2
    assert team.specialities == ["chemical", "gas"] and team.readiness_minutes == 3
    edit = client.post(
        reverse("emergency:team-edit", args=[team.pk]),
        {
            "name": "甲化工救援队",
            "kind": "enterprise",
            "duty_phone": "0571-9",
            "roster": "张一, 堵漏, 138",
            "updated_at": team.updated_at.isoformat(),
        },
    )
    assert edit.status_code == 302
    team.refresh_from_db()
    assert team.duty_phone == "0571-9" and team.roster.count() == 1


def test_given_a_stale_form_then_409(world):
    team = services.team_create(actor=act(world, "safety_a"), data=team_data())
    seen = team.updated_at.isoformat()
    services.team_update(actor=act(world, "safety_a"), pk=team.pk, data={"leader": "甲"})
    response = login(world, "safety_a").post(
        reverse("emergency:team-edit", args=[team.pk]),
        {"name": "x", "kind": "fire", "duty_phone": "1", "updated_at": seen},
    )
    assert response.status_code == 409


@pytest.mark.parametrize("name", ["team-new", "warehouse-new", "expert-new", "shelter-new"])
def test_given_a_non_keeper_when_opening_a_new_form_then_403(world, name):
    assert login(world, "employee_a").get(reverse(f"emergency:{name}")).status_code == 403
    assert login(world, "grid_x1").get(reverse(f"emergency:{name}")).status_code == 403


def test_given_the_other_forms_then_they_create(world):
    kind()
    client = login(world, "coordinator_x")
    assert (
        client.post(reverse("emergency:warehouse-new"), {"name": "库", "keeper": "赵"}).status_code
        == 302
    )
    house = Warehouse.objects.get()
    response = client.post(
        reverse("emergency:supply-new", args=[house.pk]),
        {"kind": str(kind("E04-03").pk), "quantity": "300", "minimum": "500", "state": "good"},
    )
    assert response.status_code == 302
    row = Supply.objects.get()
    edit = client.post(
        reverse("emergency:supply-edit", args=[row.pk]),
        {"kind": str(row.kind_id), "quantity": "600", "minimum": "500", "state": "good"},
    )
    assert edit.status_code == 302 and Supply.objects.get().quantity == 600
    assert (
        client.post(reverse("emergency:expert-new"), {"name": "刘洋", "phone": "1"}).status_code
        == 302
    )
    assert (
        client.post(
            reverse("emergency:shelter-new"), {"name": "广场", "capacity": "10"}
        ).status_code
        == 302
    )
    expert = Expert.objects.get()
    assert (
        client.post(
            reverse("emergency:expert-edit", args=[expert.pk]), {"name": "刘洋", "phone": "2"}
        ).status_code
        == 302
    )
    assert (
        login(world, "coordinator_y")
        .get(reverse("emergency:supply-new", args=[house.pk]))
        .status_code
        == 404
    )
    assert (
        login(world, "principal_a").get(reverse("emergency:supply-edit", args=[row.pk])).status_code
        == 404
    )


def test_given_retire_then_out_of_service_and_again_409(world):
    kind()
    house = government_warehouse(world)
    row = supply(world, house)
    client = login(world, "coordinator_x")
    url = reverse("emergency:resource-retire", args=["supply", row.pk])
    assert client.post(url, {"reason": "过期"}).status_code == 302
    assert client.post(url).status_code == 409
    url = reverse("emergency:resource-retire", args=["warehouse", house.pk])
    assert login(world, "principal_a").post(url).status_code == 404
    assert client.post(url).status_code == 302
    house.refresh_from_db()
    assert house.active is False
    assert client.post(reverse("emergency:resource-retire", args=["planet", 1])).status_code == 404


def test_given_warnings_then_the_page_lists_and_filters_them(world, django_assert_max_num_queries):
    many(world, 3)
    client = login(world, "coordinator_x")
    url = reverse("emergency:supply-warnings")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"<tr data-id=") == 6
    assert client.get(url + "?kind=short").content.count(b"<tr data-id=") == 3
    assert client.get(url + "?kind=expired").content.count(b'data-warning="expired"') == 3
    assert client.get(url + "?kind=state").content.count(b"<tr data-id=") == 0
    assert login(world, "coordinator_y").get(url).content.count(b"<tr data-id=") == 0
