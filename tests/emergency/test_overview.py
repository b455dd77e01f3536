"""The emergency overview: each role sees the figures of what it is allowed to see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.emergency.models import Plan, PlanKind, PlanState, Supply, SupplyKind, Warehouse
from anjian.emergency.overview import overview_figures

pytestmark = pytest.mark.django_db


def _plan(world, enterprise, state, **extra):
    return Plan.objects.create(
        enterprise=enterprise,
        kind=PlanKind.COMPREHENSIVE,
        title="综合应急预案",
        state=state,
        created_by=world.user("principal_a"),
        **extra,
    )


def test_given_plans_in_two_counties_when_figures_then_each_regulator_counts_its_own(world):
    today = timezone.localdate()
    _plan(world, world.chem_a, PlanState.FILED)
    _plan(world, world.chem_a, PlanState.ISSUED, filing_due=today - dt.timedelta(days=1))
    _plan(world, world.chem_c, PlanState.SUBMITTED)
    regulator_x = world.user("coordinator_x")
    figures = overview_figures(regulator_x, today=today)
    assert figures["plans"] == 2
    assert figures["plans_filed"] == 1
    assert figures["plans_filing_overdue"] == 1
    assert figures["plans_awaiting"] == 0


def test_given_supplies_when_figures_then_expired_and_short_are_counted(world):
    kind = SupplyKind.objects.create(code="t-1", name="灭火器", unit="具")
    house = Warehouse.objects.create(division=world.county_x, name="县级储备库")
    today = timezone.localdate()
    Supply.objects.create(
        warehouse=house, kind=kind, quantity=1, minimum=5, expires_on=today - dt.timedelta(days=1)
    )
    Supply.objects.create(warehouse=house, kind=kind, quantity=9, minimum=5)
    regulator_x = world.user("coordinator_x")
    figures = overview_figures(regulator_x, today=today)
    assert (figures["supplies"], figures["supplies_expired"], figures["supplies_short"]) == (
        2,
        1,
        1,
    )
    assert figures["warehouses"] == 1


def test_given_an_outsider_when_figures_then_nothing(world):
    Warehouse.objects.create(division=world.county_x, name="县级储备库")
    outsider = world.user("outsider")
    assert all(v == 0 for v in overview_figures(outsider).values())


def test_given_roles_when_opening_the_overview_then_regulators_and_staff_see_it_outsider_not(
    world, client
):
    from tests.world import PASSWORD

    for user in world.users.values():
        client.logout()
        client.login(username=user.username, password=PASSWORD)
        response = client.get(reverse("emergency:overview"))
        if user.role in {"coordinator", "department_officer", "grid_officer", "expert"} or (
            user.role.startswith("enterprise_") and user.enterprise_id
        ):
            assert response.status_code == 200, user.username
            assert b'id="em-overview"' in response.content
        elif not user.role:
            assert response.status_code in {302, 403}, user.username
