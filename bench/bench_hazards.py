"""The hazard benchmark (`python bench/run.py --only hazards`): loads the benchmark
hazards once (bench/hazards_data.py, raw bulk inserts), then times the hazard ledger as
the pages use it (anjian.hazards.ledger.ledger_search: first page, page 500 by number
and by the next link's cursor, filters, a text search; as the county coordinator and as
a department officer), the detail page, the home tile (ledger.home_counts) and the
regulators' figures (anjian.reports.queries.regulator_figures). Each case: median and
p95 over `repeat` runs after warm-up, and the SQL queries of one run. Results go to
bench/results/hazards.json and a Markdown table to bench/results/hazards.md.

Three views of each ledger case: "page" is the whole request through Django's test
client (rows, paginator count, filter-chip counts, template); "rows" is the page's 25
rows alone; "count" is the paginator's COUNT alone — so a slow page shows which part is
slow. Queries run in-process: no network, no server tuning.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
PAGE = 25


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[], Any], repeat: int, warm: int = 1) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm):
        fn()
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(_percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "queries": queries,
        "repeat": repeat,
    }


def _get(client, url: str) -> Callable[[], Any]:
    def fn():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return response

    return fn


def load(hazards: int) -> dict[str, Any] | None:
    """Add the benchmark hazards unless they are there already (--reuse)."""
    from hazards_data import generate

    from anjian.demo.generator import stderr_progress
    from anjian.hazards.models import Hazard

    have = Hazard.objects.count()
    if have >= hazards:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = generate(hazards - have, progress=stderr_progress)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["rss_before_mb"] = round(rss / 1024, 1)
    return out


def bench_hazards(*, hazards: int, repeat: int, machine: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from anjian.accounts.models import User
    from anjian.hazards import ledger
    from anjian.hazards.models import Hazard
    from anjian.registry.models import Department
    from anjian.reports import periods, queries

    RESULTS.mkdir(parents=True, exist_ok=True)
    # hazards.json / .md on SQLite (the default bench database), hazards_postgresql.* else.
    stem = "hazards" if connection.vendor == "sqlite" else f"hazards_{connection.vendor}"
    kept = RESULTS / f"{stem}_generation.json"
    generation = load(hazards)
    if generation:  # kept at once: the measurements below can take a while
        kept.write_text(json.dumps({**generation, **machine}, indent=2) + "\n")
    elif kept.exists():  # --reuse: the figures of the load that made the data
        generation = json.loads(kept.read_text())
    total = Hazard.objects.count()

    load_before = [round(x, 2) for x in os.getloadavg()]
    users = {
        "coordinator": User.objects.get(username="anweiban"),
        "department officer": User.objects.get(username="yingji"),
    }
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)

    text = "呼吸阀"
    sample = Hazard.objects.order_by("pk")[total // 2]
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("first page", "coordinator", {}),
        ("first page", "department officer", {}),
        ("page 500", "coordinator", {"page": 500}),
        ("state rectifying", "coordinator", {"state": "rectifying"}),
        ("open", "coordinator", {"state": "open"}),
        ("level major", "coordinator", {"level": "major"}),
        ("overdue", "coordinator", {"overdue": "true"}),
        ("overdue", "department officer", {"overdue": "true"}),
        ("text search", "coordinator", {"q": text}),
        ("number search", "coordinator", {"q": sample.number}),
        (
            "department filter",
            "coordinator",
            {"department": Department.objects.get(kind="emergency").pk},
        ),
    ]
    # Page 500 as the ledger's next links reach it: the link carries the place of the
    # last row of page 499 (a keyset cursor, anjian.hazards.ledger.Cursor). The cursor is
    # found once here, by OFFSET, outside the timings.
    from anjian.hazards.views.ledger import PAGE_SIZE

    last_of_499 = ledger.ledger_search(users["coordinator"])[499 * PAGE_SIZE - 1]
    cursor = ledger.Cursor.of(last_of_499).encode()
    cases.insert(3, ("page 500 (next link)", "coordinator", {"page": 500, "after": cursor}))
    out: dict[str, Any] = {"hazards": total, "generation": generation, "ledger": [], **machine}
    for name, who, params in cases:
        user = users[who]
        page_no = int(params.get("page", 1))
        after = params.get("after")
        filters, errors = ledger.parse_filters({k: str(v) for k, v in params.items()})
        assert not errors, errors

        def rows(user=user, filters=filters, page_no=page_no, after=after):
            qs = ledger.ledger_search(user, filters)
            if after:
                return list(qs.filter(ledger.Cursor.decode(after).after_q())[:PAGE])
            start = (page_no - 1) * PAGE
            return list(qs[start : start + PAGE])

        def count(user=user, filters=filters):
            return ledger.ledger_search(user, filters).count()

        query = "&".join(f"{k}={v}" for k, v in params.items())
        row: dict[str, Any] = {"case": name, "as": who, "params": params}
        for part, fn in (
            ("page", _get(clients[who], f"/hazards/?{query}")),
            ("rows", rows),
            ("count", count),
        ):
            try:
                row[part] = timed(fn, repeat)
            except Exception as exc:  # a page still being built: record, go on
                row[part] = {"error": str(exc)[:200]}
        row["matches"] = count()
        out["ledger"].append(row)
        print(_line(f"{name} ({who})", row), flush=True)

    detail = {
        "page": _safe(lambda: timed(_get(clients["coordinator"], f"/hazards/{sample.pk}/"), repeat))
    }
    out["detail"] = detail
    print(_line("detail", detail), flush=True)
    # The home page's hazard tile (anjian.hazards.home_tiles): its numbers alone, for each
    # persona (a county's regulators read the rollup; a department officer counts).
    out["home"] = []
    for who, user in users.items():
        row = {
            "case": f"home tile ({who})",
            "query": _safe(lambda user=user: timed(lambda: ledger.home_counts(user), repeat)),
        }
        out["home"].append(row)
        print(_line(row["case"], row), flush=True)

    today = timezone.localdate()
    quarter, year = periods.quarter_of(today), periods.year_of(today)
    out["figures"] = []
    for label, period in (("quarter", quarter), ("year", year)):
        for group_by in queries.GROUP_BY:
            row = {
                "case": f"{label} by {group_by}",
                "query": _safe(
                    lambda period=period, group_by=group_by: timed(
                        lambda: queries.regulator_figures(
                            users["coordinator"], period, group_by, today=today
                        ),
                        repeat,
                        warm=1,
                    )
                ),
            }
            out["figures"].append(row)
            print(_line(row["case"], row), flush=True)
    page = _safe(
        lambda: timed(
            _get(clients["coordinator"], f"/reports/figures/?period={quarter.key}"),
            repeat,
            warm=1,
        )
    )
    out["figures"].append({"case": "figures page (quarter, by division)", "page": page})
    out["database"] = connection.vendor
    # How busy the 2 cores were: figures taken beside other work are several times slower.
    out["load_average"] = {
        "before": load_before,
        "after": [round(x, 2) for x in os.getloadavg()],
    }
    (RESULTS / f"{stem}.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(out))
    print(markdown(out))
    return out


def _safe(fn: Callable[[], dict]) -> dict:
    try:
        return fn()
    except Exception as exc:
        return {"error": str(exc)[:200]}


def _cell(part: dict | None, key: str) -> str:
    if not part:
        return ""
    if "error" in part:
        return "error"
    return str(part[key])


def _line(label: str, row: dict) -> str:
    bits = []
    for part in ("page", "rows", "count", "query"):
        if part in row:
            bits.append(f"{part} {_cell(row[part], 'median_ms')}/{_cell(row[part], 'p95_ms')} ms")
    return f"{label:<40} " + "  ".join(bits)


def markdown(out: dict[str, Any]) -> str:
    load = out.get("load_average") or {}
    lines = [
        f"Hazards at {out['hazards']:,} ({out.get('database')}; {out.get('cpus')} cores, load "
        f"average (1, 5, 15 min) before {load.get('before', '?')}, after "
        f"{load.get('after', '?')}; in-process requests, no network). Median / p95 ms over "
        f"{(out['ledger'][0].get('page') or {}).get('repeat', '?')} runs; queries of one run.",
        "",
        "| ledger case | as | page median | page p95 | queries | 25 rows median | "
        "count median | matches |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in out["ledger"]:
        page = row.get("page") or {}
        lines.append(
            f"| {row['case']} | {row['as']} | {_cell(page, 'median_ms')} | "
            f"{_cell(page, 'p95_ms')} | {_cell(page, 'queries')} | "
            f"{_cell(row.get('rows'), 'median_ms')} | {_cell(row.get('count'), 'median_ms')} | "
            f"{row.get('matches', '')} |"
        )
    detail = out.get("detail", {}).get("page")
    lines += [
        "",
        "| other case | median ms | p95 ms | queries |",
        "|---|---:|---:|---:|",
        f"| hazard detail page | {_cell(detail, 'median_ms')} | {_cell(detail, 'p95_ms')} | "
        f"{_cell(detail, 'queries')} |",
    ]
    for row in out.get("home", []):
        part = row.get("query")
        lines.append(
            f"| {row['case']} (ledger.home_counts) | {_cell(part, 'median_ms')} | "
            f"{_cell(part, 'p95_ms')} | {_cell(part, 'queries')} |"
        )
    for row in out.get("figures", []):
        part = row.get("query") or row.get("page")
        kind = "regulator_figures" if "query" in row else "page"
        lines.append(
            f"| figures: {row['case']} ({kind}) | {_cell(part, 'median_ms')} | "
            f"{_cell(part, 'p95_ms')} | {_cell(part, 'queries')} |"
        )
    gen = out.get("generation")
    if gen:
        lines += [
            "",
            f"Generation: {gen['hazards']:,} hazards and {gen['events']:,} events in "
            f"{gen['seconds']} s = **{gen['hazards_per_second']:,} hazards/s** "
            f"({gen['database']}, raw bulk inserts, not through the services), then "
            f"ANALYZE {gen['analyze_seconds']} s; peak RSS {gen.get('peak_rss_mb')} MB.",
        ]
    return "\n".join(lines) + "\n"
