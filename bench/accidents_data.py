"""Benchmark accidents: N accidents (100,000 by default) over the benchmark county, for
timing the accident statistics at that size (issue 13 item 3).

Benchmark data, NOT written through the services: rows go in with bulk_create in big
transactions, without events, versions or audit entries per accident (one audit entry
records the load). Rows are otherwise shaped as the quick report writes them: graded by
anjian.accidents.grading.grade (493号令 第三条), placed in a grid, at an enterprise of that
grid for 70% of them (with its industry), the rest outside any enterprise.

Distributions (benchmark choice, not a rule): over the last 3 years, evenly; deaths 0 for
85%, else 1-3 (rarely up to 12); injuries 0-5; losses up to 2,000,000 yuan (rarely more);
GB 6441 types weighted towards 物体打击, 车辆伤害, 机械伤害, 高处坠落; 2% withdrawn.

    python bench/accidents_data.py --accidents 100000        (into the bench database)
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

YEARS = 3
AT_ENTERPRISE = 0.7
WITHDRAWN = 0.02
TYPE_WEIGHTS = {"01": 12, "02": 14, "03": 12, "04": 3, "05": 3, "06": 3, "07": 2, "08": 2}
TYPE_WEIGHTS |= {"09": 2, "10": 2, "11": 1, "12": 8, "13": 2, "14": 1, "15": 2}
TYPE_WEIGHTS |= {"16": 2, "17": 1, "18": 1, "19": 1, "20": 3}


def generate(
    total: int,
    *,
    seed: int = 11,
    batch: int = 20_000,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from anjian.accidents import grading
    from anjian.accidents.models import Accident
    from anjian.accounts.models import Role, User
    from anjian.core.audit import Actor, audit_append
    from anjian.registry.models import Division, DivisionLevel, Enterprise

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    grids = list(Division.objects.filter(level=DivisionLevel.GRID).values_list("pk", flat=True))
    if not grids:
        raise RuntimeError("no grids: build the bench county first")
    by_grid: dict[int, list[tuple[int, int | None]]] = {}
    for pk, division_id, industry_id in Enterprise.objects.values_list(
        "pk", "division_id", "industry_id"
    ):
        by_grid.setdefault(division_id, []).append((pk, industry_id))
    reporter = User.objects.filter(role=Role.COORDINATOR).order_by("pk").first()
    assert reporter is not None, "the bench county has a coordinator"
    types = list(TYPE_WEIGHTS)
    weights = [TYPE_WEIGHTS[t] for t in types]
    span = YEARS * 365 * 24 * 3600
    made = 0
    while made < total:
        rows = []
        for _ in range(min(batch, total - made)):
            occurred = now - dt.timedelta(seconds=rng.randrange(span))
            grid = rng.choice(grids)
            enterprise_id, industry_id = None, None
            if rng.random() < AT_ENTERPRISE and by_grid.get(grid):
                enterprise_id, industry_id = rng.choice(by_grid[grid])
            deaths = 0 if rng.random() < 0.85 else rng.choice([1, 1, 1, 2, 3, 3, 4, 12])
            serious = rng.choice([0, 0, 0, 1, 2, 5, 11])
            minor = rng.randint(0, 5)
            loss = Decimal(rng.randint(0, 200_000_000)) / 100
            if rng.random() < 0.005:
                loss *= 60
            graded = grading.grade(deaths=deaths, serious=serious, loss_yuan=loss)
            kind = rng.choices(types, weights)[0]
            learned = occurred + dt.timedelta(minutes=rng.randint(1, 30))
            rows.append(
                Accident(
                    occurred_at=occurred,
                    learned_at=learned,
                    reported_at=learned + dt.timedelta(minutes=rng.randint(5, 90)),
                    place=f"基准事故地点{made + len(rows) + 1}",
                    division_id=grid,
                    enterprise_id=enterprise_id,
                    industry_id=industry_id,
                    gb6441_type=kind,
                    road_or_fire=kind in ("02", "12"),
                    state="withdrawn" if rng.random() < WITHDRAWN else "closed",
                    reported_by=reporter,
                    deaths=deaths,
                    serious_injuries=serious,
                    minor_injuries=minor,
                    direct_loss_yuan=loss,
                    grade=graded.code,
                    decided_by=list(graded.decided_by),
                )
            )
        with transaction.atomic():
            Accident.objects.bulk_create(rows, batch_size=2000)
        made += len(rows)
        if progress:
            progress("accidents", made, total)
    seconds = time.perf_counter() - started
    # Past the services that keep the accident rollup: count it again, as the nightly
    # repair would (anjian.accidents.tally_services).
    from anjian.accidents.tally_services import accident_tally_rebuild

    accident_tally_rebuild()
    audit_append(
        actor=Actor.system("bench"),
        action="bench_load",
        object_type="accidents.accident",
        object_id="*",
        summary=f"{total} benchmark accidents",
        changes={"accidents": total, "seed": seed},
    )
    return {"accidents": total, "seconds": round(seconds, 1)}
