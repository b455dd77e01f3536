"""The enforcement plan benchmark (issue 12 item 13): one department's year plan over a
synthetic county of 100,000 enterprises, computed with anjian.inspections.planning.

No database: the plan's arithmetic is a pure function (planning.compute_plan and
planning.workload), so this times what the page computes once its inputs are read. The
county comes from a fixed generator seed so every run times the same input: colours
~2/8/30/60 % red/orange/yellow/blue with the default supervision profile's frequencies
(52/12/4/1 a year), every enterprise in the department's duty, 40 % inspected before
(last inspection spread over the past 400 days), a third with inspections concluded this
year (1–3, in the months up to the as-of date), and a roster of 400 inspectors (250
enterprises each, the seed report's 200+). As of 15 September; median of 3 runs after one
warm-up, written to bench/results/inspections_plan.json.

    .venv/bin/python bench/inspections_plan.py [--enterprises N] [--inspectors M]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anjian.inspections.planning import PlanEnterprise, compute_plan, workload  # noqa: E402
from anjian.risks.supervision import requirement  # noqa: E402

RESULTS = ROOT / "bench" / "results"
YEAR = 2026
AS_OF = dt.date(YEAR, 9, 15)


def _u(label: str, i: int) -> int:
    # A reproducible pseudo-random number for the generator.
    return int.from_bytes(hashlib.blake2b(f"{label}:{i}".encode(), digest_size=8).digest(), "big")


def county(enterprises: int) -> list[PlanEnterprise]:
    per_year = {
        c: requirement(c, "").inspections_per_year for c in ("red", "orange", "yellow", "blue")
    }
    out = []
    for e in range(enterprises):
        u = _u("e", e) % 100
        cls = "red" if u < 2 else "orange" if u < 10 else "yellow" if u < 40 else "blue"
        last = None
        if _u("l", e) % 100 < 40:
            last = AS_OF - dt.timedelta(days=_u("ld", e) % 400)
        done: tuple[int, ...] = ()
        if _u("d", e) % 3 == 0:
            done = tuple(1 + _u(f"dm{k}", e) % AS_OF.month for k in range(1 + _u("dn", e) % 3))
            latest = max(done)
            if last is None or last.year < YEAR or last.month < latest:
                last = dt.date(YEAR, latest, 1)
        out.append(PlanEnterprise(e + 1, per_year[cls], cls, last, done))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--inspectors", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rows = county(args.enterprises)
    roster = list(range(1, args.inspectors + 1))

    def once():
        plan = compute_plan(rows, year=YEAR, as_of=AS_OF)
        load = workload(plan.due_by_month, roster, enterprises=plan.enterprises)
        return plan, load

    plan, load = once()  # warm-up, and the figures of the result
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        again, _load = once()
        timings.append(time.perf_counter() - started)
        assert again == plan
    median = statistics.median(timings)
    report = {
        "benchmark": "inspections_plan",
        "enterprises": args.enterprises,
        "inspectors": args.inspectors,
        "year": YEAR,
        "as_of": AS_OF.isoformat(),
        "due": plan.due,
        "done": plan.done,
        "remaining": plan.remaining,
        "overdue": len(plan.overdue),
        "never_inspected_overdue": sum(1 for o in plan.overdue if o.never_inspected),
        "due_by_month": list(plan.due_by_month),
        "visits": load.visits,
        "enterprises_per_inspector": float(load.enterprises_per_inspector or 0),
        "overloaded_inspectors": len(load.overloaded),
        "repeat": args.repeat,
        "median_s": round(median, 3),
        "min_s": round(min(timings), 3),
        "max_s": round(max(timings), 3),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "inspections_plan.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
