"""The demo's emergency management (issue 14): what a county emergency bureau and its
chemical plant would have after a year of use. Everything goes through the emergency
services, as the people named would enter it; steps in the past run under a shifted
clock (anjian.demo.hazards._ShiftedTimezone), so their deadlines are those of their day.

* The demo enterprise: a comprehensive plan filed by the county emergency bureau, a
  special plan (fire and poisoning) awaiting the bureau's check, an on-site plan signed
  and never submitted (overdue for filing), a disposal card; drills of the last year
  (one evaluated, its finding a revision trigger), an unannounced drill ordered by the
  bureau and not yet answered; its own rescue team and warehouse.
* The county: rescue teams, warehouses with supplies (a few expired or short), experts
  and shelters around the county; an incident being responded to at the plant with the
  two nearest teams called; one allocation plan.

Coordinates scatter around the demo county's centre; names, phones and figures are a
local demo choice, never real.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anjian.accounts.models import User
from anjian.core.audit import Actor
from anjian.demo.hazards import _ShiftedTimezone
from anjian.emergency import allocation_services, drill_services, plan_services
from anjian.emergency import resource_services as res
from anjian.emergency import response_services as resp
from anjian.emergency.models import (
    DrillKind,
    DrillLevel,
    FindingOutcome,
    PlanKind,
    Supply,
    SupplyKind,
)
from anjian.registry.models import Division, Enterprise

SEED_OFFSET = 14_001

TEAMS = (
    # name, kind, specialities, members, readiness minutes
    ("县消防救援大队特勤站", "fire", ["fire", "chemical", "collapse"], 42, 2),
    ("县危险化学品应急救援队", "professional", ["chemical", "gas", "fire"], 28, 5),
    ("县矿山救护队", "professional", ["mine", "collapse"], 24, 5),
    ("县人民医院急救中心", "social", ["medical"], 36, 4),
    ("县水上搜救队", "social", ["water"], 18, 10),
    ("县供电公司电力抢修队", "professional", ["electric"], 20, 8),
    ("县燃气公司抢修队", "professional", ["gas"], 15, 6),
    ("县蓝天救援队", "social", ["collapse", "water", "medical"], 30, 15),
    ("开发区消防站", "fire", ["fire", "chemical"], 26, 2),
    ("县建筑工程抢险队", "professional", ["collapse"], 40, 20),
)
EXPERTS = (
    ("钱化工", ["chemical", "fire"], "高级工程师", "省化工研究院"),
    ("孙矿山", ["mine"], "教授级高级工程师", "市煤矿安全技术中心"),
    ("李消防", ["fire"], "高级工程师", "县消防救援大队"),
    ("周医生", ["medical"], "主任医师", "县人民医院"),
    ("吴电力", ["electric"], "高级工程师", "县供电公司"),
    ("郑燃气", ["gas"], "工程师", "县燃气公司"),
    ("王结构", ["collapse"], "高级工程师", "市建筑设计院"),
    ("冯水利", ["water"], "高级工程师", "县水利局"),
)
SHELTERS = (("县体育中心应急避难场所", 5000), ("城南中学避难点", 1200), ("工业园区避难场所", 2000))
WAREHOUSES = (
    "县级应急物资储备库",
    "城东物资储备点",
    "工业园区物资储备点",
    "城北物资储备点",
    "南部山区储备点",
)


@contextlib.contextmanager
def _clock(at: dt.datetime, *modules: Any) -> Iterator[None]:
    """The services of `modules` read `at` as now (their module-level `timezone`)."""
    real = [m.timezone for m in modules]
    for m in modules:
        m.timezone = _ShiftedTimezone(timezone, at)
    try:
        yield
    finally:
        for m, r in zip(modules, real, strict=True):
            m.timezone = r


def _near(rng: random.Random, lat: float, lon: float, spread: float = 0.08) -> tuple[str, str]:
    return (
        f"{lat + rng.uniform(-spread, spread):.6f}",
        f"{lon + rng.uniform(-spread, spread):.6f}",
    )


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}"


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build_demo_emergency(
    *, seed: int, users: dict[str, User], county: Division, enterprise: Enterprise
) -> dict[str, int]:
    rng = random.Random(seed + SEED_OFFSET)
    res.ensure_supply_kinds()
    fzr = Actor.for_user(users["qiye_fzr"], "demo")
    aqy = Actor.for_user(users["qiye_aqy"], "demo")
    yingji = Actor.for_user(users["yingji"], "demo")
    anweiban = Actor.for_user(users["anweiban"], "demo")
    centre_lat = float(enterprise.latitude or Decimal("30.87"))
    centre_lon = float(enterprise.longitude or Decimal("120.10"))
    # The government's resources spread over the county (its box: anjian.demo.generator).
    county_lat, county_lon = 30.87, 120.10
    name = enterprise.name
    levels = [
        {
            "level": "I",
            "condition": "事故超出企业处置能力，需要政府和社会救援力量",
            "actions": "总指挥启动预案，立即报告县应急管理局，请求支援",
        },
        {
            "level": "II",
            "condition": "事故可能扩大，需要全厂动员",
            "actions": "应急指挥部到位，疏散无关人员，专业队伍处置",
        },
        {
            "level": "III",
            "condition": "事故限于车间或单个装置",
            "actions": "车间负责人指挥现场处置，报告应急指挥部",
        },
    ]
    roles = [
        {"role": "总指挥", "name": "企业主要负责人", "phone": _phone(rng)},
        {"role": "副总指挥", "name": "企业安全管理员", "phone": _phone(rng)},
        {"role": "抢险救援组", "name": "生产部经理", "phone": _phone(rng)},
        {"role": "医疗救护组", "name": "行政部经理", "phone": _phone(rng)},
    ]

    # --- plans --------------------------------------------------------------------------
    mods = (plan_services,)
    with _clock(_at(70), *mods):
        comprehensive = plan_services.plan_create(
            actor=aqy,
            values={
                "kind": PlanKind.COMPREHENSIVE,
                "title": f"{name}生产安全事故综合应急预案",
                "summary": "总则、风险描述、应急组织机构及职责、预警及信息报告、应急响应、后期处置、应急保障。",
                "accident_types": ["08", "17", "19"],
                "response_levels": levels,
                "roles": roles,
            },
        )
        plan_services.plan_sign(actor=fzr, plan_id=comprehensive.pk)
    with _clock(_at(66), *mods):
        plan_services.plan_submit(actor=aqy, plan_id=comprehensive.pk)
    with _clock(_at(63), *mods):
        plan_services.plan_file(
            actor=yingji,
            plan_id=comprehensive.pk,
            filing_number=f"{county.code}-{timezone.localdate().year}-0001",
        )
    with _clock(_at(12), *mods):
        special = plan_services.plan_create(
            actor=aqy,
            values={
                "kind": PlanKind.SPECIAL,
                "title": f"{name}火灾及危险化学品泄漏中毒专项应急预案",
                "summary": "事故风险分析、应急指挥机构及职责、处置程序、处置措施。",
                "accident_types": ["08", "19"],
                "response_levels": levels[:2],
                "roles": roles[:3],
            },
        )
        plan_services.plan_sign(actor=fzr, plan_id=special.pk)
    with _clock(_at(3), *mods):
        plan_services.plan_submit(actor=aqy, plan_id=special.pk)
    with _clock(_at(45), *mods):
        onsite = plan_services.plan_create(
            actor=aqy,
            values={
                "kind": PlanKind.ONSITE,
                "title": "罐区物料泄漏现场处置方案",
                "summary": "事故风险分析、应急工作职责、应急处置、注意事项。",
                "accident_types": ["19", "17"],
                "roles": roles[2:],
            },
        )
        plan_services.plan_sign(actor=fzr, plan_id=onsite.pk)
    card = plan_services.plan_create(
        actor=aqy,
        values={
            "kind": PlanKind.CARD,
            "title": "罐区操作工应急处置卡",
            "post": "罐区操作工",
            "summary": "发现泄漏：1. 立即报告班长；2. 佩戴空气呼吸器关闭根部阀；3. 设置警戒区。",
            "accident_types": ["19"],
        },
    )

    # --- drills -------------------------------------------------------------------------
    dmods = (drill_services,)
    with _clock(_at(200), *dmods):
        tabletop = drill_services.drill_plan(
            actor=aqy,
            kind=DrillKind.TABLETOP,
            level=DrillLevel.COMPANY,
            plan_id=comprehensive.pk,
            scenario="储罐区液化气泄漏引发火灾的综合应急预案桌面推演",
        )
        drill_services.drill_start(actor=aqy, drill_id=tabletop.pk)
    with _clock(_at(200, 12), *dmods):
        drill_services.drill_finish(actor=aqy, drill_id=tabletop.pk, participants=24)
    with _clock(_at(198), *dmods):
        drill_services.drill_evaluate(
            actor=fzr,
            drill_id=tabletop.pk,
            evaluation="职责分工清楚，信息报告流程顺畅；夜间值班人员对预案不熟悉。",
            findings=[
                {
                    "text": "夜间值班人员联系方式未更新到预案通讯录",
                    "outcome": FindingOutcome.REVISION,
                },
                {"text": "演练记录完整", "outcome": FindingOutcome.NOTE},
            ],
        )
    with _clock(_at(230), *dmods):
        onsite_drill = drill_services.drill_plan(
            actor=aqy,
            kind=DrillKind.FUNCTIONAL,
            level=DrillLevel.WORKSHOP,
            plan_id=comprehensive.pk,
            scenario="罐区管线法兰泄漏现场处置演练",
        )
        drill_services.drill_start(actor=aqy, drill_id=onsite_drill.pk)
        drill_services.drill_finish(actor=aqy, drill_id=onsite_drill.pk, participants=12)
    drill_services.drill_plan(
        actor=aqy,
        kind=DrillKind.FULL_SCALE,
        level=DrillLevel.COMPANY,
        plan_id=special.pk,
        scenario="危险化学品泄漏中毒事故综合实战演练（联合县消防救援大队）",
        planned_for=(timezone.now() + dt.timedelta(days=20)).replace(microsecond=0).isoformat(),
    )
    with _clock(_at(1, 9), *dmods):
        drill_services.drill_order(
            actor=yingji,
            enterprise_id=enterprise.pk,
            scenario="不打招呼：反应釜超温超压，可燃气体报警，要求启动现场处置方案",
            kind=DrillKind.FUNCTIONAL,
        )

    # --- resources ----------------------------------------------------------------------
    teams = []
    for team_name, kind, specialities, members, readiness in TEAMS:
        lat, lon = _near(rng, county_lat, county_lon, 0.08)
        teams.append(
            res.team_create(
                actor=anweiban,
                data={
                    "name": team_name,
                    "kind": kind,
                    "specialities": specialities,
                    "members": members,
                    "leader": "队长",
                    "duty_phone": f"0572-{rng.randint(5000000, 5999999)}",
                    "equipment": "抢险车、空气呼吸器、防化服、破拆工具组、照明设备",
                    "readiness_minutes": readiness,
                    "latitude": lat,
                    "longitude": lon,
                },
            )
        )
    kinds = list(SupplyKind.objects.order_by("code"))
    today = timezone.localdate()
    warehouses = []
    for i, house_name in enumerate(WAREHOUSES):
        lat, lon = _near(rng, county_lat, county_lon, 0.08)
        house = res.warehouse_create(
            actor=anweiban,
            data={
                "name": house_name,
                "keeper": "保管员",
                "phone": _phone(rng),
                "latitude": lat,
                "longitude": lon,
            },
        )
        warehouses.append(house)
        for kind in rng.sample(kinds, k=min(len(kinds), 14 + i)):
            expires = None
            roll = rng.random()
            if roll < 0.08:
                expires = today - dt.timedelta(days=rng.randint(1, 90))
            elif roll < 0.16:
                expires = today + dt.timedelta(days=rng.randint(1, 29))
            elif roll < 0.6:
                expires = today + dt.timedelta(days=rng.randint(90, 1500))
            minimum = rng.choice((0, 10, 20, 50))
            quantity = (
                rng.randint(0, 200) if rng.random() < 0.1 else rng.randint(minimum, minimum + 300)
            )
            res.supply_create(
                actor=anweiban,
                warehouse_id=house.pk,
                data={
                    "kind": kind.code,
                    "quantity": quantity,
                    "minimum": minimum,
                    "expires_on": expires.isoformat() if expires else "",
                    "batch": f"{today.year - rng.randint(0, 3)}-{rng.randint(1, 12):02d}",
                },
            )
    for expert_name, specialities, title, employer in EXPERTS:
        lat, lon = _near(rng, county_lat, county_lon, 0.09)
        res.expert_create(
            actor=anweiban,
            data={
                "name": expert_name,
                "specialities": specialities,
                "title": title,
                "employer": employer,
                "phone": _phone(rng),
                "latitude": lat,
                "longitude": lon,
            },
        )
    for shelter_name, capacity in SHELTERS:
        lat, lon = _near(rng, county_lat, county_lon, 0.06)
        res.shelter_create(
            actor=anweiban,
            data={
                "name": shelter_name,
                "capacity": capacity,
                "phone": _phone(rng),
                "latitude": lat,
                "longitude": lon,
            },
        )
    own_lat, own_lon = _near(rng, centre_lat, centre_lon, 0.003)
    res.team_create(
        actor=aqy,
        data={
            "name": f"{name}专职应急救援队",
            "kind": "enterprise",
            "specialities": ["chemical", "fire"],
            "members": 12,
            "duty_phone": _phone(rng),
            "readiness_minutes": 1,
            "latitude": own_lat,
            "longitude": own_lon,
            "roster": [{"name": "队长", "speciality": "危化品处置", "phone": _phone(rng)}],
        },
    )
    own_house = res.warehouse_create(
        actor=aqy, data={"name": f"{name}应急物资库", "latitude": own_lat, "longitude": own_lon}
    )
    for code in ("M03-04", "E02-03", "L01-02"):
        if SupplyKind.objects.filter(code=code).exists():
            res.supply_create(
                actor=aqy,
                warehouse_id=own_house.pk,
                data={"kind": code, "quantity": 20, "minimum": 10},
            )

    # --- one-click response and allocation ---------------------------------------------
    incident = resp.incident_start(
        actor=Actor.for_user(users["anweiban"], "demo"),
        data={
            "title": f"{name}罐区物料泄漏",
            "place": enterprise.address or name,
            "latitude": f"{centre_lat:.6f}",
            "longitude": f"{centre_lon:.6f}",
            "accident_type": "19",
            "response_level": "III",
            "enterprise": enterprise.pk,
        },
    )
    match = resp.incident_match(incident)
    nearest = [row.id for row in match.teams if row.fits][:2]
    if nearest:
        resp.incident_call(
            actor=anweiban,
            incident_id=incident.pk,
            targets=[{"kind": "team", "id": r} for r in nearest],
        )
    usable = {
        s.kind.code
        for s in Supply.objects.filter(warehouse__in=warehouses, quantity__gt=0).select_related(
            "kind"
        )
    }
    wanted = [c for c in ("M03-04", "E02-03", "L01-02", "M01-01") if c in usable][:3]
    run = None
    if wanted:
        run = allocation_services.allocation_compute(
            actor=anweiban,
            title="罐区泄漏及城南疏散点物资调配",
            objective="time",
            incidents=[
                {"incident": incident.pk, "demands": dict.fromkeys(wanted, 60), "priority": 1},
                {
                    "name": "城南中学避难点",
                    "lat": round(centre_lat - 0.03, 6),
                    "lon": round(centre_lon + 0.02, 6),
                    "demands": {wanted[-1]: 400},
                },
            ],
        )
    return {
        "plans": 4,
        "drills": 4,
        "teams": len(teams) + 1,
        "warehouses": len(warehouses) + 1,
        "incidents": 1,
        "allocations": 1 if run else 0,
        "card": card.pk,
        "onsite": onsite.pk,
    }
