"""What the platform observed on declared units during a day, from the monitoring models:
per unit (major hazard installation or risk unit) the number of monitoring points on it,
whether its process points reported readings, and how many alarms were raised on it.

Only process points count as "readings seen" (temperature, pressure, level, flow, line
current and temperature): gas detectors, oxygen, seals and video analysis must keep
watching a stopped unit, so their readings say nothing about whether it runs (a judgement
of ours, not a rule from the texts).

Sources on the monitoring side (as committed in 4f7fa96 and efc4132): readings seen come
from the hour aggregates (`ReadingAggregate`, period "h", written with every stored batch and
kept longer than the raw readings), falling back to `RawReading` where there are no
aggregates; alarms from `Alarm.raised_at`. "offline" alarms are not counted: a point going
silent on a stopped unit is no sign that it runs. If a model or field is missing (an older
schema), that observation is None — "no observation" — and the comparison lists no
difference for it. `available()` says which observations the schema gives.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from anjian.monitoring import models as mon

from . import rules

PROCESS_KINDS = frozenset(
    {"temperature", "pressure", "level", "flow", "line_current", "line_temperature"}
)


OFFLINE_CONDITION = "offline"


def _model(name: str):
    return getattr(mon, name, None)


def _has_fields(model, *names: str) -> bool:
    if model is None:
        return False
    known = {f.name for f in model._meta.get_fields()}
    return all(n in known for n in names)


def _aggregates_ready() -> bool:
    return _has_fields(_model("ReadingAggregate"), "point", "period", "start", "count")


def _readings_query_ready() -> bool:
    return _aggregates_ready() or _has_fields(_model("RawReading"), "point", "ts")


def _alarms_query_ready() -> bool:
    return _has_fields(_model("Alarm"), "point", "raised_at", "condition")


def available() -> dict[str, bool]:
    """Which observations the monitoring models can give."""
    return {"readings": _readings_query_ready(), "alarms": _alarms_query_ready()}


def _points_reading(point_ids: list[int], since: dt.datetime, until: dt.datetime) -> set[int]:
    if not point_ids:
        return set()
    seen: set[int] = set()
    if _aggregates_ready():
        agg = _model("ReadingAggregate")
        # Hour buckets that start in the window (the day starts on a whole hour).
        seen |= set(
            agg.objects.filter(
                point_id__in=point_ids,
                period=agg.HOUR,
                start__gte=since,
                start__lt=until,
                count__gt=0,
            )
            .values_list("point_id", flat=True)
            .distinct()
        )
        return seen
    raw = _model("RawReading")  # an older schema without aggregates
    return set(
        raw.objects.filter(point_id__in=point_ids, ts__gte=since, ts__lt=until)
        .values_list("point_id", flat=True)
        .distinct()
    )


def _alarms_per_point(
    point_ids: list[int], since: dt.datetime, until: dt.datetime
) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    if not point_ids:
        return counts
    for point_id in (
        _model("Alarm")
        .objects.filter(point_id__in=point_ids, raised_at__gte=since, raised_at__lt=until)
        .exclude(condition=OFFLINE_CONDITION)
        .values_list("point_id", flat=True)
    ):
        counts[point_id] += 1
    return counts


def observe(
    keys: Iterable[rules.UnitKey], since: dt.datetime, until: dt.datetime
) -> dict[rules.UnitKey, rules.Observation]:
    """The observation of each unit in [since, until). A unit without a point has
    points=0 and no observation of readings or alarms."""
    keys = list(keys)
    inst_ids = [pk for kind, pk in keys if kind == rules.INSTALLATION]
    unit_ids = [pk for kind, pk in keys if kind == rules.RISK_UNIT]
    by_unit: dict[rules.UnitKey, list[tuple[int, str]]] = defaultdict(list)
    if inst_ids or unit_ids:
        points = mon.Point.objects.filter(is_active=True).filter(
            Q(installation_id__in=inst_ids) | Q(risk_unit_id__in=unit_ids)
        )
        for pid, inst, unit, kind in points.values_list(
            "pk", "installation_id", "risk_unit_id", "kind"
        ):
            if inst in inst_ids:
                by_unit[(rules.INSTALLATION, inst)].append((pid, kind))
            if unit in unit_ids:
                by_unit[(rules.RISK_UNIT, unit)].append((pid, kind))
    all_ids = sorted({pid for pts in by_unit.values() for pid, _k in pts})
    reading = _points_reading(all_ids, since, until) if _readings_query_ready() else None
    alarms = _alarms_per_point(all_ids, since, until) if _alarms_query_ready() else None
    out: dict[rules.UnitKey, rules.Observation] = {}
    for key in keys:
        pts = by_unit.get(key, [])
        if not pts:
            out[key] = rules.Observation(points=0)
            continue
        seen = None
        if reading is not None:
            seen = any(pid in reading for pid, kind in pts if kind in PROCESS_KINDS)
        raised = None
        if alarms is not None:
            raised = sum(alarms.get(pid, 0) for pid, _k in pts)
        out[key] = rules.Observation(points=len(pts), readings_seen=seen, alarms_raised=raised)
    return out
