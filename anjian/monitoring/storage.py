"""Where readings go: the bulk write (COPY on PostgreSQL), minute and hour aggregates,
latest values, rejections with their counters, daily partitions and retention.

Everything here runs inside the caller's transaction (pipeline.process).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db import connection as default_connection
from django.utils import timezone

from .ingest import Rejected

UTC = dt.UTC
RAW = "monitoring_rawreading"


def setting(name: str, default: float) -> float:
    """ANJIAN_MONITORING_<name> from Django settings, else the environment, else default."""
    key = f"ANJIAN_MONITORING_{name}"
    value = getattr(settings, key, None)
    if value is None:
        value = os.environ.get(key)
    return float(value) if value not in (None, "") else default


# ---------------------------------------------------------------- readings


def store_readings(
    rows: Sequence[tuple[int, dt.datetime, float]], *, received_at: dt.datetime, connection=None
) -> int:
    """Insert (point id, aware UTC ts, value) rows, no two with the same (point, ts);
    rows already stored are left alone. Updates the minute and hour aggregates (for the
    rows actually inserted) and the latest values. Returns the number inserted."""
    if not rows:
        return 0
    conn = connection or default_connection
    if conn.vendor == "postgresql":
        return _store_postgresql(conn, rows, received_at)
    return _store_sqlite(conn, rows, received_at)


_PG_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS monitoring_stage "
    "(point_id bigint, ts timestamptz, value double precision) ON COMMIT DELETE ROWS"
)
# One statement: the inserted rows (RETURNING) feed the minute and hour aggregates and
# the latest values.
_PG_INSERT = """
WITH ins AS (
    INSERT INTO monitoring_rawreading (point_id, ts, value, received_at)
    SELECT point_id, ts, value, %(received_at)s FROM monitoring_stage
    ON CONFLICT DO NOTHING
    RETURNING point_id, ts, value),
  m AS (
    INSERT INTO monitoring_readingaggregate AS a (point_id, period, start, count, min, max, sum)
    SELECT point_id, 'm', date_trunc('minute', ts), count(*), min(value), max(value),
           sum(value)
    FROM ins GROUP BY point_id, date_trunc('minute', ts)
    ON CONFLICT (point_id, period, start) DO UPDATE SET
      count = a.count + EXCLUDED.count, min = LEAST(a.min, EXCLUDED.min),
      max = GREATEST(a.max, EXCLUDED.max), sum = a.sum + EXCLUDED.sum
    RETURNING 1),
  h AS (
    INSERT INTO monitoring_readingaggregate AS a (point_id, period, start, count, min, max, sum)
    SELECT point_id, 'h', date_trunc('hour', ts), count(*), min(value), max(value),
           sum(value)
    FROM ins GROUP BY point_id, date_trunc('hour', ts)
    ON CONFLICT (point_id, period, start) DO UPDATE SET
      count = a.count + EXCLUDED.count, min = LEAST(a.min, EXCLUDED.min),
      max = GREATEST(a.max, EXCLUDED.max), sum = a.sum + EXCLUDED.sum
    RETURNING 1),
  l AS (
    INSERT INTO monitoring_latestvalue AS l (point_id, ts, value, received_at)
    SELECT DISTINCT ON (point_id) point_id, ts, value, %(received_at)s
    FROM ins ORDER BY point_id, ts DESC
    ON CONFLICT (point_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value,
      received_at = EXCLUDED.received_at
    WHERE l.ts < EXCLUDED.ts
    RETURNING 1)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM m), (SELECT count(*) FROM h),
       (SELECT count(*) FROM l)
"""


# The usual batch holds no reading stored before: the same statement without ON CONFLICT
# (a plain insert into the partitions costs about a third less than a speculative one),
# tried under a savepoint; a unique violation (a batch replayed after a crash, a gateway
# sending again) rolls back to it and the statement above skips what is already stored.
_PG_INSERT_NEW = _PG_INSERT.replace(
    "ON CONFLICT DO NOTHING\n    RETURNING point_id, ts, value),",
    "RETURNING point_id, ts, value),",
)
assert _PG_INSERT_NEW != _PG_INSERT


def _store_postgresql(conn, rows, received_at) -> int:
    # COPY into a session-local staging table, then one INSERT whose RETURNING rows feed
    # the aggregates and the latest values in the same statement.
    # A message's readings share one timestamp: each distinct one is formatted once.
    iso: dict[dt.datetime, str] = {}
    parts = []
    for p, t, v in rows:
        s = iso.get(t)
        if s is None:
            s = iso[t] = t.isoformat()
        parts.append(f"{p}\t{s}\t{float(v)!r}\n")
    text = "".join(parts)
    with conn.cursor() as cursor:
        cursor.execute(_PG_STAGE)
        raw = cursor.cursor
        with raw.copy("COPY monitoring_stage (point_id, ts, value) FROM STDIN") as copy:
            copy.write(text)
        try:
            with transaction.atomic(using=conn.alias):
                cursor.execute(_PG_INSERT_NEW, {"received_at": received_at})
        except IntegrityError:
            cursor.execute(_PG_INSERT, {"received_at": received_at})
        inserted = cursor.fetchone()[0]
        cursor.execute("TRUNCATE monitoring_stage")
    return inserted


def _sqlite_text(ts: dt.datetime) -> str:
    # Django's SQLite form of an aware datetime: naive UTC, str() (no microseconds if 0).
    return str(ts.astimezone(UTC).replace(tzinfo=None))


def _sqlite_rows(rows) -> list[tuple[int, str, float]]:
    texts: dict[dt.datetime, str] = {}  # each distinct timestamp formatted once
    out = []
    for p, t, v in rows:
        s = texts.get(t)
        if s is None:
            s = texts[t] = _sqlite_text(t)
        out.append((p, s, float(v)))
    return out


_SQLITE_AGGREGATE = """
INSERT INTO monitoring_readingaggregate (point_id, period, start, count, min, max, sum)
SELECT point_id, '{period}', {bucket}, count(*), min(value), max(value), sum(value)
FROM temp.monitoring_stage WHERE true GROUP BY point_id, {bucket}
ON CONFLICT (point_id, period, start) DO UPDATE SET
  count = count + excluded.count, min = min(min, excluded.min),
  max = max(max, excluded.max), sum = sum + excluded.sum
"""


def _store_sqlite(conn, rows, received_at) -> int:
    conn.ensure_connection()
    db = conn.connection  # the sqlite3 connection, inside Django's transaction
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS monitoring_stage (point_id INTEGER, ts TEXT, value REAL)"
    )
    db.execute("DELETE FROM temp.monitoring_stage")
    db.executemany(
        "INSERT INTO temp.monitoring_stage VALUES (?, ?, ?)",
        _sqlite_rows(rows),
    )
    # Rows already stored are dropped from the stage, so the aggregates count them once.
    db.execute(
        "DELETE FROM temp.monitoring_stage WHERE EXISTS (SELECT 1 FROM monitoring_rawreading r "
        "WHERE r.point_id = monitoring_stage.point_id AND r.ts = monitoring_stage.ts)"
    )
    received = _sqlite_text(received_at)
    inserted = db.execute(
        "INSERT INTO monitoring_rawreading (point_id, ts, value, received_at) "
        "SELECT point_id, ts, value, ? FROM temp.monitoring_stage WHERE true "
        "ON CONFLICT DO NOTHING",
        (received,),
    ).rowcount
    db.execute(_SQLITE_AGGREGATE.format(period="m", bucket="substr(ts, 1, 16) || ':00'"))
    db.execute(_SQLITE_AGGREGATE.format(period="h", bucket="substr(ts, 1, 13) || ':00:00'"))
    db.execute(
        "INSERT INTO monitoring_latestvalue (point_id, ts, value, received_at) "
        "SELECT point_id, max(ts), value, ? FROM temp.monitoring_stage WHERE true "
        "GROUP BY point_id ON CONFLICT (point_id) DO UPDATE SET ts = excluded.ts, "
        "value = excluded.value, received_at = excluded.received_at "
        "WHERE excluded.ts > monitoring_latestvalue.ts",
        (received,),
    )
    db.execute("DELETE FROM temp.monitoring_stage")
    return inserted


def checkpoint_states(states: dict, *, now: dt.datetime, connection=None) -> None:
    """Upsert engine states (point id → engine.PointState) into monitoring_enginestate,
    keeping a row whose last_ts is newer than the one offered."""
    import json

    conn = connection or default_connection
    rows = []
    for pid, state in states.items():
        last = state.last_ts
        last_ts = dt.datetime.fromtimestamp(last, UTC) if last is not None else None
        if conn.vendor != "postgresql":
            last_ts = _sqlite_text(last_ts) if last_ts is not None else None
        rows.append((pid, json.dumps(state.to_dict()), state.last_value, last_ts, now))
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO monitoring_enginestate (point_id, state, last_value, last_ts, updated_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (point_id) DO UPDATE SET "
            "state = excluded.state, last_value = excluded.last_value, "
            "last_ts = excluded.last_ts, updated_at = excluded.updated_at "
            "WHERE monitoring_enginestate.last_ts IS NULL "
            "OR monitoring_enginestate.last_ts <= excluded.last_ts",
            rows,
        )


# ---------------------------------------------------------------- rejections


def store_rejections(
    rejected: Sequence[tuple[str, Rejected]], *, received_at: dt.datetime, connection=None
) -> None:
    """(gateway code, Rejected) pairs: one row each for listing, counters by reason."""
    if not rejected:
        return
    from .models import Rejection

    Rejection.objects.bulk_create(
        [
            Rejection(
                gateway_code=gateway[:64],
                point_code=r.point,
                ts_text=r.ts,
                value_text=r.value,
                reason=r.reason,
                received_at=received_at,
            )
            for gateway, r in rejected
        ],
        batch_size=2000,
    )
    counts = Counter(r.reason for _, r in rejected)
    conn = connection or default_connection
    with conn.cursor() as cursor:
        for reason, n in sorted(counts.items()):  # a fixed order: no deadlock between two
            cursor.execute(
                "INSERT INTO monitoring_rejectioncount (reason, count) VALUES (%s, %s) "
                "ON CONFLICT (reason) DO UPDATE SET "
                "count = monitoring_rejectioncount.count + excluded.count",
                [reason, n],
            )


# ---------------------------------------------------------------- partitions and retention


def _day(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=UTC)


def partition_name(day: dt.date) -> str:
    return f"{RAW}_p{day:%Y%m%d}"


def ensure_partitions(*, connection=None, days_ahead: int | None = None, today=None) -> list[str]:
    """PostgreSQL: make sure the daily partitions from yesterday to `days_ahead` days
    ahead exist (UTC days). Rows of such a day already caught by the DEFAULT partition
    are moved into the new one. Returns the partitions created."""
    conn = connection or default_connection
    if conn.vendor != "postgresql":
        return []
    if days_ahead is None:
        days_ahead = int(setting("PARTITION_DAYS_AHEAD", 7))
    today = today or timezone.now().astimezone(UTC).date()
    created = []
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [RAW],
        )
        existing = {row[0] for row in cursor.fetchall()}
        for offset in range(-1, days_ahead + 1):
            day = today + dt.timedelta(days=offset)
            name = partition_name(day)
            if name in existing:
                continue
            start, end = _day(day), _day(day + dt.timedelta(days=1))
            cursor.execute(f"CREATE TABLE {name} (LIKE {RAW} INCLUDING DEFAULTS)")
            cursor.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (point_id, ts)")
            cursor.execute(
                # The name is made from a date here, never from input.
                "WITH moved AS (DELETE FROM monitoring_rawreading_default "  # noqa: S608
                f"WHERE ts >= %s AND ts < %s RETURNING *) INSERT INTO {name} SELECT * FROM moved",
                [start, end],
            )
            cursor.execute(
                f"ALTER TABLE {RAW} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
            created.append(name)
    return created


def apply_retention(*, now=None, connection=None) -> dict:
    """Delete what is older than its retention (days, settings with defaults):
    raw readings ANJIAN_MONITORING_RAW_DAYS=30 (PostgreSQL drops whole daily partitions),
    minute aggregates ANJIAN_MONITORING_MINUTE_DAYS=90, hour aggregates
    ANJIAN_MONITORING_HOUR_DAYS=1095, rejections ANJIAN_MONITORING_REJECTION_DAYS=30."""
    from .models import RawReading, ReadingAggregate, Rejection

    conn = connection or default_connection
    now = now or timezone.now()
    raw_cut = now - dt.timedelta(days=setting("RAW_DAYS", 30))
    out = {"partitions_dropped": [], "raw": 0}
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
                [RAW],
            )
            for (name,) in cursor.fetchall():
                suffix = name.removeprefix(f"{RAW}_p")
                if suffix == name or not suffix.isdigit():
                    continue
                day = dt.datetime.strptime(suffix, "%Y%m%d").date()
                if _day(day + dt.timedelta(days=1)) <= raw_cut:
                    cursor.execute(f"DROP TABLE {name}")
                    out["partitions_dropped"].append(name)
            cursor.execute("DELETE FROM monitoring_rawreading_default WHERE ts < %s", [raw_cut])
            out["raw"] = cursor.rowcount
    else:
        out["raw"] = RawReading.objects.filter(ts__lt=raw_cut)._raw_delete(conn.alias)
    out["minute"] = ReadingAggregate.objects.filter(
        period="m", start__lt=now - dt.timedelta(days=setting("MINUTE_DAYS", 90))
    )._raw_delete(conn.alias)
    out["hour"] = ReadingAggregate.objects.filter(
        period="h", start__lt=now - dt.timedelta(days=setting("HOUR_DAYS", 1095))
    )._raw_delete(conn.alias)
    out["rejections"] = Rejection.objects.filter(
        received_at__lt=now - dt.timedelta(days=setting("REJECTION_DAYS", 30))
    )._raw_delete(conn.alias)
    return out
