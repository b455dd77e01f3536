"""The statistics benchmark (issue 13 item 3): every statistics page and report figure at
2,000,000 hazards and 100,000 accidents, p95 target 300 ms, on the database it is given.

Data: the bench county (100,000 enterprises, bench/run.py's demo build, seed 1), its
hazards (bench/hazards_data.py, seed 7) and accidents (bench/accidents_data.py, seed 11),
each reused when already there (the database `make bench` builds, or BENCH_SQLITE_PATH /
BENCH_DATABASE_URL). The hazard rollup is then checked against a full recount and
rewritten when it differs (`hazard_tally_rebuild`, the nightly job: its time is reported).

Timed as the coordinator of the county (anweiban), `--repeat` runs after one warm-up each:
* hazard figures (anjian.reports.queries.regulator_figures): this quarter, the last ended
  quarter and this year, by division, industry and lead department; the figures page;
* accident figures (anjian.accidents.statistics.accident_figures): this year by each
  grouping; the accident figures page;
* report figures (anjian.reports.indicators): each of the indicators alone for the county
  and the last ended quarter, with year on year, fresh bounds each run (so nothing is
  shared between figures); and all of them together as a report computes them.

Writes bench/results/statistics.json and .md (statistics_postgresql.* on PostgreSQL).

    .venv/bin/python bench/statistics_bench.py [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=2_000_000)
    parser.add_argument("--accidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--load-only", action="store_true", help="build the data, time nothing")
    args = parser.parse_args()

    from run import setup_django

    setup_django(fresh=False)
    from bench_data import ensure
    from bench_hazards import timed
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from anjian.accidents import statistics as accident_statistics
    from anjian.accidents.models import Accident
    from anjian.accidents.tally_services import accident_tally_rebuild
    from anjian.accounts.models import User
    from anjian.hazards.models import Hazard
    from anjian.registry.models import Division, Enterprise
    from anjian.reports import indicators, periods, queries
    from anjian.reports.tally_services import hazard_tally_rebuild

    ensure(enterprises=args.enterprises, hazards=args.hazards, accidents=args.accidents)
    started = time.perf_counter()
    tally = hazard_tally_rebuild()
    tally_seconds = time.perf_counter() - started
    print(f"hazard rollup checked in {tally_seconds:.1f} s (ok before: {tally['ok']})", flush=True)
    started = time.perf_counter()
    accident_tally = accident_tally_rebuild()
    accident_tally_seconds = time.perf_counter() - started
    print(
        f"accident rollup checked in {accident_tally_seconds:.1f} s "
        f"(ok before: {accident_tally['ok']})",
        flush=True,
    )
    if args.load_only:
        return 0

    today = timezone.localdate()
    this_quarter, this_year = periods.quarter_of(today), periods.year_of(today)
    last_quarter = periods.last_closed(today)
    county = Division.objects.filter(level="county").order_by("code").first()
    user = User.objects.get(username="anweiban")
    client = Client()
    client.force_login(user)

    def page(url: str):
        def fn():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")

        return fn

    cases: list[dict[str, Any]] = []

    def case(group: str, name: str, fn, repeat: int = args.repeat) -> None:
        row = {"group": group, "case": name, **timed(fn, repeat, warm=1)}
        cases.append(row)
        print(f"{group:10} {name:55} p95 {row['p95_ms']:8.1f} ms  q {row['queries']}", flush=True)

    for label, period in (
        ("this quarter", this_quarter),
        ("last quarter", last_quarter),
        ("this year", this_year),
    ):
        for group_by in queries.GROUP_BY:
            case(
                "hazards",
                f"{label} by {group_by}",
                lambda p=period, g=group_by: queries.regulator_figures(user, p, g, today=today),
            )
    case(
        "hazards",
        "figures page (this quarter)",
        page(f"/reports/figures/?period={this_quarter.key}"),
    )
    for group_by in accident_statistics.GROUP_BY:
        case(
            "accidents",
            f"this year by {group_by}",
            lambda g=group_by: accident_statistics.accident_figures(
                user, this_year, g, today=today
            ),
        )
    case(
        "accidents", "figures page (this year)", page(f"/accidents/figures/?period={this_year.key}")
    )
    for key in indicators.REGISTRY:
        case(
            "figures",
            key,
            lambda k=key: indicators.compute(
                k, indicators.Bounds(county, last_quarter, today), yoy=True
            ),
            repeat=max(3, args.repeat // 3),
        )
    case(
        "report",
        f"all {len(indicators.REGISTRY)} figures of a report",
        lambda: indicators.compute_all(indicators.Bounds(county, last_quarter, today)),
        repeat=max(3, args.repeat // 3),
    )

    worst = max(cases, key=lambda r: r["p95_ms"])
    over = [f"{r['group']}: {r['case']}" for r in cases if r["p95_ms"] > TARGET_MS]
    report = {
        "benchmark": "statistics",
        "database": connection.vendor,
        "enterprises": Enterprise.objects.count(),
        "hazards": Hazard.objects.count(),
        "accidents": Accident.objects.count(),
        "today": today.isoformat(),
        "hazard_rollup_check_seconds": round(tally_seconds, 1),
        "hazard_rollup_rows": _rollup_rows(),
        "accident_rollup_check_seconds": round(accident_tally_seconds, 1),
        "target_p95_ms": TARGET_MS,
        "worst": {k: worst[k] for k in ("group", "case", "p95_ms")},
        "over_target": over,
        "cases": cases,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "statistics" if connection.vendor == "sqlite" else f"statistics_{connection.vendor}"
    (RESULTS / f"{stem}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (RESULTS / f"{stem}.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return 0


def _rollup_rows() -> dict[str, int]:
    from anjian.reports.models import HazardDueDay, HazardTally, HazardTallyKey

    return {
        "monthly": HazardTally.objects.count(),
        "daily": HazardDueDay.objects.count(),
        "enterprises": HazardTallyKey.objects.count(),
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Statistics at {report['hazards']:,} hazards and {report['accidents']:,} accidents, "
        f"{report['enterprises']:,} enterprises ({report['database']}, {report['cpus']} cores); "
        f"target p95 {report['target_p95_ms']:.0f} ms; worst: {report['worst']['case']} "
        f"{report['worst']['p95_ms']} ms; over target: {len(report['over_target'])}.",
        "",
        "| group | case | median ms | p95 ms | queries |",
        "|---|---|---:|---:|---:|",
    ]
    for r in report["cases"]:
        lines.append(
            f"| {r['group']} | {r['case']} | {r['median_ms']} | {r['p95_ms']} | {r['queries']} |"
        )
    lines.append("")
    lines.append(
        f"Hazard rollup: {report['hazard_rollup_rows']['monthly']:,} monthly rows, "
        f"{report['hazard_rollup_rows']['daily']:,} daily rows; the nightly check "
        f"(full recount and comparison) took {report['hazard_rollup_check_seconds']} s; "
        f"the accident rollup's {report['accident_rollup_check_seconds']} s."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
