"""List pages of emergency management read a fixed number of queries, however many rows
(no N+1): drills, incidents, allocation runs, plans and the overview."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.emergency.models import (
    AllocationRun,
    Drill,
    DrillKind,
    DrillState,
    Incident,
    Plan,
    PlanKind,
    PlanState,
)

pytestmark = pytest.mark.django_db


def _add(world, n: int) -> None:
    principal = world.user("principal_a")
    coordinator = world.user("coordinator_x")
    for i in range(n):
        plan = Plan.objects.create(
            enterprise=world.chem_a,
            kind=PlanKind.SPECIAL,
            title=f"专项预案{i}",
            state=PlanState.SUBMITTED,
            created_by=principal,
            filing_department=world.emergency_x,
        )
        Drill.objects.create(
            enterprise=world.chem_a,
            plan=plan,
            kind=DrillKind.TABLETOP,
            scenario=f"演练{i}",
            state=DrillState.DONE,
            created_by=principal,
        )
        Incident.objects.create(
            division=world.county_x,
            enterprise=world.chem_a,
            title=f"事件{i}",
            latitude="30.000000",
            longitude="120.000000",
            accident_type="19",
            started_by=coordinator,
        )
        AllocationRun.objects.create(
            division=world.county_x, title=f"调配{i}", created_by=coordinator
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name",
    [
        "emergency:drills",
        "emergency:incidents",
        "emergency:allocations",
        "emergency:plans",
        "emergency:plan-filings",
        "emergency:overview",
    ],
)
def test_given_more_rows_when_listing_then_the_same_number_of_queries(world, client, name):
    client.force_login(world.user("coordinator_x"))
    url = reverse(name)
    _add(world, 2)
    few = _queries(client, url)
    _add(world, 8)
    many = _queries(client, url)
    assert many == few, (name, few, many)
