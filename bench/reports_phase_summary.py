"""The phase summary benchmark (issue 13 item 7): the Word phase summary (阶段性总结) of
the benchmark county of 100,000 enterprises, built from data with every figure's source.

Data: the bench county (bench/run.py's demo build, seed 1) and its hazards from
bench/hazards_data.py (fixed seed 7; 2,000,000 by default, the size the hazard statistics
are measured at), both reused when they are there already (the database `make bench`
builds, or BENCH_SQLITE_PATH / BENCH_DATABASE_URL). Timed: build_phase_summary for the
county and the last ended quarter (the figures, year on year, the problems) and the
Word document, one warm-up then the median of `--repeat` runs; written to
bench/results/reports_phase_summary.json (reports_phase_summary_postgresql.json on
PostgreSQL). Target: under 10 s.

    .venv/bin/python bench/reports_phase_summary.py [--hazards N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

TARGET_S = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", default="", help="e.g. 2026Q3 (default: last ended quarter)")
    parser.add_argument("--load-only", action="store_true", help="build the data, time nothing")
    args = parser.parse_args()

    from run import setup_django

    setup_django(fresh=False)
    from bench_data import ensure
    from django.db import connection
    from django.utils import timezone

    from anjian.hazards.models import Hazard
    from anjian.registry.models import Division, Enterprise

    ensure(enterprises=args.enterprises, hazards=args.hazards)
    if args.load_only:
        return 0

    from anjian.core import wordoc
    from anjian.reports import periods
    from anjian.reports.phase_summary import build_phase_summary, summary_docx

    today = timezone.localdate()
    period = periods.parse(args.period) if args.period else periods.last_closed(today)
    county = Division.objects.filter(level="county").order_by("code").first()
    assert county is not None, "no county in the bench database"

    def once():
        summary = build_phase_summary(county, period, today=today)
        return summary, summary_docx(summary)

    summary, content = once()  # warm-up (SQLite page cache), and the figures of the result
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        once()
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    figures = {f.key: f.text_value for f in summary.figures}
    report = {
        "benchmark": "reports_phase_summary",
        "database": connection.vendor,
        "division": county.name,
        "period": period.key,
        "enterprises": Enterprise.objects.count(),
        "hazards": Hazard.objects.count(),
        "figures": len(summary.figures),
        "no_source_sections": [s.title for s in summary.sections if s.no_source],
        "problems": [p.kind for p in summary.problems],
        "sample": {k: figures[k] for k in list(figures)[:8]},
        "docx_bytes": len(content),
        "docx_sha256": wordoc.sha256(content),
        "repeat": args.repeat,
        "median_s": round(median, 3),
        "min_s": round(min(timings), 3),
        "max_s": round(max(timings), 3),
        "target_s": TARGET_S,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "reports_phase_summary"
    if connection.vendor != "sqlite":
        stem += f"_{connection.vendor}"
    (RESULTS / f"{stem}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
