"""Read helpers of the monitoring pages: the jurisdiction board, the enterprise board,
the alarm list's filters, a point's history series and the sparklines.

Every query starts from anjian.core.scoping.visible (alarms through
services.visible_alarms) and each board is a fixed number of queries, whatever the
number of enterprises, points or alarms (tests/monitoring/test_pages.py counts them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.registry import geometry
from anjian.registry.models import Enterprise

from . import services
from .models import (
    Alarm,
    AlarmLevel,
    Point,
    RawReading,
    ReadingAggregate,
    SetPoint,
)
from .models.alarms import OPEN_ALARM_STATES
from .services import condition_label

LEVELS: tuple[str, ...] = ("red", "orange", "yellow", "blue")
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}
# The map draws at most this many quiet enterprises (grey) beside the alarmed ones.
MAP_QUIET_LIMIT = 1500
BOARD_ALARMS = 50
OFFLINE_LIST = 20


def level_labels() -> dict[str, str]:
    return {value: str(label) for value, label in AlarmLevel.choices}


def open_alarms(user: Any) -> QuerySet[Alarm]:
    return services.visible_alarms(user).filter(state__in=OPEN_ALARM_STATES)


def level_counts(alarms: QuerySet[Alarm]) -> dict[str, int]:
    """Open alarms by level, in one aggregate query."""
    figures = alarms.aggregate(**{lvl: Count("pk", filter=Q(level=lvl)) for lvl in LEVELS})
    return {lvl: figures[lvl] or 0 for lvl in LEVELS}


# ------------------------------------------------------------------ jurisdiction board


@dataclass
class AlarmedEnterprise:
    pk: int
    name: str
    lon: float | None
    lat: float | None
    level: str = "blue"
    count: int = 0
    by_level: dict[str, int] = field(default_factory=dict)


def _project(points: list[tuple[float, float]], width: float, height: float, pad: float = 8.0):
    """A function lon/lat → SVG x/y that keeps the aspect (one degree of longitude drawn
    cos(latitude) times as wide as one of latitude), fitting all points."""
    import math

    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    k = max(0.1, math.cos(math.radians((lat0 + lat1) / 2)))
    d_lon = max(lon1 - lon0, 0.01) * k
    d_lat = max(lat1 - lat0, 0.01)
    scale = min((width - 2 * pad) / d_lon, (height - 2 * pad) / d_lat)
    off_x = (width - d_lon * scale) / 2
    off_y = (height - d_lat * scale) / 2

    def to_xy(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(off_x + (lon - lon0) * k * scale, 1),
            round(height - off_y - (lat - lat0) * scale, 1),
        )

    return to_xy


def _township_rings(user: Any) -> list[tuple[str, list[tuple[float, float]]]]:
    out = []
    rows = (
        scoping.visible_divisions(user)
        .filter(level="township", boundary__isnull=False)
        .order_by("code")
        .values_list("name", "boundary")
    )
    for name, shape in rows:
        try:
            ring = [(float(x), float(y)) for x, y in shape["coordinates"][0]]
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if len(ring) >= 4:
            out.append((name, ring))
    return out


def board_map(user: Any, alarmed: list[AlarmedEnterprise], width=640, height=400) -> dict | None:
    """The small map of the jurisdiction board as SVG shapes: township areas, quiet
    enterprises (grey) and enterprises with open alarms (coloured by their highest open
    level, drawn last). None when nothing has coordinates."""
    rings = _township_rings(user)
    alarmed_ids = {e.pk for e in alarmed}
    quiet = [
        (float(lon), float(lat))
        for pk, lon, lat in scoping.visible(user, Enterprise)
        .filter(longitude__isnull=False, latitude__isnull=False)
        .values_list("pk", "longitude", "latitude")
        .order_by("pk")[:MAP_QUIET_LIMIT]
        if pk not in alarmed_ids
    ]
    hot = [e for e in alarmed if e.lon is not None and e.lat is not None]
    frame = quiet + [(e.lon, e.lat) for e in hot]
    for _name, ring in rings:
        frame.extend(ring)
    if not frame:
        return None
    to_xy = _project(frame, width, height)
    areas = []
    for name, ring in rings:
        xy = [to_xy(x, y) for x, y in ring]
        cx, cy = to_xy(*geometry.centroid(ring[:-1]))
        areas.append(
            {"points": " ".join(f"{x},{y}" for x, y in xy), "name": name, "x": cx, "y": cy}
        )
    dots = [to_xy(lon, lat) for lon, lat in quiet]
    hot_sorted = sorted(hot, key=lambda e: -LEVEL_RANK.get(e.level, 9))  # red on top
    marks = []
    for e in hot_sorted:
        x, y = to_xy(e.lon, e.lat)
        marks.append({"x": x, "y": y, "level": e.level, "name": e.name, "pk": e.pk})
    return {"width": width, "height": height, "areas": areas, "dots": dots, "marks": marks}


def jurisdiction_board(user: Any, *, with_map: bool = True) -> dict[str, Any]:
    alarms = open_alarms(user)
    counts = level_counts(alarms)
    industries = list(
        alarms.values("enterprise__industry__name")
        .annotate(n=Count("pk"), red=Count("pk", filter=Q(level="red")))
        .order_by("-n", "enterprise__industry__name")
    )
    by_enterprise: dict[int, AlarmedEnterprise] = {}
    rows = alarms.values(
        "enterprise_id",
        "enterprise__name",
        "enterprise__longitude",
        "enterprise__latitude",
        "level",
    ).annotate(n=Count("pk"))
    for row in rows.order_by():
        pk = row["enterprise_id"]
        e = by_enterprise.get(pk)
        if e is None:
            lon, lat = row["enterprise__longitude"], row["enterprise__latitude"]
            e = by_enterprise[pk] = AlarmedEnterprise(
                pk=pk,
                name=row["enterprise__name"],
                lon=float(lon) if lon is not None else None,
                lat=float(lat) if lat is not None else None,
                level=row["level"],
            )
        e.count += row["n"]
        e.by_level[row["level"]] = e.by_level.get(row["level"], 0) + row["n"]
        if LEVEL_RANK.get(row["level"], 9) < LEVEL_RANK.get(e.level, 9):
            e.level = row["level"]
    alarmed = sorted(by_enterprise.values(), key=lambda e: (LEVEL_RANK[e.level], -e.count, e.name))
    offline_qs = alarms.filter(condition="offline", cleared_at__isnull=True)
    offline = list(
        offline_qs.select_related("point", "enterprise").order_by("-raised_at", "-pk")[
            :OFFLINE_LIST
        ]
    )
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "industries": industries,
        "alarmed": alarmed,
        "offline": offline,
        "offline_total": offline_qs.count() if len(offline) >= OFFLINE_LIST else len(offline),
        "map": board_map(user, alarmed) if with_map else None,
        "updated_at": timezone.now(),
    }


# ------------------------------------------------------------------ enterprise board


def sparkline(values: list[float], width: int = 120, height: int = 28) -> str:
    """An SVG polyline's points for a series (evenly spaced, scaled to its own range)."""
    if not values:
        return ""
    if len(values) == 1:
        values = values * 2
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    pad = 2
    return " ".join(
        f"{round(i * step, 1)},{round(pad + (height - 2 * pad) * (1 - (v - low) / span), 1)}"
        for i, v in enumerate(values)
    )


@dataclass
class PointRow:
    point: Point
    latest: Any
    spark: str
    alarm_level: str | None
    limits: list[SetPoint]


@dataclass
class Group:
    title: str
    kind: str  # "installation", "risk_unit", "other"
    rows: list[PointRow] = field(default_factory=list)


def enterprise_board(user: Any, enterprise: Enterprise, *, now=None) -> dict[str, Any]:
    """Points grouped by installation / risk unit with their latest values, last hour
    sparkline (minute aggregates) and highest open alarm; the enterprise's open alarms."""
    now = now or timezone.now()
    points = list(
        scoping.visible(user, Point)
        .filter(enterprise=enterprise, is_active=True)
        .select_related("installation", "risk_unit", "latest")
        .prefetch_related(
            Prefetch(
                "setpoints",
                queryset=SetPoint.objects.filter(is_active=True).order_by("value"),
            )
        )
        .order_by("installation__name", "risk_unit__name", "code")
    )
    ids = [p.pk for p in points]
    series: dict[int, list[float]] = defaultdict(list)
    if ids:
        for pid, total, n in (
            ReadingAggregate.objects.filter(
                point_id__in=ids,
                period=ReadingAggregate.MINUTE,
                start__gte=now - dt.timedelta(hours=1),
            )
            .order_by("point_id", "start")
            .values_list("point_id", "sum", "count")
        ):
            if n:
                series[pid].append(total / n)
    alarms = list(
        open_alarms(user)
        .filter(enterprise=enterprise)
        .select_related("point")
        .order_by("-raised_at", "-pk")[:BOARD_ALARMS]
    )
    worst: dict[int, str] = {}
    for a in alarms:
        a.condition_text = condition_label(a.condition, a.setpoint)
        if LEVEL_RANK.get(a.level, 9) < LEVEL_RANK.get(worst.get(a.point_id, ""), 9):
            worst[a.point_id] = a.level
    groups: dict[tuple[str, int], Group] = {}
    for p in points:
        if p.installation_id:
            key, title, kind = ("i", p.installation_id), p.installation.name, "installation"
        elif p.risk_unit_id:
            key, title, kind = ("u", p.risk_unit_id), p.risk_unit.name, "risk_unit"
        else:
            key, title, kind = ("o", 0), _("Other points"), "other"
        group = groups.setdefault(key, Group(title=title, kind=kind))
        latest = getattr(p, "latest", None)
        group.rows.append(
            PointRow(
                point=p,
                latest=latest,
                spark=sparkline(series.get(p.pk, [])),
                alarm_level=worst.get(p.pk),
                limits=list(p.setpoints.all()),
            )
        )
    return {
        "groups": list(groups.values()),
        "alarms": alarms,
        "counts": level_counts(open_alarms(user).filter(enterprise=enterprise)),
        "points_total": len(points),
        "updated_at": now,
    }


# ------------------------------------------------------------------ alarm list


def alarm_enterprises(user: Any) -> QuerySet[Enterprise]:
    """The enterprises in scope that have alarms (the list's enterprise filter)."""
    return (
        scoping.visible(user, Enterprise)
        .filter(Exists(Alarm.objects.filter(enterprise=OuterRef("pk"))))
        .order_by("name")
        .only("pk", "name")
    )


# ------------------------------------------------------------------ point history

RANGES = {
    "1h": (dt.timedelta(hours=1), "raw"),
    "24h": (dt.timedelta(hours=24), ReadingAggregate.MINUTE),
    "7d": (dt.timedelta(days=7), ReadingAggregate.HOUR),
}


def point_series(point: Point, range_key: str, *, now=None) -> dict[str, Any]:
    """A point's readings over 1 h (raw readings), 24 h (minute aggregates: mean, min,
    max) or 7 d (hour aggregates), with its active set-points."""
    now = now or timezone.now()
    span, source = RANGES[range_key]
    since = now - span
    if source == "raw":
        rows = (
            RawReading.objects.filter(point_id=point.pk, ts__gte=since, ts__lte=now)
            .order_by("ts")
            .values_list("ts", "value")
        )
        data = [[int(ts.timestamp() * 1000), v, v, v] for ts, v in rows]
    else:
        rows = (
            ReadingAggregate.objects.filter(
                point_id=point.pk, period=source, start__gte=since, start__lte=now
            )
            .order_by("start")
            .values_list("start", "sum", "count", "min", "max")
        )
        data = [
            [int(start.timestamp() * 1000), round(total / n, 4), lo, hi]
            for start, total, n, lo, hi in rows
            if n
        ]
    names = {value: str(label) for value, label in SetPoint._meta.get_field("name").choices}
    setpoints = [
        {
            "name": names.get(sp.name, sp.name),
            "value": float(sp.value),
            "level": sp.level,
            "direction": sp.direction,
        }
        for sp in point.setpoints.filter(is_active=True).order_by("value")
    ]
    return {
        "point": point.code,
        "unit": point.unit,
        "range": range_key,
        "source": source,
        "since": int(since.timestamp() * 1000),
        "until": int(now.timestamp() * 1000),
        "data": data,
        "setpoints": setpoints,
        "boolean": point.is_boolean,
    }


__all__ = [
    "LEVELS",
    "RANGES",
    "alarm_enterprises",
    "condition_label",
    "enterprise_board",
    "jurisdiction_board",
    "level_counts",
    "level_labels",
    "open_alarms",
    "point_series",
    "sparkline",
]
