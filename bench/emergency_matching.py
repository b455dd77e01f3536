"""One-click matching benchmark (issue 14 item 8): anjian.emergency.response_services
.incident_match among 10,000 rescue teams, 5,000 warehouses holding 50,000 supply records
of 20 kinds, 2,000 experts and 1,000 shelters spread over some 220 × 200 km around
30 N, 120 E (a province's worth, far denser than a real one), target p95 under 200 ms.

Its own database: SQLite under var/bench/emergency.sqlite3 by default, PostgreSQL when
BENCH_DATABASE_URL is set (its database name with "_emergency", dropped and created).
The data are bulk-inserted from a fixed seed: specialities one to three of eight; a tenth
of the supply records expired, scrapped or under maintenance; every kind serves two to
four accident types. Then ~50 incidents at random points and types (one warm-up run
each), timed `--repeat` times each: p50, p95 and max in milliseconds, with the number of
queries of one match.

    .venv/bin/python bench/emergency_matching.py [--teams 10000] [--supplies 50000]

Writes bench/results/emergency_matching.json (emergency_matching_postgresql.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_MS = 200.0
CENTRE = (30.0, 120.0)
SPAN = (1.8, 2.3)  # degrees of latitude and longitude: ~200 × 220 km


def setup_django() -> str:
    env = dict(os.environ)
    env["ANJIAN_TESTING"] = "1"
    env["ANJIAN_STATIC_MANIFEST"] = "0"
    bench_var = ROOT / "var" / "bench"
    bench_var.mkdir(parents=True, exist_ok=True)
    env["ANJIAN_AUDIT_CHECKPOINT_FILE"] = str(bench_var / "emergency-checkpoints.jsonl")
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        import dj_database_url
        import psycopg
        from psycopg import sql

        config = dj_database_url.parse(url)
        name = config["NAME"] + "_emergency"
        with psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
        vendor = "postgresql"
    else:
        env.pop("DATABASE_URL", None)
        path = bench_var / "emergency.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["ANJIAN_SQLITE_PATH"] = str(path)
        vendor = "sqlite"
    os.environ.clear()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return vendor


def point(rng: random.Random) -> tuple[Decimal, Decimal]:
    lat = CENTRE[0] + (rng.random() - 0.5) * SPAN[0]
    lon = CENTRE[1] + (rng.random() - 0.5) * SPAN[1]
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def load(teams: int, warehouses: int, supplies: int, experts: int, shelters: int) -> dict:
    from anjian.emergency.models import (
        GB6441_TYPES,
        Expert,
        RescueTeam,
        Shelter,
        Speciality,
        Supply,
        SupplyKind,
        Warehouse,
    )
    from tests.world import build_world

    rng = random.Random(14)
    world = build_world()
    county = world.county_x
    specs = list(Speciality.values)
    types = [code for code, _n in GB6441_TYPES]
    started = time.perf_counter()
    RescueTeam.objects.bulk_create(
        (
            RescueTeam(
                division=county,
                name=f"救援队{i:05d}",
                kind="social",
                specialities=rng.sample(specs, rng.randint(1, 3)),
                duty_phone=f"0571-{i:06d}",
                readiness_minutes=rng.randint(2, 15),
                members=rng.randint(5, 60),
                latitude=(p := point(rng))[0],
                longitude=p[1],
            )
            for i in range(teams)
        ),
        batch_size=2000,
    )
    Expert.objects.bulk_create(
        (
            Expert(
                division=county,
                name=f"专家{i:04d}",
                specialities=rng.sample(specs, rng.randint(1, 2)),
                phone=f"138{i:08d}",
                latitude=(p := point(rng))[0],
                longitude=p[1],
            )
            for i in range(experts)
        ),
        batch_size=2000,
    )
    Shelter.objects.bulk_create(
        (
            Shelter(
                division=county,
                name=f"避难场所{i:04d}",
                capacity=rng.randint(100, 3000),
                latitude=(p := point(rng))[0],
                longitude=p[1],
            )
            for i in range(shelters)
        ),
        batch_size=2000,
    )
    kinds = SupplyKind.objects.bulk_create(
        SupplyKind(
            code=f"K{k:02d}",
            name=f"物资{k:02d}",
            unit="件",
            accident_types=rng.sample(types, rng.randint(2, 4)),
        )
        for k in range(20)
    )
    houses = Warehouse.objects.bulk_create(
        (
            Warehouse(
                division=county,
                name=f"物资库{i:04d}",
                phone=f"0571-8{i:05d}",
                latitude=(p := point(rng))[0],
                longitude=p[1],
            )
            for i in range(warehouses)
        ),
        batch_size=2000,
    )
    today = dt.date.today()
    rows = []
    for i in range(supplies):
        bad = rng.random()
        rows.append(
            Supply(
                warehouse=houses[i % warehouses],
                kind=kinds[rng.randrange(len(kinds))],
                quantity=rng.randint(1, 500),
                state="scrapped" if bad < 0.03 else "maintenance" if bad < 0.06 else "good",
                expires_on=(today - dt.timedelta(days=10))
                if 0.06 <= bad < 0.10
                else (today + dt.timedelta(days=rng.randint(30, 900))),
            )
        )
    Supply.objects.bulk_create(rows, batch_size=5000)
    return {"world": world, "load_s": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=10_000)
    parser.add_argument("--warehouses", type=int, default=5_000)
    parser.add_argument("--supplies", type=int, default=50_000)
    parser.add_argument("--experts", type=int, default=2_000)
    parser.add_argument("--shelters", type=int, default=1_000)
    parser.add_argument("--incidents", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    vendor = setup_django()

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from anjian.emergency.models import GB6441_TYPES, Incident
    from anjian.emergency.response_services import incident_match

    data = load(args.teams, args.warehouses, args.supplies, args.experts, args.shelters)
    world = data["world"]
    rng = random.Random(41)
    types = [code for code, _n in GB6441_TYPES]
    incidents = []
    for i in range(args.incidents):
        lat, lon = point(rng)
        incidents.append(
            Incident.objects.create(
                division=world.county_x,
                title=f"bench {i}",
                latitude=lat,
                longitude=lon,
                accident_type=rng.choice(types),
                started_by=world.user("coordinator_x"),
            )
        )
    timings: list[float] = []
    queries: list[int] = []
    found_teams = []
    for incident in incidents:
        incident_match(incident)  # warm-up
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = incident_match(incident)
                timings.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
        found_teams.append(len(result.teams))
    timings.sort()

    def pct(p: float) -> float:
        return round(timings[min(len(timings) - 1, round(p / 100 * (len(timings) - 1)))], 1)

    out = {
        "benchmark": "emergency_matching",
        "database": vendor,
        "teams": args.teams,
        "warehouses": args.warehouses,
        "supply_records": args.supplies,
        "supply_kinds": 20,
        "experts": args.experts,
        "shelters": args.shelters,
        "incidents": args.incidents,
        "runs": len(timings),
        "load_s": data["load_s"],
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "max_ms": round(timings[-1], 1),
        "mean_ms": round(statistics.fmean(timings), 1),
        "queries_median": statistics.median(queries),
        "queries_max": max(queries),
        "teams_listed_min": min(found_teams),
        "target_p95_ms": TARGET_MS,
        "met": pct(95) < TARGET_MS,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "emergency_matching.json" if vendor == "sqlite" else f"emergency_matching_{vendor}.json"
    (RESULTS / name).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
