"""Counter tables (rollups): add to rows that may not exist yet, on both databases.

`counters_add(model, keys, counters, rows)` runs INSERT … ON CONFLICT (keys) DO UPDATE
SET n = n + excluded.n for each row (key values, then counter values, in the order
given). Two transactions adding to one counter row both count: the upsert takes the
row's lock, so they serialise. Key columns must not be NULL (a NULL never conflicts): the
rollups use 0 or "" for "none"."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def counters_add(
    model: Any, keys: Sequence[str], counters: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = [*keys, *counters]
    names = ", ".join(qn(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    conflict = ", ".join(qn(c) for c in keys)
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in counters)
    # Identifiers come from the model, quoted; values are parameters.
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET {sets}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def lock_tables(*models: Any) -> None:
    """Hold the services' upserts while a full recount reads (PostgreSQL; SQLite has one
    writer at a time anyway), so the recount sees exactly the rows whose counters are
    stored."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


class RollupCommand(BaseCommand):
    """`anjian manage <rollup>_tally [--check | --repair]`: compare a rollup with a full
    recount (exit code 1 when they differ) or rewrite it when they differ; prints the
    comparison as JSON. Subclasses name the two functions and what the rollup is."""

    what = "rollup"

    def check(self) -> dict[str, Any]:  # pragma: no cover - every subclass names it
        raise NotImplementedError

    def rebuild(self) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def add_arguments(self, parser: Any) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check", action="store_true", help="compare only (the default)")
        mode.add_argument("--repair", action="store_true", help="rewrite when different")

    def handle(self, *args: Any, check: bool, repair: bool, **options: Any) -> None:
        started = time.perf_counter()
        report = self.rebuild() if repair else self.check()
        report["repaired"] = bool(repair and not report["ok"])
        report["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if not repair and not report["ok"]:
            raise CommandError(f"the {self.what} differs from a recount; run with --repair")
