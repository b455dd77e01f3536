"""Self-check authenticity scoring benchmark (issue 12, item 13: 1,000,000 check records
scored in under 60 seconds on this machine).

Synthetic records (anjian.checks.synthetic: honest enterprises and planted fabricators,
about 1,500 records each over 91 days) are generated first, outside the timing; then
`authenticity.score` runs on all of them, three times, and the median, the peak resident
memory (with the records, and added by scoring) and the enterprise-level precision and
recall are written to
bench/results/checks_score.json.

    python bench/checks_score.py [--records 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anjian.checks import authenticity, synthetic  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    started = time.perf_counter()
    probe = synthetic.generate(enterprises=20, seed=args.seed)
    per_enterprise = len(probe.records) / 20
    # A few enterprises more than needed, then exactly --records records (the last
    # enterprise's tail is cut off).
    enterprises = max(1, math.ceil(args.records / per_enterprise * 1.03))
    data = synthetic.generate(enterprises=enterprises, seed=args.seed)
    del data.records[args.records :]
    generated = time.perf_counter() - started
    sys.stderr.write(
        f"{len(data.records):,} records of {enterprises} enterprises in {generated:.1f} s\n"
    )

    times = []
    result = None
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for n in range(args.repeat):
        result = None  # the previous run's result is not kept while the next one runs
        t0 = time.perf_counter()
        result = authenticity.score(data.records, data.sites, data.alarms, data.findings)
        times.append(time.perf_counter() - t0)
        sys.stderr.write(f"run {n + 1}: {times[-1]:.2f} s\n")
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    flagged = {e.enterprise for e in result.enterprises if e.flag}
    planted = set(data.planted)
    hits = len(flagged & planted)
    out = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "records": len(data.records),
        "enterprises": enterprises,
        "planted": len(planted),
        "seconds": [round(t, 2) for t in times],
        "median_seconds": round(statistics.median(times), 2),
        "records_per_second": round(len(data.records) / statistics.median(times)),
        # Peak resident size of the process (KiB on Linux): with the records loaded, and
        # the rise while scoring them.
        "peak_rss_mb_with_records": round(rss_before / 1024, 1),
        "peak_rss_mb_added_by_scoring": round((rss_after - rss_before) / 1024, 1),
        "precision": round(hits / len(flagged), 3) if flagged else None,
        "recall": round(hits / len(planted), 3) if planted else None,
        "target_seconds": 60,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "checks_score.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
