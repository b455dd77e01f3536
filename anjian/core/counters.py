"""Counter tables (rollups): add to rows that may not exist yet, on both databases.

`counters_add(model, keys, counters, rows)` runs INSERT … ON CONFLICT (keys) DO UPDATE
SET n = n + excluded.n for each row (key values, then counter values, in the order
given). Two transactions adding to one counter row both count: the upsert takes the
row's lock, so they serialise. Key columns must not be NULL (a NULL never conflicts): the
rollups use 0 or "" for "none"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
