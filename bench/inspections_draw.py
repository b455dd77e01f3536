"""The double-random draw benchmark (issue 12 item 13): a synthetic county of 100,000
enterprises and 5,000 inspectors, drawn with anjian.inspections.draw.run_draw.

No database: the draw is a pure function, so this times the draw itself (keys, strata,
allocation, staffing, digest), which is what a department waits for. The county is made
from a fixed generator seed so every run times the same input: colours ~2/8/30/60 %
red/orange/yellow/blue, 20 industries, 12 townships, 1 % forced (overdue) plus every red
one, 10 % drawn by rates per colour, 2 inspectors per inspection, 1 declared conflict per
200 enterprises, last inspectors for a third of them. Median of 5 runs after one warm-up,
written to bench/results/inspections_draw.json.

    .venv/bin/python bench/inspections_draw.py [--enterprises N] [--inspectors M]
"""

from __future__ import annotations

import argparse
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

from anjian.inspections.draw import (  # noqa: E402
    Candidate,
    Conflict,
    DrawParameters,
    Inspector,
    run_draw,
)

RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 1.0


def _u(label: str, i: int) -> int:
    # A reproducible pseudo-random number for the generator (not for the draw itself).
    return int.from_bytes(hashlib.blake2b(f"{label}:{i}".encode(), digest_size=8).digest(), "big")


def county(enterprises: int, inspectors: int):
    towns = [f"330521{t:03d}" for t in range(1, 13)]
    candidates = []
    for e in range(enterprises):
        u = _u("e", e) % 100
        colour = "red" if u < 2 else "orange" if u < 10 else "yellow" if u < 40 else "blue"
        overdue = _u("o", e) % 100 == 0
        candidates.append(
            Candidate(
                code=f"91330521{e:09d}X",
                colour=colour,
                industry=f"C{_u('i', e) % 20:02d}",
                division=towns[_u("d", e) % len(towns)],
                forced=colour == "red" or overdue,
                forced_reason="red" if colour == "red" else ("overdue" if overdue else ""),
            )
        )
    roster = [
        Inspector(
            id=f"I{i:05d}",
            department="应急管理局",
            division="330521",
            active=_u("a", i) % 50 != 0,
        )
        for i in range(inspectors)
    ]
    conflicts = [
        Conflict(inspector=f"I{_u('c', e) % inspectors:05d}", enterprise=f"91330521{e:09d}X")
        for e in range(0, enterprises, 200)
    ]
    last = {
        f"91330521{e:09d}X": [
            f"I{_u('l1', e) % inspectors:05d}",
            f"I{_u('l2', e) % inspectors:05d}",
        ]
        for e in range(0, enterprises, 3)
    }
    return candidates, roster, conflicts, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--inspectors", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    candidates, roster, conflicts, last = county(args.enterprises, args.inspectors)
    parameters = DrawParameters(
        seed="bench-2026-05",
        rates={"red": "1/10", "orange": "1/10", "yellow": "1/10", "blue": "1/10"},
        inspectors_per_inspection=2,
    )

    def once():
        return run_draw(
            candidates=candidates,
            inspectors=roster,
            parameters=parameters,
            conflicts=conflicts,
            last_inspectors=last,
        )

    result = once()  # warm-up, and the figures of the result
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        again = once()
        timings.append(time.perf_counter() - started)
        assert again.digest == result.digest
    median = statistics.median(timings)
    report = {
        "benchmark": "inspections_draw",
        "enterprises": args.enterprises,
        "inspectors": args.inspectors,
        "selected": len(result.selections),
        "forced": sum(1 for s in result.selections if s.reason == "forced"),
        "drawn": result.sample_size,
        "roster": result.roster,
        "workload_cap": result.workload_cap,
        "digest": result.digest,
        "repeat": args.repeat,
        "median_s": round(median, 3),
        "min_s": round(min(timings), 3),
        "max_s": round(max(timings), 3),
        "target_s": TARGET_SECONDS,
        "met": median < TARGET_SECONDS,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "inspections_draw.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
