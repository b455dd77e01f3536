"""Helpers of the response tests: resources placed due north of the incident point
(30 N, 120 E), so that the distances are hand-checkable (see test_response_matching)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from anjian.core.audit import Actor
from anjian.emergency import geo
from anjian.emergency import response_services as rs
from anjian.emergency.models import (
    Expert,
    Plan,
    RescueTeam,
    Shelter,
    Supply,
    SupplyKind,
    Warehouse,
)

LAT, LON = Decimal("30.000000"), Decimal("120.000000")
KM_PER_DEG = 2 * math.pi * geo.EARTH_RADIUS_KM / 360


def north(km: float) -> Decimal:
    return Decimal(f"{30.0 + km / KM_PER_DEG:.6f}")


def act(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def resources(world) -> dict:
    """Teams, experts, a warehouse setup and a shelter in county X and one team in Y."""
    x, y = world.county_x, world.county_y
    t = {}
    t["fire"] = RescueTeam.objects.create(
        division=x,
        name="东县消防救援站",
        kind="fire",
        specialities=["fire"],
        duty_phone="0571-119",
        latitude=north(10),
        longitude=LON,
        readiness_minutes=5,
    )
    t["chem"] = RescueTeam.objects.create(
        division=x,
        enterprise=world.chem_a,
        name="甲化工专职队",
        kind="enterprise",
        specialities=["chemical", "fire"],
        duty_phone="0571-1001",
        latitude=north(2),
        longitude=LON,
        readiness_minutes=3,
    )
    t["medical"] = RescueTeam.objects.create(
        division=x,
        name="东县急救站",
        kind="social",
        specialities=["medical"],
        duty_phone="0571-120",
        latitude=north(1),
        longitude=LON,
        readiness_minutes=2,
    )
    t["far"] = RescueTeam.objects.create(
        division=y,
        name="西县矿山救护队",
        kind="professional",
        specialities=["mine"],
        duty_phone="0571-2000",
        latitude=north(40),
        longitude=LON,
    )
    t["retired"] = RescueTeam.objects.create(
        division=x,
        name="已撤销队伍",
        kind="social",
        specialities=["fire"],
        duty_phone="1",
        latitude=north(0.5),
        longitude=LON,
        active=False,
    )
    t["expert"] = Expert.objects.create(
        division=x,
        name="王专家",
        specialities=["chemical"],
        phone="13800000001",
        latitude=north(5),
        longitude=LON,
    )
    kinds = {
        "foam": SupplyKind.objects.create(
            code="F1", name="泡沫灭火剂", unit="吨", accident_types=["08", "18"]
        ),
        "mask": SupplyKind.objects.create(
            code="M1", name="防毒面具", unit="个", accident_types=["19"]
        ),
    }
    t["kinds"] = kinds
    w1 = Warehouse.objects.create(
        division=x, name="东县应急物资库", phone="0571-3000", latitude=north(4), longitude=LON
    )
    w2 = Warehouse.objects.create(division=x, name="东镇物资点", latitude=north(1), longitude=LON)
    t["w1"], t["w2"] = w1, w2
    today = dt.date.today()
    Supply.objects.create(warehouse=w1, kind=kinds["foam"], quantity=8)
    Supply.objects.create(
        warehouse=w1, kind=kinds["mask"], quantity=40, expires_on=today + dt.timedelta(days=30)
    )
    Supply.objects.create(warehouse=w2, kind=kinds["foam"], quantity=3, state="scrapped")
    Supply.objects.create(
        warehouse=w2, kind=kinds["mask"], quantity=9, expires_on=today - dt.timedelta(days=1)
    )
    t["shelter"] = Shelter.objects.create(
        division=x, name="东镇中学避难场所", capacity=800, latitude=north(3), longitude=LON
    )
    return t


def plans(world) -> dict:
    user = world.user("principal_a")
    p = {}
    p["comprehensive"] = Plan.objects.create(
        enterprise=world.chem_a,
        kind="comprehensive",
        title="综合应急预案",
        state="filed",
        created_by=user,
    )
    p["poison"] = Plan.objects.create(
        enterprise=world.chem_a,
        kind="special",
        title="中毒窒息专项预案",
        accident_types=["19"],
        state="issued",
        created_by=user,
    )
    p["fire"] = Plan.objects.create(
        enterprise=world.chem_a,
        kind="special",
        title="火灾专项预案",
        accident_types=["08"],
        state="filed",
        created_by=user,
    )
    p["draft"] = Plan.objects.create(
        enterprise=world.chem_a,
        kind="onsite",
        title="罐区现场处置方案",
        accident_types=["19"],
        state="draft",
        created_by=user,
    )
    p["other"] = Plan.objects.create(
        enterprise=world.chem_c,
        kind="comprehensive",
        title="丙综合预案",
        state="filed",
        created_by=world.user("principal_c"),
    )
    return p


def start(world, name: str = "coordinator_x", **data):
    values = {
        "title": "甲化工罐区泄漏",
        "place": "罐区",
        "latitude": str(LAT),
        "longitude": str(LON),
        "accident_type": "19",
        "enterprise": world.chem_a.pk,
        **data,
    }
    return rs.incident_start(actor=act(world, name), data=values)
