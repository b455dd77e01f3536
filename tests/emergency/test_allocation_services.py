"""Allocation runs (anjian.emergency.allocation_services): who may compute, which stocks
count (state, expiry, active warehouse, scope), incidents in scope, input errors, the
stored run, its audit entry and the incident timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.emergency import allocation_services as svc
from anjian.emergency.models import (
    AllocationRun,
    Incident,
    IncidentEvent,
    IncidentState,
    Supply,
    SupplyKind,
    SupplyState,
    Warehouse,
)


def kind(code: str, name: str, unit: str = "件") -> SupplyKind:
    row, _ = SupplyKind.objects.get_or_create(code=code, defaults={"name": name, "unit": unit})
    return row


def warehouse(division, name: str, lat: float, lon: float, **extra) -> Warehouse:
    return Warehouse.objects.create(
        division=division,
        name=name,
        latitude=Decimal(str(lat)),
        longitude=Decimal(str(lon)),
        **extra,
    )


def stock(w: Warehouse, k: SupplyKind, quantity: int, **extra) -> Supply:
    return Supply.objects.create(warehouse=w, kind=k, quantity=quantity, **extra)


def incident(world, division, title: str, lat: float, lon: float, **extra) -> Incident:
    return Incident.objects.create(
        division=division,
        title=title,
        latitude=Decimal(str(lat)),
        longitude=Decimal(str(lon)),
        accident_type="08",
        started_by=world.user("coordinator_x"),
        **extra,
    )


@pytest.fixture
def depot(world):
    """County X: two warehouses with sandbags (one far), one with an expired and a
    scrapped lot, an inactive one; county Y: a big warehouse X must never draw from."""
    sand = kind("T-SAND", "沙袋", "袋")
    pump = kind("T-PUMP", "排水泵", "台")
    near = warehouse(world.grid_x1, "东镇一号库", 30.00, 120.00)
    far = warehouse(world.county_x, "东县中心库", 30.20, 120.00)
    stale = warehouse(world.grid_x2, "东镇二号库", 30.01, 120.01)
    closed = warehouse(world.grid_x2, "停用库", 30.00, 120.00, active=False)
    west = warehouse(world.grid_y1, "西镇库", 30.00, 119.99)
    stock(near, sand, 100)
    stock(far, sand, 500)
    stock(far, pump, 2)
    today = timezone.localdate()
    stock(stale, sand, 999, expires_on=today - dt.timedelta(days=1))
    stock(stale, sand, 999, state=SupplyState.SCRAPPED)
    stock(stale, pump, 1, expires_on=today)  # expires today: still usable
    stock(closed, sand, 999)
    stock(west, sand, 9999)
    fire = incident(world, world.grid_x1, "东镇化工厂火灾", 30.02, 120.00)
    return {
        "sand": sand,
        "pump": pump,
        "near": near,
        "far": far,
        "stale": stale,
        "west": west,
        "fire": fire,
    }


def actor(world, name: str = "coordinator_x") -> Actor:
    return Actor.for_user(world.user(name), "web")


def test_given_an_incident_and_a_place_when_computed_then_the_run_is_stored_and_audited(
    world, depot
):
    run = svc.allocation_compute(
        actor=actor(world),
        title="东镇火灾物资调配",
        objective="distance",
        incidents=[
            {"incident": depot["fire"].pk, "demands": {"T-SAND": 300, "T-PUMP": 5}},
            {"name": "东镇河堤", "lat": 30.1, "lon": 120.0, "demands": {"T-SAND": 400}},
        ],
    )
    assert run.division == world.county_x
    result = run.result
    # Usable sandbags: near 100 + far 500 (not the expired, scrapped, inactive or Y ones).
    assert result["totals"]["demanded"] == 705
    assert result["totals"]["allocated"] == 600 + 3
    short = {(u["incident"], u["kind"]): u["short"] for u in result["unmet"]}
    assert short[(f"i{depot['fire'].pk}", "T-PUMP")] == 2
    assert sum(v for (i, k), v in short.items() if k == "T-SAND") == 100
    used = {s["warehouse"] for s in result["shipments"]}
    assert used <= {f"w{depot['near'].pk}", f"w{depot['far'].pk}", f"w{depot['stale'].pk}"}
    assert f"w{depot['west'].pk}" not in {w["id"] for w in run.problem["warehouses"]}
    assert run.problem["kinds"]["T-SAND"] == {"name": "沙袋", "unit": "袋"}
    entry = AuditEntry.objects.get(action="emergency_allocation_compute", object_id=str(run.pk))
    assert entry.changes["totals"]["allocated"] == 603
    event = IncidentEvent.objects.get(incident=depot["fire"], action="allocation")
    assert event.data["run"] == run.pk


def test_given_the_time_objective_when_computed_then_costs_are_in_minutes(world, depot):
    run = svc.allocation_compute(
        actor=actor(world, "officer_emergency_x"),
        title="按时间",
        objective="time",
        incidents=[{"incident": depot["fire"].pk, "demands": {"T-SAND": 50}}],
    )
    assert run.result["cost_unit"] == "minutes"
    (ship,) = run.result["shipments"]
    assert ship["warehouse"] == f"w{depot['near'].pk}"
    view = svc.run_view(run)
    assert view["shipments"][0]["warehouse_name"] == "东镇一号库"
    assert view["shipments"][0]["kind_name"] == "沙袋"
    assert view["incidents"][0]["arrival_minutes"] == ship["minutes"]


@pytest.mark.parametrize(
    "name", ["grid_x1", "expert_x", "principal_a", "safety_a", "outsider", "platform_admin"]
)
def test_given_a_role_that_does_not_dispatch_when_computing_then_forbidden(world, depot, name):
    with pytest.raises(Forbidden):
        svc.allocation_compute(
            actor=actor(world, name),
            title="x",
            incidents=[{"incident": depot["fire"].pk, "demands": {"T-SAND": 1}}],
        )
    assert not AllocationRun.objects.exists()


def test_given_another_countys_incident_when_computing_then_it_is_not_found_in_scope(world, depot):
    west_fire = incident(world, world.grid_y1, "西镇火灾", 30.0, 119.99)
    with pytest.raises(ValidationFailed) as caught:
        svc.allocation_compute(
            actor=actor(world),
            title="x",
            incidents=[{"incident": west_fire.pk, "demands": {"T-SAND": 1}}],
        )
    assert "incidents[0].incident" in caught.value.errors


def test_given_a_closed_incident_when_computing_then_it_is_refused(world, depot):
    depot["fire"].state = IncidentState.CLOSED
    depot["fire"].save()
    with pytest.raises(ValidationFailed) as caught:
        svc.allocation_compute(
            actor=actor(world),
            title="x",
            incidents=[{"incident": depot["fire"].pk, "demands": {"T-SAND": 1}}],
        )
    assert "incidents[0].incident" in caught.value.errors


def test_given_county_y_coordinator_when_computing_then_only_county_y_stock_is_used(world, depot):
    run = svc.allocation_compute(
        actor=actor(world, "coordinator_y"),
        title="西县",
        incidents=[{"name": "西镇", "lat": 30.0, "lon": 119.98, "demands": {"T-SAND": 20}}],
    )
    assert [w["id"] for w in run.problem["warehouses"]] == [f"w{depot['west'].pk}"]
    assert run.division == world.county_y


def test_given_a_division_outside_the_jurisdiction_when_computing_then_not_found(world, depot):
    with pytest.raises(NotFound):
        svc.allocation_compute(
            actor=actor(world),
            division_id=world.county_y.pk,
            title="x",
            incidents=[{"name": "a", "lat": 30, "lon": 120, "demands": {"T-SAND": 1}}],
        )


def test_given_a_sub_division_when_computing_then_only_its_warehouses_count(world, depot):
    run = svc.allocation_compute(
        actor=actor(world),
        division_id=world.town_x.pk,
        title="东镇",
        incidents=[{"name": "a", "lat": 30, "lon": 120, "demands": {"T-SAND": 1000}}],
    )
    ids = {w["id"] for w in run.problem["warehouses"]}
    assert f"w{depot['far'].pk}" not in ids  # placed at the county, above the town
    assert run.result["totals"]["allocated"] == 100


def test_given_only_chosen_warehouses_when_computing_then_the_others_are_left_alone(world, depot):
    run = svc.allocation_compute(
        actor=actor(world),
        title="x",
        incidents=[{"incident": depot["fire"].pk, "demands": {"T-SAND": 10}}],
        warehouses=[depot["far"].pk],
    )
    assert [w["id"] for w in run.problem["warehouses"]] == [f"w{depot['far'].pk}"]
    with pytest.raises(ValidationFailed) as caught:
        svc.allocation_compute(
            actor=actor(world),
            title="x",
            incidents=[{"incident": depot["fire"].pk, "demands": {"T-SAND": 10}}],
            warehouses=[depot["west"].pk],
        )
    assert "warehouses" in caught.value.errors


def test_given_bad_input_when_computing_then_every_field_is_named_at_once(world, depot):
    with pytest.raises(ValidationFailed) as caught:
        svc.allocation_compute(
            actor=actor(world),
            title="",
            objective="cheapest",
            incidents=[
                {"name": "", "lat": 95, "lon": "x", "demands": {"T-SAND": -1}},
                {"incident": 10**12, "demands": {"NOPE": 1}},
                {"name": "b", "lat": 30, "lon": 120, "demands": {}, "priority": 0},
            ],
        )
    errors = caught.value.errors
    for field in (
        "title",
        "objective",
        "incidents[0].name",
        "incidents[0].lat",
        "incidents[0].lon",
        "incidents[0].demands.T-SAND",
        "incidents[1].incident",
        "incidents[1].demands.NOPE",
        "incidents[2].demands",
        "incidents[2].priority",
    ):
        assert field in errors, field
    assert not AllocationRun.objects.exists()


def test_given_no_incidents_when_computing_then_refused(world, depot):
    with pytest.raises(ValidationFailed) as caught:
        svc.allocation_compute(actor=actor(world), title="x", incidents=[])
    assert "incidents" in caught.value.errors


def test_given_no_usable_stock_when_computing_then_refused(world):
    kind("T-SAND", "沙袋", "袋")
    with pytest.raises(ValidationFailed) as caught:
        svc.allocation_compute(
            actor=actor(world),
            title="x",
            incidents=[{"name": "a", "lat": 30, "lon": 120, "demands": {"T-SAND": 1}}],
        )
    assert "warehouses" in caught.value.errors


def test_given_runs_when_read_then_each_sees_their_jurisdiction_only(world, depot):
    run = svc.allocation_compute(
        actor=actor(world),
        title="x",
        incidents=[{"incident": depot["fire"].pk, "demands": {"T-SAND": 1}}],
    )
    assert svc.run_for(world.user("officer_housing_x"), run.pk) == run
    assert svc.run_for(world.user("platform_admin"), run.pk) == run
    for name in ("coordinator_y", "principal_a", "outsider"):
        assert not svc.visible_runs(world.user(name)).exists()
        with pytest.raises(NotFound):
            svc.run_for(world.user(name), run.pk)
    with pytest.raises(NotFound):
        svc.run_for(world.user("coordinator_x"), "abc")


def test_given_a_bad_problem_when_solved_statelessly_then_422_messages_are_worded(world):
    with pytest.raises(ValidationFailed) as caught:
        svc.solve_problem({"objective": "x", "incidents": [], "warehouses": []})
    assert set(caught.value.errors) >= {"objective", "incidents", "warehouses"}
    assert all(m and "%(" not in m for v in caught.value.errors.values() for m in v)


def test_given_stock_of_other_kinds_only_when_computing_then_refused(world, depot):
    kind("T-TENT", "帐篷", "顶")
    with pytest.raises(ValidationFailed) as caught:
        svc.allocation_compute(
            actor=actor(world),
            title="x",
            incidents=[{"name": "a", "lat": 30, "lon": 120, "demands": {"T-TENT": 5}}],
        )
    assert "warehouses" in caught.value.errors
