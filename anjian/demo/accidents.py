"""The demo's production-safety accidents (issue 13 items 1-2): about forty over the last
24 months in the demo county, so the accident list, one accident's steps and the
statistics page (year on year, by division, industry, department, type and grade) have
something true to show.

Every accident goes through anjian.accidents.services as a regulator would enter it: the
quick report (a few late), follow-up reports for some, the investigation opened a few days
later, persons held accountable for some, and the 四不放过 close-out for most of the older
ones (one extended, a few still open past their due day), one duplicate report withdrawn.
The services run under a shifted clock (anjian.demo.hazards._ShiftedTimezone), so each
step happens on its own day and the deadlines and late flags are those of that day.

Mostly 一般, two 较大; about a third outside any registered enterprise (roads, rivers,
self-built houses); the GB 6441 type fits the industry (02 车辆伤害 for transport, 09
高处坠落 for construction, 19 中毒和窒息 for chemicals …). Same seed and day, same
accidents. A local demo choice throughout: no real figures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anjian.accidents import services as accident_services
from anjian.accidents.models import Accident
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.demo.hazards import _ShiftedTimezone
from anjian.registry.models import Division, DivisionLevel, Enterprise

SEED_OFFSET = 13_002
COUNT = 40
DAYS = 720  # the last 24 months
OUTSIDE_SHARE = 0.3
LATE_SHARE = 0.1
FOLLOWUP_SHARE = 0.25

# Industry → plausible GB 6441 types (local demo choice).
TYPES_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "HR-TRANS": ("02", "02", "01"),
    "HR-CONSTR": ("09", "09", "10", "01", "04"),
    "HR-HAZCHEM": ("19", "19", "17", "07", "08"),
    "HR-IT-MET": ("03", "07", "04"),
    "HR-IT-NFM": ("07", "03"),
    "HR-IT-BLD": ("03", "10"),
    "HR-IT-MCH": ("03", "03", "04", "05"),
    "HR-IT-LGT": ("03", "08"),
    "HR-IT-TXT": ("03", "08"),
    "HR-IT-COM": ("01", "08"),
    "HR-FIRE": ("08",),
    "HR-GAS": ("18", "08"),
    "HR-SPEQ": ("04", "16"),
    "HR-MINE": ("10", "13", "11"),
    "NB-COLD": ("19", "17"),
}
# Accidents outside any enterprise: (type, road or fire, where).
OUTSIDE: tuple[tuple[str, bool, str], ...] = (
    ("02", True, "乡道与村道交叉口"),
    ("02", True, "省道路段"),
    ("06", False, "河道"),
    ("09", False, "村民自建房工地"),
    ("08", True, "沿街店铺"),
)
SPOTS = {
    "01": "施工现场",
    "02": "厂区道路",
    "03": "生产车间",
    "04": "吊装作业区",
    "05": "配电房",
    "07": "熔炼车间",
    "08": "仓库",
    "09": "脚手架",
    "10": "基坑",
    "11": "采场",
    "13": "爆破作业面",
    "16": "锅炉房",
    "17": "压力容器区",
    "18": "储气间",
    "19": "受限空间",
    "20": "作业现场",
}
COURSES = {
    "02": "车辆行驶中与行人发生碰撞",
    "06": "人员落水",
    "08": "起火后火势蔓延",
    "09": "作业人员从高处坠落",
    "10": "土方坍塌掩埋作业人员",
    "19": "作业人员进入受限空间未检测气体导致中毒窒息",
}
ACCOUNTABLE = (
    ("王某", "企业主要负责人", "罚款并责令改正"),
    ("李某", "安全管理人员", "撤销安全管理岗位"),
    ("张某", "现场负责人", "移送司法机关"),
)
CHECKLIST = {
    "causes_found": True,
    "responsible_dealt_with": True,
    "measures_taken": True,
    "people_educated": True,
}


@dataclass
class DemoAccidents:
    accidents: list[int] = field(default_factory=list)
    withdrawn: int | None = None
    closed: int = 0
    followups: int = 0


@contextlib.contextmanager
def _shifted_clock(at: dt.datetime) -> Iterator[None]:
    """The accident services' clock at `at` (they read time through their module's
    `timezone`, as the hazard services do)."""
    real = accident_services.timezone
    accident_services.timezone = _ShiftedTimezone(real, at)  # type: ignore[assignment]
    try:
        yield
    finally:
        accident_services.timezone = real


def _figures(rng: random.Random, larger: bool) -> dict[str, Any]:
    if larger:
        deaths, serious = rng.choice([(3, 2), (4, 1), (3, 5)])
        return {
            "deaths": deaths,
            "serious_injuries": serious,
            "minor_injuries": rng.randint(0, 4),
            "direct_loss_yuan": Decimal(rng.randint(300, 900) * 10_000),
        }
    deaths = rng.choices([0, 1, 2], weights=[55, 40, 5])[0]
    serious = rng.choices([0, 1, 2], weights=[50, 35, 15])[0]
    minor = rng.randint(0, 3)
    if not deaths + serious + minor:
        minor = 1
    return {
        "deaths": deaths,
        "serious_injuries": serious,
        "minor_injuries": minor,
        "direct_loss_yuan": Decimal(rng.randint(2, 80) * 10_000),
    }


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def build_demo_accidents(
    *, seed: int, coordinator: Any, count: int = COUNT, today: dt.date | None = None
) -> DemoAccidents:
    """About `count` accidents in the coordinator's county over the last 24 months,
    entered and followed by the coordinator (安委办) through the accident services."""
    rng = random.Random(seed + SEED_OFFSET)
    today = today or timezone.localdate()
    out = DemoAccidents()
    county = coordinator.division
    if county is None:
        return out
    actor = Actor.for_user(coordinator, "demo")
    towns = list(
        Division.objects.filter(parent=county, level=DivisionLevel.TOWNSHIP).order_by("code")
    ) or [county]
    rows = list(
        Enterprise.objects.filter(division_id__in=scoping.subtree_ids(county))
        .select_related("industry")
        .order_by("pk")
        .only("pk", "name", "latitude", "longitude", "industry__code")
    )
    if not rows:
        return out
    by_industry: dict[str, list[Enterprise]] = {}
    for e in rows:
        by_industry.setdefault(e.industry.code if e.industry else "", []).append(e)
    known = [code for code in TYPES_BY_INDUSTRY if by_industry.get(code)]

    ages = sorted((rng.randint(3, DAYS) for _i in range(count)), reverse=True)
    larger_at = set(rng.sample(range(count), 2)) if count >= 2 else set()
    duplicate_at = rng.randrange(count)
    for i, age in enumerate(ages):
        day = today - dt.timedelta(days=age)
        occurred = _local(day, rng.randint(6, 20), rng.choice((0, 10, 20, 30, 40, 50)))
        learned = occurred + dt.timedelta(minutes=rng.randint(5, 40))
        late = rng.random() < LATE_SHARE
        reported = learned + dt.timedelta(
            minutes=rng.randint(70, 180) if late else rng.randint(15, 55)
        )
        larger = i in larger_at
        fields: dict[str, Any] = {
            "occurred_at": occurred,
            "learned_at": learned,
            **_figures(rng, larger),
        }
        if larger:
            # The 较大 ones: a poisoning at a chemical plant, a collapse on a building site.
            code = "HR-HAZCHEM" if i == min(larger_at) else "HR-CONSTR"
            code = code if by_industry.get(code) else (known[0] if known else "")
            outside = False
        else:
            outside = rng.random() < OUTSIDE_SHARE or not known
            code = rng.choice(known) if known else ""
        if outside:
            kind, road_or_fire, where = rng.choice(OUTSIDE)
            town = rng.choice(towns)
            fields.update(
                division_id=town.pk,
                gb6441_type=kind,
                road_or_fire=road_or_fire,
                place=f"{town.name}{where}",
                course=COURSES.get(kind, "事故经过待续报"),
            )
        else:
            enterprise = rng.choice(by_industry.get(code) or rows)
            kinds = TYPES_BY_INDUSTRY.get(code, ("20",))
            kind = (
                {"HR-HAZCHEM": "19", "HR-CONSTR": "10"}.get(code, kinds[0])
                if larger
                else (rng.choice(kinds))
            )
            fields.update(
                enterprise_id=enterprise.pk,
                gb6441_type=kind,
                road_or_fire=kind in ("02", "08"),
                place=f"{enterprise.name} {SPOTS.get(kind, '作业现场')}",
                latitude=enterprise.latitude,
                longitude=enterprise.longitude,
                course=COURSES.get(kind, "作业过程中发生事故，详细经过待续报"),
                unit_overview=enterprise.name,
            )
        with _shifted_clock(reported):
            accident = accident_services.accident_report(actor=actor, **fields)
        out.accidents.append(accident.pk)
        if i == duplicate_at and age > 1:
            # Entered twice by mistake; the second is withdrawn within the hour.
            with _shifted_clock(reported + dt.timedelta(minutes=5)):
                twin = accident_services.accident_report(actor=actor, **fields)
            with _shifted_clock(reported + dt.timedelta(minutes=30)):
                accident_services.accident_withdraw(
                    actor=actor, accident_id=twin.pk, reason="重复录入，已有同一事故的快报"
                )
            out.withdrawn = twin.pk
        _follow(rng, actor, accident, age, larger, out)
    return out


def _follow(
    rng: random.Random,
    actor: Actor,
    accident: Accident,
    age: int,
    larger: bool,
    out: DemoAccidents,
) -> None:
    """Follow-up, investigation, persons held accountable and the close-out, each on its
    own day, as far as the accident's age allows."""
    start = accident.reported_at
    if age > 2 and rng.random() < FOLLOWUP_SHARE:
        figures = {
            "deaths": accident.deaths,
            "serious_injuries": accident.serious_injuries,
            "minor_injuries": accident.minor_injuries,
            "missing": accident.missing,
            "direct_loss_yuan": accident.direct_loss_yuan + rng.randint(1, 20) * 1000,
        }
        if not larger and accident.minor_injuries and accident.deaths + 1 < 3:
            # One of the injured was found to be seriously hurt.
            figures["minor_injuries"] -= 1
            figures["serious_injuries"] += 1
        with _shifted_clock(start + dt.timedelta(days=rng.randint(1, min(2, age - 1)))):
            accident = accident_services.accident_followup(
                actor=actor,
                accident_id=accident.pk,
                course="续报：伤员情况和直接经济损失核实更新",
                **figures,
            )
        out.followups += 1
    if age <= 20:
        return
    opened = start + dt.timedelta(days=3)
    with _shifted_clock(opened):
        accident_services.accident_investigate(actor=actor, accident_id=accident.pk)
    if age <= 75:
        return
    close_after = rng.randint(30, 58)
    if larger or rng.random() < 0.12:
        if rng.random() < 0.5 and not larger:
            return  # still open, past its due day: the list flags it
        with _shifted_clock(start + dt.timedelta(days=50)):
            accident_services.investigation_extend(
                actor=actor,
                accident_id=accident.pk,
                days=30,
                reason="需进行技术鉴定，延长调查期限",
            )
        close_after = 80
    if close_after >= age:
        return
    if larger or rng.random() < 0.3:
        for name, position, measure in ACCOUNTABLE[: 3 if larger else rng.randint(1, 2)]:
            with _shifted_clock(start + dt.timedelta(days=close_after - 2)):
                accident_services.accident_accountable_add(
                    actor=actor,
                    accident_id=accident.pk,
                    name=name,
                    position=position,
                    measure=measure,
                    basis="《生产安全事故报告和调查处理条例》",
                )
    with _shifted_clock(start + dt.timedelta(days=close_after)):
        accident_services.investigation_close(
            actor=actor,
            accident_id=accident.pk,
            causes="安全管理制度不落实，现场作业未执行操作规程",
            lessons="作业前必须进行风险辨识和安全交底",
            measures="开展专项整治和全员安全教育培训",
            findings="事故调查组查明了事故经过、原因和人员伤亡情况",
            checklist=dict(CHECKLIST),
        )
    out.closed += 1
