"""The demo's daily commitment notices (安全风险研判与承诺公告): two weeks of history for every
enterprise that owes them, so the regulators' day board, the enterprise's history and the
missing-notice flags have something to show.

Most notices arrive before 10:00, some late, a few never (the job then flags them, as it
would have on the day); units are mostly running, now and then stopped or under
maintenance; special work is counted the way a plant of that size would. The demo
enterprise's notices are written by its principal (qiye_fzr) through the same service as
the form, one of them corrected; the others are loaded as notices submitted elsewhere.
Today's notice is left for the user to submit.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.registry.models import Enterprise

SEED_OFFSET = 4_111
DAYS = 14


def _at(day: dt.date, minutes: int) -> dt.datetime:
    """`minutes` after local midnight of `day`, as an aware datetime."""
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return midnight + dt.timedelta(minutes=minutes)


def _notice(rng: random.Random, units, principal: str):
    from anjian.commitments import rules
    from anjian.commitments.services import NoticeData

    states = {}
    for unit in units:
        r = rng.random()
        states[unit.key] = (
            rules.STOPPED if r < 0.04 else rules.MAINTENANCE if r < 0.08 else rules.RUNNING
        )
    counts = {
        "hot_work_second": rng.choice((0, 0, 1, 1, 2)),
        "hot_work_first": 1 if rng.random() < 0.1 else 0,
        "confined_space": 1 if rng.random() < 0.2 else 0,
        "work_at_height": rng.choice((0, 1, 1, 2, 3)),
        "lifting": 1 if rng.random() < 0.25 else 0,
        "temporary_power": rng.choice((0, 0, 1, 2)),
        "blind_plate": 1 if rng.random() < 0.1 else 0,
        "excavation": 1 if rng.random() < 0.1 else 0,
    }
    judgement = rng.choice(
        (
            "交接班及调度会研判：装置运行平稳，罐区液位、压力正常。",
            "今日有检修作业，作业票证已审批，监护人员到位。",
            "气温升高，加强罐区喷淋和巡检频次。",
            "",
        )
    )
    return NoticeData(
        principal_name=principal,
        commitment=rules.DEFAULT_COMMITMENT,
        judgement=judgement,
        counts=counts,
        states=states,
    )


def build_demo_commitments(
    *, seed: int, demo_enterprise: Enterprise | None, principal_user=None, today=None
) -> dict[str, int]:
    """Notices of the last DAYS days (not today) for every enterprise that owes them;
    returns counts."""
    from anjian.commitments import services

    today = today or timezone.localdate()
    rng = random.Random(seed + SEED_OFFSET)
    loader = Actor.system("demo", "demo-loader")
    owing = list(services.owing(Enterprise.objects.all()).order_by("pk"))
    made = {"on_time": 0, "late": 0, "missing": 0, "corrected": 0, "enterprises": len(owing)}
    for enterprise in owing:
        units = services.units_of(enterprise.pk)
        if not units:
            continue
        principal = enterprise.principal or "企业主要负责人"
        own = demo_enterprise is not None and enterprise.pk == demo_enterprise.pk
        for back in range(DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            r = rng.random()
            # The demo enterprise misses exactly one day (a week ago) and is late twice.
            if own:
                kind = "missing" if back == 7 else "late" if back in (11, 4) else "on_time"
            else:
                kind = "missing" if r < 0.07 else "late" if r < 0.17 else "on_time"
            if kind == "missing":
                made["missing"] += 1
                continue
            minutes = rng.randint(7 * 60 + 30, 9 * 60 + 50)
            if kind == "late":
                minutes = rng.randint(10 * 60 + 5, 16 * 60)
            data = _notice(rng, units, principal)
            if own and principal_user is not None:
                actor = Actor.for_user(principal_user, "demo")
                notice = services.commitment_submit(
                    actor=actor,
                    enterprise_id=enterprise.pk,
                    data=data,
                    day=day,
                    now=_at(day, minutes),
                )
                if back == 2:  # a hot-work permit counted late: the notice is corrected
                    data.counts["hot_work_second"] = data.counts.get("hot_work_second", 0) + 1
                    services.commitment_correct(
                        actor=actor,
                        commitment_id=notice.pk,
                        data=data,
                        reason="补报一处二级动火作业（储罐区管线检修）",
                        now=_at(day, minutes + 95),
                    )
                    made["corrected"] += 1
            else:
                services.commitment_load(
                    actor=loader,
                    enterprise_id=enterprise.pk,
                    day=day,
                    data=data,
                    submitted_at=_at(day, minutes),
                )
            made[kind] += 1
    # The missing ones are flagged as the job would have flagged them that day.
    for back in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        services.commitments_flag_missing(day=day, now=_at(day, 10 * 60 + 1))
    return made


__all__ = ["build_demo_commitments"]
