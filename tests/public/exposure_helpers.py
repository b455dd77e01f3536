"""Shared set-up of the exposure board tests: grounding records (a decided penalty, an
overdue major hazard, an accident) and shortcuts along the workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from anjian.core.audit import Actor
from anjian.hazards.models import Hazard
from anjian.public import exposure_services as services
from anjian.public.models import Exposure
from tests.accidents.accident_helpers import report as report_accident
from tests.hazards.helpers import report as report_hazard
from tests.penalties.helpers import decided_penalty
from tests.world import World

SUMMARY = "该企业未对重大危险源进行检测、评估、监控，经责令整改逾期未改正，依法予以罚款。"


def actor(world: World, name: str, via: str = "web") -> Actor:
    return Actor.for_user(world.user(name), via)


def overdue_major_hazard(world: World, enterprise=None) -> Hazard:
    hazard = report_hazard(world, enterprise=enterprise or world.chem_a)
    Hazard.objects.filter(pk=hazard.pk).update(
        level="major",
        state="rectifying",
        deadline=timezone.localdate() - dt.timedelta(days=3),
    )
    hazard.refresh_from_db()
    return hazard


def propose(
    world: World, who: str = "officer_emergency_x", *, ground: str = "serious_violation", **over
) -> Exposure:
    fields: dict[str, Any] = {"summary": SUMMARY, "title": ""}
    if "link_id" not in over:
        if ground in ("serious_violation",):
            over["link_id"] = decided_penalty(world).pk
        elif ground == "major_hazard_overdue":
            over["link_id"] = overdue_major_hazard(world).pk
        elif ground == "accident":
            over["link_id"] = report_accident(world).pk
    fields.update(over)
    return services.exposure_propose(actor=actor(world, who), ground=ground, **fields)


def walk(world: World, exposure: Exposure, to: str, who: str = "coordinator_x") -> Exposure:
    path = {"approved": ["approve"], "published": ["approve", "publish"]}
    path["withdrawn"] = [*path["published"], "withdraw"]
    path["rejected"] = ["reject"]
    for action in path[to]:
        exposure = services.exposure_step(
            actor=actor(world, who), exposure_id=exposure.pk, action=action, reason="核实有误"
        )
    return exposure
