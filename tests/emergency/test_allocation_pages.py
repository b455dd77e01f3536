"""Allocation pages: list, the new-plan form (with its errors kept), the result page, the
Excel export, and who sees what."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anjian.core.audit import Actor
from anjian.emergency import allocation_services as svc
from anjian.emergency.models import AllocationRun

from .test_allocation_services import depot  # noqa: F401  (the fixture)


def login(client, world, name: str):
    client.force_login(world.user(name))
    return client


@pytest.fixture
def run(world, depot):  # noqa: F811
    return svc.allocation_compute(
        actor=Actor.for_user(world.user("coordinator_x"), "web"),
        title="东镇火灾物资调配",
        incidents=[
            {"incident": depot["fire"].pk, "demands": {"T-SAND": 700, "T-PUMP": 1}},
        ],
    )


def test_given_a_coordinator_when_posting_the_form_then_the_result_page_shows_it(
    client,
    world,
    depot,  # noqa: F811
):
    login(client, world, "coordinator_x")
    page = client.get(reverse("emergency:allocation-new"))
    assert page.status_code == 200
    assert "东镇化工厂火灾" in page.content.decode()
    fire = depot["fire"].pk
    response = client.post(
        reverse("emergency:allocation-new"),
        {
            "title": "两处调配",
            "objective": "time",
            "incident": [str(fire)],
            f"kind_i{fire}": ["T-SAND", "T-PUMP", ""],
            f"qty_i{fire}": ["300", "5", ""],
            f"priority_i{fire}": "2",
            "place_name_1": "东镇河堤",
            "place_lat_1": "30.1",
            "place_lon_1": "120.0",
            "kind_p1": ["T-SAND"],
            "qty_p1": ["400"],
        },
    )
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("emergency:allocation", args=[run.pk])
    assert run.objective == "time"
    assert run.problem["incidents"][0]["priority"] == 2
    detail = client.get(response["Location"]).content.decode()
    assert 'id="allocation-shipments"' in detail
    assert 'id="allocation-unmet"' in detail
    assert 'id="allocation-map"' in detail and 'id="allocation-map-data"' in detail
    assert "东镇河堤" in detail and "东镇一号库" in detail


def test_given_bad_input_when_posting_then_422_and_what_was_entered_is_kept(
    client,
    world,
    depot,  # noqa: F811
):
    login(client, world, "officer_emergency_x")
    response = client.post(
        reverse("emergency:allocation-new"),
        {
            "title": "",
            "objective": "distance",
            "place_name_1": "河堤",
            "place_lat_1": "99",
            "place_lon_1": "120",
            "kind_p1": ["T-SAND"],
            "qty_p1": ["-3"],
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="allocation-errors"' in body
    assert 'value="河堤"' in body and 'value="-3"' in body
    assert not AllocationRun.objects.exists()


@pytest.mark.parametrize("name", ["grid_x1", "principal_a", "outsider", "expert_x"])
def test_given_a_role_that_does_not_dispatch_when_opening_the_form_then_403(client, world, name):
    login(client, world, name)
    assert client.get(reverse("emergency:allocation-new")).status_code == 403


def test_given_a_run_when_listed_then_only_its_jurisdiction_sees_it(client, world, run):
    login(client, world, "coordinator_x")
    body = client.get(reverse("emergency:allocations")).content.decode()
    assert f'data-run="{run.pk}"' in body
    login(client, world, "coordinator_y")
    body = client.get(reverse("emergency:allocations")).content.decode()
    assert f'data-run="{run.pk}"' not in body
    assert client.get(reverse("emergency:allocation", args=[run.pk])).status_code == 404
    assert client.get(reverse("emergency:allocation-xlsx", args=[run.pk])).status_code == 404
    for name in ("principal_a", "outsider"):
        login(client, world, name)
        assert client.get(reverse("emergency:allocations")).status_code == 403
        assert client.get(reverse("emergency:allocation", args=[run.pk])).status_code == 403


def test_given_a_run_when_exported_then_the_workbook_lists_shipments_and_shortages(
    client, world, run
):
    login(client, world, "officer_housing_x")
    response = client.get(reverse("emergency:allocation-xlsx", args=[run.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    shipments, short = book.worksheets
    values = list(shipments.iter_rows(min_row=5, values_only=True))
    assert {v[2] for v in values if v[1] == "沙袋"} == {"东镇一号库", "东县中心库"}
    assert sum(v[3] for v in values if v[1] == "沙袋") == 600
    rows = list(short.iter_rows(min_row=2, values_only=True))
    assert ("东镇化工厂火灾", "沙袋", 700, 600, 100) in rows


def test_given_no_login_when_opening_then_redirected(client):
    assert client.get(reverse("emergency:allocations")).status_code == 302
