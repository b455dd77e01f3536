"""The monthly re-check sampling job (回头看).

For every county, once per month: take the hazards of its enterprises closed within the
policy's window, draw the sample (anjian.hazards.sampling) and create one pending
Recheck per sampled hazard. Idempotent: the RecheckRun row (unique per county and
period) is created in the same transaction as the sample, so a second run of the month,
or a second worker running at the same time, creates nothing.

Nobody is told in advance (the re-check is unannounced): the job writes no hazard event
and sends no notice; enterprise staff cannot see pending re-checks at all
(anjian.hazards.rechecks.visible_rechecks).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.registry.models import Division, DivisionLevel

from . import sampling
from . import workflow as wf
from .models import Hazard, Recheck, RecheckReason, RecheckRun

JOB_ACTOR = Actor.system("job", "recheck_sample")


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def default_seed(county_code: str, period: str) -> int:
    """Reproducible without being guessable from the outside alone: derived from the
    county and the period (the run stores the seed it used)."""
    digest = hashlib.sha256(f"recheck:{county_code}:{period}".encode()).digest()
    return int.from_bytes(digest[:7], "big")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _closed_hazards(county: Division, policy: sampling.Policy, today: dt.date):
    """Hazards of the county's enterprises closed in the window (a range on closed_at,
    so the database can use an index), with their enterprise's safety-code colour."""
    start, end = policy.window(today)
    subtree = scoping.subtree_ids(county)
    rows = Hazard.objects.filter(
        enterprise__division_id__in=subtree,
        state=wf.CLOSED,
        closed_at__gte=_day_start(start),
        closed_at__lt=_day_start(end + dt.timedelta(days=1)),
    ).values_list("pk", "level", "enterprise__risk_state__code_colour", "closed_at")
    return [
        sampling.ClosedHazard(pk, level, colour or "", timezone.localdate(at))
        for pk, level, colour, at in rows.iterator(chunk_size=5000)
    ]


def _already(ids: list[int], policy: sampling.Policy, today: dt.date) -> set[int]:
    since = today - dt.timedelta(days=policy.window_days)
    found: set[int] = set()
    for i in range(0, len(ids), 2000):
        found |= set(
            Recheck.objects.filter(hazard_id__in=ids[i : i + 2000], sampled_on__gte=since)
            .values_list("hazard_id", flat=True)
            .distinct()
        )
    return found


def _run_county(
    county: Division, policy: sampling.Policy, today: dt.date, seed: int | None
) -> dict[str, Any] | None:
    period = period_of(today)
    seed = default_seed(county.code, period) if seed is None else int(seed)
    try:
        with transaction.atomic():
            run = RecheckRun.objects.create(
                division=county, period=period, seed=seed, policy=policy.as_dict()
            )
            hazards = _closed_hazards(county, policy, today)
            already = _already([h.id for h in hazards], policy, today)
            picks = sampling.sample(hazards, policy, today=today, seed=seed, already=already)
            due = today + dt.timedelta(days=policy.due_days)
            Recheck.objects.bulk_create(
                [
                    Recheck(
                        hazard_id=p.id,
                        run=run,
                        sampled_on=today,
                        reason=(
                            RecheckReason.MAJOR
                            if p.reason == sampling.REASON_MAJOR
                            else RecheckReason.GENERAL_SHARE
                        ),
                        code_colour=p.colour,
                        weight=p.weight,
                        due_on=due,
                    )
                    for p in picks
                ],
                batch_size=1000,
            )
            counts = {
                "closed_in_window": len(hazards),
                "already_rechecked": len(already),
                "major": sum(1 for p in picks if p.reason == sampling.REASON_MAJOR),
                "general": sum(1 for p in picks if p.reason == sampling.REASON_SHARE),
                "eligible_general": sum(
                    1 for h in hazards if h.level != sampling.MAJOR and h.id not in already
                ),
            }
            run.counts = counts
            run.save(update_fields=["counts"])
            audit_append(
                actor=JOB_ACTOR,
                action="recheck_sample",
                obj=run,
                summary=f"{county.code} {period}: {len(picks)}",
                changes={"period": period, "seed": seed, "counts": counts},
            )
    except IntegrityError:
        return None  # this county's run of the period exists (another run or worker)
    return {"division": county.code, "run_id": run.pk, **counts}


def recheck_sample_run(*, today: dt.date | None = None, seed: int | None = None) -> dict[str, Any]:
    """Sample every county for the month of `today` (default: today). Returns what was
    created; counties already sampled this month are counted as skipped."""
    today = today or timezone.localdate()
    policy = sampling.load_policy()
    out: dict[str, Any] = {"period": period_of(today), "runs": [], "skipped": 0, "sampled": 0}
    for county in Division.objects.filter(level=DivisionLevel.COUNTY).order_by("code"):
        done = _run_county(county, policy, today, seed)
        if done is None:
            out["skipped"] += 1
            continue
        out["runs"].append(done)
        out["sampled"] += done["major"] + done["general"]
    return out
