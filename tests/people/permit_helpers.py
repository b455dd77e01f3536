"""Helpers shared by the permit tests (tests/people/test_permit*.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anjian.core.audit import Actor
from anjian.people import permit_services as ps
from anjian.people.models import Certificate, Permit, Worker


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def worker(enterprise, name: str) -> Worker:
    return Worker.objects.create(enterprise=enterprise, name=name)


_n = iter(range(1, 10_000))


def licence(
    w: Worker,
    category: str = "焊接与热切割作业",
    *,
    expires_in: int = 1000,
    review_in: int | None = 500,
    state: str = "valid",
) -> Certificate:
    today = timezone.localdate()
    return Certificate.objects.create(
        worker=w,
        kind="special_work",
        category=category,
        item="熔化焊接与热切割作业",
        number=f"T33010119900101{next(_n):04d}",
        issued_on=today - dt.timedelta(days=365),
        expires_on=today + dt.timedelta(days=expires_in),
        review_due=None if review_in is None else today + dt.timedelta(days=review_in),
        state=state,
    )


def crew(world):
    """Two operators (one licensed welder each) and a guardian at chem_a."""
    a, b, g = (worker(world.chem_a, n) for n in ("张焊工", "李焊工", "王监护"))
    licence(a)
    licence(b)
    return a, b, g


def apply(world, operators, guardian, *, name="safety_a", hours=4, **extra) -> Permit:
    start = timezone.now() + dt.timedelta(minutes=10)
    values = {
        "kind": "hot_work",
        "grade": "first",
        "place": "罐区T-101",
        "content": "管线焊接",
        "planned_start": start.isoformat(),
        "planned_end": (start + dt.timedelta(hours=hours)).isoformat(),
        "workers": [w.pk for w in operators],
        "guardian": guardian.pk,
        **extra,
    }
    return ps.permit_apply(actor=actor(world, name), values=values)


GOOD_GAS = {
    "analyst": "赵分析",
    "combustible_pct": "0.1",
    "combustible_lel_pct": "5",
    "oxygen_pct": "20.9",
}


def gas(world, permit, name="safety_a", **values):
    return ps.gas_analysis_add(
        actor=actor(world, name), permit_id=permit.pk, values={**GOOD_GAS, **values}
    )
