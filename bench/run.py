"""anjian benchmarks: `make bench`.

Builds a 100,000-enterprise county into its own database (SQLite under var/bench/ by
default; PostgreSQL when BENCH_DATABASE_URL is set), then measures:
  * demo generation rate (enterprises per second, peak memory);
  * the enterprise list page and the API at that size: median and p95 latency and SQL
    queries per request, for the filters people use;
  * with `--only hazards`: 2,000,000 hazards loaded in bulk (bench/hazards_data.py), then
    the hazard ledger, the detail page and the figures (bench/bench_hazards.py).
Figures go to bench/results/*.json (`*_postgresql.json` from PostgreSQL); a summary is
printed (copy it into the README). `--both` runs the same on SQLite and then on
PostgreSQL (BENCH_DATABASE_URL, or the local anjian_bench database) and prints the
enterprise-list table with both columns side by side; each result file records the
load average before and after its measurements (the machine may be shared).
Requests go through Django's test client in-process: no network, no server tuning.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))  # bench_hazards, hazards_data


def setup_django(fresh: bool) -> None:
    bench_var = ROOT / "var" / "bench"
    bench_var.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("BENCH_DATABASE_URL", "")
    # The bench database has its own audit checkpoints, never the demo's file.
    checkpoints = bench_var / "audit-checkpoints.jsonl"
    os.environ["ANJIAN_AUDIT_CHECKPOINT_FILE"] = str(checkpoints)
    if fresh:
        checkpoints.unlink(missing_ok=True)
    if db_url:
        os.environ["DATABASE_URL"] = db_url
        if fresh:
            recreate_postgres_database(db_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        path = Path(os.environ.get("BENCH_SQLITE_PATH") or bench_var / "bench.sqlite3")
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["ANJIAN_SQLITE_PATH"] = str(path)
    os.environ["ANJIAN_STATIC_MANIFEST"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_postgres_database(url: str) -> None:
    """Start from an empty database: the audit log refuses the TRUNCATE that `flush` uses
    (migration core 0004), so the bench drops and creates its database instead."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = sql.Identifier(config["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/anjian_bench"


def result_name(stem: str, vendor: str) -> str:
    """bench/results file name: `stem.json` for SQLite, `stem_postgresql.json` otherwise
    (as the other benchmarks name theirs)."""
    return f"{stem}.json" if vendor == "sqlite" else f"{stem}_{vendor}.json"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(client, url: str, repeat: int, **headers) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm caches (SQLite page cache, template loader)
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, **headers)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return {
        "url": url,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "queries": queries,
        "repeat": repeat,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    parser.add_argument(
        "--only",
        choices=["lists", "codes", "hazards"],
        help="run one part (with --reuse, on the kept data)",
    )
    parser.add_argument(
        "--hazards",
        type=int,
        default=2_000_000,
        help="benchmark hazards to load for --only hazards (added once, kept with --reuse)",
    )
    parser.add_argument(
        "--both",
        action="store_true",
        help="run on SQLite, then on PostgreSQL (BENCH_DATABASE_URL or the local "
        "anjian_bench), and print the enterprise list side by side",
    )
    args = parser.parse_args()
    if args.both:
        return run_both(sys.argv[1:])

    setup_django(fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from anjian.accounts.models import ApiToken, User, hash_token
    from anjian.demo.generator import build_demo, database_is_empty, stderr_progress
    from anjian.registry.models import Department, Division, Enterprise, Industry

    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
    }

    call_command("migrate", verbosity=0)
    if not database_is_empty() and not args.reuse:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
    if database_is_empty():
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report = build_demo(enterprises=args.enterprises, seed=1, progress=stderr_progress)
        generation = {
            "enterprises": report.enterprises,
            "enterprise_seconds": round(report.enterprise_seconds, 2),
            "total_seconds": round(report.seconds, 2),
            "enterprises_per_second": round(report.rate, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_before_mb": round(rss_before / 1024, 1),
            **machine,
        }
        (RESULTS / result_name("demo_generation", connection.vendor)).write_text(
            json.dumps(generation, indent=2) + "\n"
        )
        print(json.dumps(generation, ensure_ascii=False))
    total = Enterprise.objects.count()
    if args.only == "hazards":
        from bench_hazards import bench_hazards

        bench_hazards(hazards=args.hazards, repeat=args.repeat, machine=machine)
        return 0
    if args.only == "codes":
        codes = bench_safety_codes(total)
        (RESULTS / result_name("safety_codes", connection.vendor)).write_text(
            json.dumps({**codes, **machine}, indent=2) + "\n"
        )
        print(json.dumps(codes, ensure_ascii=False, indent=2))
        return 0

    # The rollups behind the home page: right after a build they are, but a database
    # reused from an older version of the code may lack one (idempotent, a no-op if right).
    call_command("enterprise_tally", "--repair", stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # What autovacuum does on a live server (visibility map set, so index-only scans
        # skip the heap; planner statistics): a bulk-loaded database has not had it yet,
        # and this machine's cluster runs with autovacuum off.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    load_before = load_average()
    client = Client()
    coordinator = User.objects.get(username="anweiban")
    client.force_login(coordinator)
    officer_client = Client()
    officer_client.force_login(User.objects.get(username="yingji"))

    township = Division.objects.filter(level="township").order_by("code").first()
    industry = Industry.objects.get(code="HR-HAZCHEM")
    department = Department.objects.get(kind="emergency")
    sample = Enterprise.objects.order_by("pk")[total // 2]
    name_fragment = sample.name[2:5]
    last_page = max(1, (total + 24) // 25)

    page_cases = {
        "first page": "/enterprises/",
        "deep page": f"/enterprises/?page={last_page // 2}",
        "search name": f"/enterprises/?q={name_fragment}",
        "search credit code": f"/enterprises/?q={sample.uscc}",
        "filter township": f"/enterprises/?division={township.pk}",
        "filter industry": f"/enterprises/?industry={industry.pk}",
        "filter department": f"/enterprises/?department={department.pk}",
        "filter two-key-one-major": "/enterprises/?flag=two_key_one_major",
    }
    pages = {name: measure(client, url, args.repeat) for name, url in page_cases.items()}
    pages["department officer, first page"] = measure(officer_client, "/enterprises/", args.repeat)

    raw = ApiToken.new_raw_key()
    ApiToken.objects.get_or_create(
        name="bench", user=coordinator, defaults={"key_hash": hash_token(raw), "prefix": raw[:8]}
    )
    ApiToken.objects.filter(name="bench").update(key_hash=hash_token(raw), prefix=raw[:8])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    api_cases = {
        "first page": "/api/v1/enterprises?limit=25",
        "deep page": f"/api/v1/enterprises?limit=25&offset={total // 2}",
        "search name": f"/api/v1/enterprises?q={name_fragment}",
        "search credit code": f"/api/v1/enterprises?q={sample.uscc}",
        "filter township": f"/api/v1/enterprises?division={township.pk}",
        "filter department": f"/api/v1/enterprises?department={department.pk}",
        "detail": f"/api/v1/enterprises/{sample.pk}",
    }
    api = {name: measure(Client(), url, args.repeat, **auth) for name, url in api_cases.items()}

    pages["detail"] = measure(client, f"/enterprises/{sample.pk}/", args.repeat)
    for name, url in (
        ("home (coordinator)", "/"),
        ("supervision gaps", "/gaps/"),
        ("divisions", "/divisions/"),
    ):
        pages[name] = measure(client, url, max(5, args.repeat // 3))
    # The home page of every role (each sees different tiles over a different scope).
    for username, role in HOME_ROLES:
        home_client = Client()
        home_client.force_login(User.objects.get(username=username))
        pages[f"home ({role})"] = measure(home_client, "/", max(5, args.repeat // 3))

    listing = {
        "enterprises": total,
        "page": pages,
        "api": api,
        "load_average": {"before": load_before, "after": load_average()},
        **machine,
    }
    (RESULTS / result_name("enterprise_list", connection.vendor)).write_text(
        json.dumps(listing, indent=2, ensure_ascii=False) + "\n"
    )

    codes = {} if args.only == "lists" else bench_safety_codes(total)
    if codes:
        (RESULTS / result_name("safety_codes", connection.vendor)).write_text(
            json.dumps({**codes, **machine}, indent=2) + "\n"
        )

    print(f"\nEnterprise list at {total:,} enterprises ({connection.vendor}):")
    print(f"{'case':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for group, rows in (("page", pages), ("api", api)):
        for name, row in rows.items():
            print(
                f"{group + ': ' + name:<34} {row['median_ms']:>10} {row['p95_ms']:>8} "
                f"{row['queries']:>8}"
            )
    print(f"\nSafety codes for {total:,} enterprises:")
    for name, row in codes.items():
        if isinstance(row, dict):
            print(
                f"  {name:<28} {row['seconds']:>7} s  {row['per_second']:>8} /s  "
                f"peak RSS {row['peak_rss_mb']} MB  changed {row['changed']}"
            )
    return 0


# The demo's users of the roles not measured above: (username, label in the results).
HOME_ROLES = (
    ("yingji", "department officer"),
    ("xiangzhen", "township coordinator"),
    ("wangge", "grid officer"),
    ("zhuanjia", "expert"),
    ("admin", "platform administrator"),
    ("qiye_fzr", "enterprise principal"),
    ("secadmin", "security administrator"),
)


def run_both(argv: list[str]) -> int:
    """This script once per database, each in its own process (Django's settings are
    fixed once per process), then both enterprise-list results side by side."""
    rest = [a for a in argv if a != "--both"]
    sqlite_env = {k: v for k, v in os.environ.items() if k != "BENCH_DATABASE_URL"}
    postgres_env = {
        **os.environ,
        "BENCH_DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL,
    }
    for env in (sqlite_env, postgres_env):
        done = subprocess.run([sys.executable, __file__, *rest], env=env, check=False)
        if done.returncode:
            return done.returncode
    print(side_by_side())
    return 0


def side_by_side() -> str:
    """The README's enterprise-list table: SQLite and PostgreSQL columns, with the load."""
    results = {
        vendor: json.loads((RESULTS / result_name("enterprise_list", vendor)).read_text())
        for vendor in ("sqlite", "postgresql")
    }
    lines = [
        "| case | SQLite median ms | SQLite p95 ms | PostgreSQL median ms | PostgreSQL p95 ms "
        "| queries (SQLite / PostgreSQL) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lite, pg = results["sqlite"], results["postgresql"]
    for group, label in (("page", "page"), ("api", "API")):
        for name, row in lite[group].items():
            other = pg[group].get(name)
            if other is None:
                continue
            lines.append(
                f"| {label}: {name} | {row['median_ms']} | {row['p95_ms']} | "
                f"{other['median_ms']} | {other['p95_ms']} | "
                f"{row['queries']} / {other['queries']} |"
            )
    for vendor, result in results.items():
        load = result.get("load_average", {})
        lines.append(
            f"\n{vendor}: load average (1, 5, 15 min) before {load.get('before')}, "
            f"after {load.get('after')}"
        )
    return "\n".join(lines)


def bench_safety_codes(total: int) -> dict:
    """Recompute every safety code: once with nothing changed (the daily job's usual
    case: no history rows written) and once under another policy (every code changes).
    Timed without tracemalloc (it slows Python several times over); memory is the
    process's peak resident size after each pass."""
    from anjian.risks.services import safety_codes_recompute_all

    out: dict = {"enterprises": total}
    passes = (
        ("unchanged (default policy)", None),
        ("all change (strict policy)", "strict"),
        ("back to default", None),
    )
    for name, policy in passes:
        started = time.perf_counter()
        stats = safety_codes_recompute_all(trigger="bench", policy_name=policy)
        seconds = time.perf_counter() - started
        out[name] = {
            "seconds": round(seconds, 2),
            "per_second": round(stats["enterprises"] / seconds, 1),
            "changed": stats["changed"],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    return out


if __name__ == "__main__":
    sys.exit(main())
