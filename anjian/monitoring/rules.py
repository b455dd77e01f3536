"""The engine's rules built from the database: one `PointRules` per active point, with
its set-points, rate and stuck rules and seal windows (anjian.monitoring.engine).

Call `load_rules()` once when a listener starts and again when points or set-points
change (the pipeline decides when; a rules change does not reset the points' states).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from . import engine
from .models import Point, PointKind, PointRule, SealWindow, SetPoint

# Levels when a point has no PointRule row.
DEFAULT_RULE = PointRule()


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def window(start: dt.time, end: dt.time) -> engine.Window:
    return engine.Window(_minute(start), _minute(end))


def engine_setpoint(sp: SetPoint) -> engine.SetPoint:
    """The engine's set-point: floats made once from the Decimals (so a reading equal to
    the set-point's text compares equal, and value − hysteresis is exact)."""
    value = Decimal(sp.value)
    hysteresis = Decimal(sp.hysteresis or 0)
    if sp.clear_value is not None:
        clear_at = Decimal(sp.clear_value)
    elif sp.direction == engine.ABOVE:
        clear_at = value - hysteresis
    else:
        clear_at = value + hysteresis
    windows: tuple[engine.Window, ...] = ()
    if sp.window_start is not None and sp.window_end is not None:
        windows = (window(sp.window_start, sp.window_end),)
    return engine.SetPoint(
        name=sp.name,
        level=sp.level,
        direction=sp.direction,
        value=float(value),
        clear_at=float(clear_at),
        min_duration=float(sp.min_duration_seconds),
        windows=windows,
    )


def utc_offset_minutes() -> int:
    offset = timezone.localtime().utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds() // 60)


def build(
    point: Point,
    setpoints: Iterable[SetPoint],
    rule: PointRule | None,
    seal_windows: Iterable[SealWindow],
    offset: int,
) -> engine.PointRules:
    rule = rule or DEFAULT_RULE
    boolean = point.kind in (PointKind.SEAL, PointKind.VIDEO_EVENT)
    return engine.PointRules(
        point_id=point.pk,
        boolean=boolean,
        setpoints=() if boolean else tuple(engine_setpoint(s) for s in setpoints),
        rate_limit=float(rule.rate_limit) if rule.rate_limit is not None else None,
        rate_direction=rule.rate_direction,
        rate_level=rule.rate_level,
        stuck_seconds=float(rule.stuck_seconds) if rule.stuck_seconds else None,
        stuck_tolerance=float(rule.stuck_tolerance or 0),
        stuck_level=rule.stuck_level,
        true_condition=engine.SEAL if point.kind == PointKind.SEAL else engine.EVENT,
        true_windows=tuple(window(w.start, w.end) for w in seal_windows),
        true_level=rule.seal_level,
        sampling_seconds=float(point.sampling_seconds),
        offline_periods=int(point.offline_periods),
        offline_level=rule.offline_level,
        utc_offset_minutes=offset,
    )


def load_rules(point_ids: Iterable[int] | None = None) -> dict[int, engine.PointRules]:
    """Rules of the active points (all, or those named), in four queries."""
    points = Point.objects.filter(is_active=True).only(
        "pk", "kind", "sampling_seconds", "offline_periods"
    )
    if point_ids is not None:
        points = points.filter(pk__in=list(point_ids))
    # The related rows by a subquery, not a list of ids (SQLite caps query parameters).
    of_points = {"point__in": points.values("pk")}
    points = list(points)
    setpoints: dict[int, list[SetPoint]] = defaultdict(list)
    for sp in SetPoint.objects.filter(is_active=True, **of_points).order_by("pk"):
        setpoints[sp.point_id].append(sp)
    rules = {r.point_id: r for r in PointRule.objects.filter(**of_points)}
    windows: dict[int, list[SealWindow]] = defaultdict(list)
    for w in SealWindow.objects.filter(**of_points):
        windows[w.point_id].append(w)
    offset = utc_offset_minutes()
    return {p.pk: build(p, setpoints[p.pk], rules.get(p.pk), windows[p.pk], offset) for p in points}


__all__ = ["build", "engine_setpoint", "load_rules", "utc_offset_minutes"]
