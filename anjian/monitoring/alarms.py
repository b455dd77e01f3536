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
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q

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


def _match(keys: Iterable[tuple[int, str, Any]]) -> Q:
    match = Q()
    for point_id, condition, ts in keys:
        match |= Q(point_id=point_id, condition=condition, raised_at=ts)
    return match


def _raise(raises: Sequence[engine.Transition]) -> int:
    """Insert the alarms (a key already stored is left alone) and a raise event for each
    alarm that has none yet: those are the alarms new now, whose number is returned. An
    alarm and its raise event are written in one transaction, so an alarm without one
    is one this call inserted."""
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
    if not candidates:
        return 0
    Alarm.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=CHUNK)
    events = []
    for part in _chunks(list(keys)):
        created = Alarm.objects.filter(_match(part)).exclude(events__action=engine.RAISE)
        events += [
            _event(
                a.pk,
                engine.RAISE,
                a.raised_at,
                {
                    "condition": a.condition,
                    "level": a.level,
                    "setpoint": a.setpoint,
                    "value": a.value,
                },
            )
            for a in created.only("pk", "raised_at", "condition", "level", "setpoint", "value")
        ]
    AlarmEvent.objects.bulk_create(events, ignore_conflicts=True, batch_size=CHUNK)
    return len(events)


def _clear(clears: Sequence[engine.Transition]) -> int:
    """End the open alarms the clears name: locked, updated in one statement, a clear
    event each."""
    open_alarms: list[Alarm] = []
    for part in _chunks(clears):
        match = Q()
        for t in part:
            match |= Q(point_id=t.point_id, condition=t.condition, raised_at__lte=t.ts)
        open_alarms += (
            Alarm.objects.select_for_update()
            .filter(match, cleared_at__isnull=True)
            .only("pk", "point_id", "condition", "raised_at", "peak", "value")
        )
    if not open_alarms:
        return 0
    by_key: dict[tuple[int, str], list[engine.Transition]] = {}
    for t in sorted(clears, key=lambda t: t.ts):
        by_key.setdefault((t.point_id, t.condition), []).append(t)
    times = {key: [t.ts for t in ts] for key, ts in by_key.items()}
    ended: list[Alarm] = []
    events = []
    for alarm in open_alarms:
        # The first clear at or after its raise ends it.
        key = (alarm.point_id, alarm.condition)
        i = bisect.bisect_left(times[key], alarm.raised_at)
        if i == len(times[key]):
            continue
        t = by_key[key][i]
        # The engine tracked the extreme in the alarm's own direction.
        if t.peak is not None and not isinstance(t.peak, bool):
            alarm.peak = float(t.peak)
        alarm.cleared_at = t.ts
        alarm.clear_value = _value(t.value)
        ended.append(alarm)
        events.append(_event(alarm.pk, engine.CLEAR, t.ts, {"value": _value(t.value)}))
    # The rows are locked (select_for_update above): every one of them is ended here.
    Alarm.objects.bulk_update(ended, ["cleared_at", "clear_value", "peak"], batch_size=CHUNK)
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
