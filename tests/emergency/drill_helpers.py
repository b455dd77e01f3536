"""Small builders shared by the drill tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from anjian.core.audit import Actor
from anjian.emergency import drill_services as s
from anjian.emergency.models import Drill, Plan, PlanKind, PlanState


def who(world: Any, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def plan(world: Any, enterprise: Any = None, kind: str = PlanKind.ONSITE, **extra: Any) -> Plan:
    ent = enterprise or world.chem_a
    row = Plan.objects.create(
        enterprise=ent,
        kind=kind,
        title=extra.pop("title", "罐区泄漏现场处置方案"),
        state=extra.pop("state", PlanState.FILED),
        created_by=world.user("principal_a" if ent == world.chem_a else "principal_c"),
        issued_on=extra.pop("issued_on", dt.date(2024, 1, 10)),
        **extra,
    )
    Plan.objects.filter(pk=row.pk).update(series=row.pk)
    row.refresh_from_db()
    return row


def planned(world: Any, **extra: Any) -> Drill:
    return s.drill_plan(
        actor=who(world, "principal_a"),
        kind=extra.pop("kind", "tabletop"),
        scenario=extra.pop("scenario", "罐区苯泄漏，启动现场处置方案"),
        **extra,
    )


def ordered(world: Any, enterprise: Any = None, by: str = "coordinator_x") -> Drill:
    return s.drill_order(
        actor=who(world, by),
        enterprise_id=(enterprise or world.chem_a).pk,
        scenario="不打招呼：装车区液氨泄漏",
        kind="functional",
    )


def put(drill: Drill, state: str, **extra: Any) -> Drill:
    """Move a drill to a state directly (to test what each state refuses)."""
    now = timezone.now()
    fields: dict[str, Any] = {"state": state, **extra}
    if state in ("running", "done", "evaluated"):
        fields.setdefault("started_at", now)
    if state in ("done", "evaluated"):
        fields.setdefault("ended_at", now)
    Drill.objects.filter(pk=drill.pk).update(**fields)
    drill.refresh_from_db()
    return drill
