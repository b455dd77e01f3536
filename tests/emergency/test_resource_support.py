"""Helpers of the resource tests (no tests here): the actors and a few resources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anjian.core.audit import Actor
from anjian.emergency import resource_services as services
from anjian.emergency.models import SupplyKind


def act(world: Any, name: str, via: str = "web") -> Actor:
    return Actor.for_user(world.user(name), via)


def team_data(**extra: Any) -> dict[str, Any]:
    return {
        "name": "东县危化救援队",
        "kind": "professional",
        "specialities": ["chemical", "fire"],
        "duty_phone": "0571-88000001",
        "latitude": "30.27",
        "longitude": "120.15",
        **extra,
    }


def kind(code: str = "M03-01") -> SupplyKind:
    services.ensure_supply_kinds()  # a transactional test elsewhere may have flushed them
    return SupplyKind.objects.get(code=code)


def government_warehouse(world: Any, name: str = "东县应急物资库", who: str = "coordinator_x"):
    return services.warehouse_create(
        actor=act(world, who), data={"name": name, "latitude": 30.28, "longitude": 120.16}
    )


def enterprise_warehouse(world: Any, name: str = "甲化工应急物资库"):
    return services.warehouse_create(actor=act(world, "safety_a"), data={"name": name})


def supply(world: Any, warehouse: Any, who: str = "coordinator_x", **data: Any):
    values = {"kind": kind().pk, "quantity": 20, "minimum": 10, **data}
    return services.supply_create(actor=act(world, who), warehouse_id=warehouse.pk, data=values)


TODAY = dt.date(2026, 12, 4)
