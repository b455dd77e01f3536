"""Shared set-up of the accident tests: a quick report with sensible defaults, made at
a frozen server time, and shortcuts for the investigation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from anjian.accidents import services
from anjian.accidents.models import Accident
from anjian.accounts.models import User
from anjian.core.audit import Actor
from tests.world import World

CHECKLIST_ALL = {
    "causes_found": True,
    "responsible_dealt_with": True,
    "measures_taken": True,
    "people_educated": True,
}


def actor(user: User, via: str = "web") -> Actor:
    return Actor.for_user(user, via)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> dt.datetime:
    """A local (Asia/Shanghai) time in 2026."""
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


def report(
    world: World, who: str = "safety_a", *, now: dt.datetime | None = None, **over: Any
) -> Accident:
    """A quick report by `who` (staff of chem_a by default) at server time `now`
    (default: 30 minutes after the head learned of it, so on time)."""
    fields: dict[str, Any] = {
        "occurred_at": at(3, 9, 0),
        "learned_at": at(3, 9, 10),
        "place": "东镇一网格1号 罐区",
        "gb6441_type": "19",
        "deaths": 1,
        "serious_injuries": 0,
        "minor_injuries": 2,
        "course": "储罐检修时作业人员中毒",
    }
    fields.update(over)
    when = now or fields["learned_at"] + dt.timedelta(minutes=30)
    with time_machine.travel(when, tick=False):
        return services.accident_report(actor=actor(world.user(who)), **fields)


def investigate(world: World, accident: Accident, who: str = "coordinator_x"):
    return services.accident_investigate(actor=actor(world.user(who)), accident_id=accident.pk)


def close(world: World, accident: Accident, who: str = "coordinator_x", **over: Any):
    fields: dict[str, Any] = {
        "causes": "未执行受限空间作业审批",
        "lessons": "严格作业许可",
        "measures": "全员培训",
        "checklist": dict(CHECKLIST_ALL),
    }
    fields.update(over)
    return services.investigation_close(
        actor=actor(world.user(who)), accident_id=accident.pk, **fields
    )
