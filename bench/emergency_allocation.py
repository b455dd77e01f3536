"""The supplies allocation benchmark (issue 14 item 8): 50 incidents × 500 warehouses ×
20 supply kinds, solved by the pure min-cost-flow solver anjian.emergency.allocation.

No database: the solve is a pure function of the problem (the service adds one Supply
query and one insert), so this times what a coordinator waits for. Seeded input: points
spread over a city of about 110 × 100 km; each warehouse holds each kind with
probability 0.7 (0–100 units); each incident needs each kind with probability 0.6
(1–300 units). Two cases:

* "surplus": the stocks above (about 3 × the demand per kind): the near-edge reduction
  (see allocation._near_edges, with its proof) keeps a fraction of the edges;
* "shortage": every stock divided by 5, so demand exceeds supply and no edge may be
  dropped: the full 500 × 50 graph per kind, the worst case.

For the surplus case the full graph is also solved once (the reduction switched off) and
both costs compared: they must be equal. p50 and max of N runs after one warm-up,
written to bench/results/emergency_allocation.json.

    .venv/bin/python bench/emergency_allocation.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anjian.emergency import allocation  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 5.0
SEED = 20261204


def problem(incidents: int, warehouses: int, kinds: int, *, divide: int = 1) -> dict:
    rng = random.Random(SEED)
    codes = [f"K{k:02d}" for k in range(kinds)]

    def point() -> tuple[float, float]:
        return 29.8 + rng.random() * 0.9, 119.6 + rng.random() * 1.1

    out_w = []
    for n in range(warehouses):
        lat, lon = point()
        stocks = {c: rng.randint(0, 100) // divide for c in codes if rng.random() < 0.7}
        out_w.append({"id": f"W{n}", "lat": lat, "lon": lon, "stocks": stocks})
    out_i = []
    for n in range(incidents):
        lat, lon = point()
        demands = {c: rng.randint(1, 300) for c in codes if rng.random() < 0.6}
        out_i.append(
            {"id": f"I{n}", "lat": lat, "lon": lon, "demands": demands, "priority": 1 + n % 3}
        )
    return {"objective": "time", "incidents": out_i, "warehouses": out_w}


def timed(data: dict, runs: int) -> tuple[list[float], dict]:
    allocation.solve(data)  # warm-up
    times, result = [], {}
    for _ in range(runs):
        start = time.perf_counter()
        result = allocation.solve(data)
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--incidents", type=int, default=50)
    parser.add_argument("--warehouses", type=int, default=500)
    parser.add_argument("--kinds", type=int, default=20)
    args = parser.parse_args()
    cases = {}
    for name, divide in (("surplus", 1), ("shortage", 5)):
        data = problem(args.incidents, args.warehouses, args.kinds, divide=divide)
        times, result = timed(data, args.runs)
        pairs = sum(
            1
            for k in {c for i in data["incidents"] for c in i["demands"]}
            for w in data["warehouses"]
            if w["stocks"].get(k)
            for i in data["incidents"]
            if i["demands"].get(k)
        )
        cases[name] = {
            "p50_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "runs": [round(t, 3) for t in times],
            "edges_possible": pairs,
            "edges_kept": sum(result["edges"].values()),
            "demanded": result["totals"]["demanded"],
            "allocated": result["totals"]["allocated"],
            "short": result["totals"]["short"],
            "cost_minutes": result["totals"]["cost"],
            "shipments": result["totals"]["shipments"],
        }
        print(name, json.dumps(cases[name]), flush=True)
        if name == "surplus":
            # The same problem on the full graph: the reduction must not change the cost.
            keep = allocation._near_edges
            allocation._near_edges = lambda stocks, demands, costs: list(costs)
            try:
                start = time.perf_counter()
                full = allocation.solve(data)
                cases[name]["full_graph_s"] = round(time.perf_counter() - start, 3)
            finally:
                allocation._near_edges = keep
            cases[name]["full_graph_cost_minutes"] = full["totals"]["cost"]
            cases[name]["same_cost"] = full["totals"] == result["totals"]
            print("full graph", cases[name]["full_graph_s"], cases[name]["same_cost"], flush=True)
    out = {
        "benchmark": "emergency_allocation",
        "incidents": args.incidents,
        "warehouses": args.warehouses,
        "kinds": args.kinds,
        "objective": "time",
        "solver": "networkx.network_simplex per supply kind, integer seconds",
        "cases": cases,
        "target_s": TARGET_SECONDS,
        "met": all(c["max_s"] < TARGET_SECONDS for c in cases.values()),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "emergency_allocation.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps({k: out[k] for k in ("met", "target_s")}))


if __name__ == "__main__":
    main()
