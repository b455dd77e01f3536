"""The ledger page's township, industry, lead-department and enterprise filters: offered
to regulators from their scope only, narrowing the list, in a fixed number of queries;
every filter but the search folded in a <details> that opens when one is set."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .helpers import report


@pytest.fixture
def hazards(world):
    """Two hazards of chem_a (grid 1, chemicals, emergency leads), one of build_b (grid 2,
    construction, housing leads)."""
    return {
        "a1": report(world, "safety_a"),
        "a2": report(world, "safety_a", description="2号泵密封泄漏"),
        "b": report(
            world, "coordinator_x", enterprise=world.build_b, source="government_inspection"
        ),
    }


def client_of(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {h.pk for h, _flags in response.context["rows"]}


def options(html: str, select_id: str) -> set[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return set(re.findall(r'<option value="([^"]*)"', select.group(1))) - {""}


def test_given_a_coordinator_when_the_ledger_opens_then_the_scope_filters_offer_only_the_scope(
    world, hazards
):
    html = client_of(world, "coordinator_x").get(reverse("hazards:ledger")).content.decode()
    enterprises = options(html, "f-enterprise")
    assert enterprises == {str(world.chem_a.pk), str(world.build_b.pk), str(world.ess_d.pk)}
    divisions = options(html, "f-division")
    assert str(world.town_x.pk) in divisions and str(world.grid_x2.pk) in divisions
    assert str(world.town_y.pk) not in divisions and str(world.grid_y1.pk) not in divisions
    departments = options(html, "f-department")
    assert str(world.emergency_x.pk) in departments
    assert str(world.emergency_y.pk) not in departments
    assert options(html, "f-industry")  # reference data: every industry


@pytest.mark.parametrize(("limit", "offered"), [(3, True), (2, False)])
def test_given_more_enterprises_than_the_select_holds_then_it_is_left_out(
    world, hazards, monkeypatch, limit, offered
):
    from anjian.hazards.views.ledger import LedgerScopeForm

    monkeypatch.setattr(LedgerScopeForm, "MAX_ENTERPRISE_CHOICES", limit)
    html = client_of(world, "coordinator_x").get(reverse("hazards:ledger")).content.decode()
    assert ('id="f-enterprise"' in html) is offered
    if offered:  # sorted by name, as a person looks for one
        select = re.search(r'<select[^>]*id="f-enterprise"[^>]*>(.*?)</select>', html, re.S)
        names = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select.group(1))
        assert names == sorted(names) and len(names) == 3


def test_given_each_scope_filter_when_applied_then_the_ledger_narrows(world, hazards):
    client = client_of(world, "coordinator_x")
    url = reverse("hazards:ledger")
    a = {hazards["a1"].pk, hazards["a2"].pk}
    b = {hazards["b"].pk}
    assert listed(client.get(url)) == a | b
    assert listed(client.get(url, {"division": world.grid_x2.pk})) == b
    assert listed(client.get(url, {"division": world.grid_x1.pk})) == a
    assert listed(client.get(url, {"industry": world.chem_a.industry_id})) == a
    assert listed(client.get(url, {"department": world.housing_x.pk})) == b
    assert listed(client.get(url, {"department": world.emergency_x.pk})) == a
    assert listed(client.get(url, {"enterprise": world.build_b.pk})) == b


def test_given_a_filter_outside_the_scope_when_applied_then_nothing_leaks(world, hazards):
    report(world, "principal_c", enterprise=world.chem_c)
    client = client_of(world, "coordinator_x")
    url = reverse("hazards:ledger")
    assert listed(client.get(url, {"division": world.county_y.pk})) == set()
    assert listed(client.get(url, {"enterprise": world.chem_c.pk})) == set()


def test_given_enterprise_staff_when_the_ledger_opens_then_no_scope_filters(world, hazards):
    html = client_of(world, "safety_a").get(reverse("hazards:ledger")).content.decode()
    for name in ("division", "industry", "department", "enterprise"):
        assert f'id="f-{name}"' not in html
    assert 'id="f-state"' in html


def test_given_no_filter_then_the_panel_is_folded_and_with_filters_it_opens_with_a_count(
    world, hazards
):
    client = client_of(world, "coordinator_x")
    url = reverse("hazards:ledger")
    folded = client.get(url).content.decode()
    panel = re.search(r'<details class="filters-more" id="ledger-filters"([^>]*)>', folded)
    assert panel and "open" not in panel.group(1)
    assert 'id="f-q"' in folded  # the search box stays outside the fold
    opened = client.get(url, {"division": world.grid_x1.pk, "level": "general"}).content.decode()
    panel = re.search(r'<details class="filters-more" id="ledger-filters"([^>]*)>', opened)
    assert panel and "open" in panel.group(1)
    assert re.search(r'id="ledger-filters-count">2<', opened)
    assert re.search(
        rf'<option value="{world.grid_x1.pk}" selected>', opened
    )  # the chosen township stays chosen


def test_given_2_or_8_hazards_when_the_filtered_ledger_opens_then_the_query_count_does_not_grow(
    world,
):
    client = client_of(world, "coordinator_x")
    url = reverse("hazards:ledger") + (
        f"?division={world.town_x.pk}&industry={world.chem_a.industry_id}"
        f"&department={world.emergency_x.pk}&enterprise={world.chem_a.pk}"
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        report(world, "safety_a")
    small = queries()
    assert len(client.get(url).context["rows"]) == 2
    for _ in range(6):
        report(world, "safety_a")
    assert len(client.get(url).context["rows"]) == 8
    assert queries() == small
