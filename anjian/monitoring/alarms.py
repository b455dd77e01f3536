"""The engine's transitions into Alarm rows: `record(transitions)`.

Called by the pipeline after `engine.evaluate`, inside the caller's transaction, with
the transitions of a whole batch. In bulk (a handful of queries per batch, whatever its
size) and idempotent: an alarm is identified by (point, condition, raise time), so a
batch replayed after a crash, or the same transition from two listeners, makes one
alarm; a clear ends the open alarms of that point and condition raised at or before it
(an offline alarm the job timed from a slightly older checkpoint included) and does
nothing when none is open.

Machine transitions are recorded as AlarmEvent rows (action "raise" / "clear", actor
"engine"), not in the audit chain: at thousands of alarms a second the chain's single
head would serialise the pipeline. People's steps (acknowledge, handle, close) and the
jobs' steps are audited (anjian.monitoring.services, anjian.monitoring.jobs).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from . import engine
from .models import Alarm, AlarmEvent, AlarmState, Point

ENGINE_LABEL = "engine"
# Keys per query: SQLite parses an OR chain as a tree at most 1000 deep and caps the
# parameters; 200 keys of three parameters stay well inside both.
CHUNK = 200


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


ENGINE_VIA = "engine"


def _event(alarm_id: int, action: str, at: Any, data: dict[str, Any]) -> AlarmEvent:
    return AlarmEvent(
        alarm_id=alarm_id,
        action=action,
        actor_label=ENGINE_LABEL,
        via=ENGINE_VIA,
        at=at,
        data=data,
    )


def _value(v: Any) -> float | None:
    if v is None:
        return None
    return float(v)


def _aware(value: Any) -> dt.datetime:
    """A datetime read back by raw SQL: SQLite gives Django's naive-UTC text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _insert_alarms(alarms: Sequence[Alarm]) -> list[tuple[int, int, str, dt.datetime]]:
    """INSERT … ON CONFLICT (the alarm's identity) DO NOTHING RETURNING: the rows new
    now, as (id, point id, condition, raised_at). Raw SQL because the ORM's bulk_create
    cannot say which rows a conflict skipped; the values are prepared by the fields
    themselves, as bulk_create does, so every column of the model is written."""
    fields = [f for f in Alarm._meta.concrete_fields if f.column != "id"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = []
    params: list[Any] = []
    for alarm in alarms:
        rows.append("(" + ", ".join(["%s"] * len(fields)) + ")")
        params += [f.get_db_prep_save(f.pre_save(alarm, True), connection) for f in fields]
    sql = (
        f"INSERT INTO {Alarm._meta.db_table} ({columns}) VALUES {', '.join(rows)} "  # noqa: S608
        "ON CONFLICT (point_id, condition, raised_at) DO NOTHING "
        "RETURNING id, point_id, condition, raised_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (pk, point, condition, _aware(ts)) for pk, point, condition, ts in cursor.fetchall()
        ]


def _raise(raises: Sequence[engine.Transition]) -> int:
    """Insert the alarms (a key already stored is left alone: a replayed batch, or the
    same transition from two listeners) and a raise event for each new one; the number
    of new alarms."""
    keys = {(t.point_id, t.condition, t.ts): t for t in raises}
    point_ids = {t.point_id for t in raises}
    enterprises = dict(Point.objects.filter(pk__in=point_ids).values_list("pk", "enterprise_id"))
    candidates = [
        Alarm(
            point_id=t.point_id,
            enterprise_id=enterprises[t.point_id],
            condition=t.condition,
            level=t.level,
            setpoint=t.setpoint,
            value=_value(t.value),
            peak=_value(t.value),
            raised_at=t.ts,
        )
        for t in keys.values()
        if t.point_id in enterprises
    ]
    events = []
    for part in _chunks(candidates):
        for pk, point_id, condition, raised_at in _insert_alarms(part):
            t = keys[(point_id, condition, raised_at)]
            events.append(
                _event(
                    pk,
                    engine.RAISE,
                    t.ts,
                    {
                        "condition": t.condition,
                        "level": t.level,
                        "setpoint": t.setpoint,
                        "value": _value(t.value),
                    },
                )
            )
    AlarmEvent.objects.bulk_create(events, ignore_conflicts=True, batch_size=CHUNK)
    return len(events)


def _clear(clears: Sequence[engine.Transition]) -> int:
    """End the open alarms the clears name (locked; the first clear at or after an
    alarm's raise ends it), a clear event each."""
    by_key: dict[tuple[int, str], list[engine.Transition]] = {}
    for t in sorted(clears, key=lambda t: t.ts):
        by_key.setdefault((t.point_id, t.condition), []).append(t)
    times = {key: [t.ts for t in ts] for key, ts in by_key.items()}
    open_alarms = (
        Alarm.objects.select_for_update()
        .filter(point_id__in={t.point_id for t in clears}, cleared_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "point_id", "condition", "raised_at", "peak")
    )
    updates = []
    events = []
    for pk, point_id, condition, raised_at, peak in open_alarms:
        key = (point_id, condition)
        if key not in times:
            continue
        i = bisect.bisect_left(times[key], raised_at)
        if i == len(times[key]):
            continue
        t = by_key[key][i]
        # The engine tracked the extreme in the alarm's own direction.
        if t.peak is not None and not isinstance(t.peak, bool):
            peak = float(t.peak)
        value = _value(t.value)
        updates.append((connection.ops.adapt_datetimefield_value(t.ts), value, peak, pk))
        events.append(_event(pk, engine.CLEAR, t.ts, {"value": value}))
    if updates:
        # The rows are locked (select_for_update above): every one of them is ended here.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Alarm._meta.db_table} SET cleared_at = %s, clear_value = %s, "  # noqa: S608
                "peak = %s WHERE id = %s",
                updates,
            )
    AlarmEvent.objects.bulk_create(events, ignore_conflicts=True, batch_size=CHUNK)
    return len(events)


def record(transitions: Iterable[engine.Transition]) -> int:
    """Store the engine's raises and clears; the number of alarms newly raised."""
    transitions = list(transitions)
    if not transitions:
        return 0
    raises = [t for t in transitions if t.kind == engine.RAISE]
    clears = [t for t in transitions if t.kind == engine.CLEAR]
    raised = _raise(raises) if raises else 0
    if clears:
        _clear(clears)
    return raised


def open_alarms():
    """Alarms not closed yet (the boards' and the CLI's "alarms_open")."""
    return Alarm.objects.exclude(state=AlarmState.CLOSED)


__all__ = ["open_alarms", "record"]
