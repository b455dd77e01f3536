"""Distances and arrival times on coordinates (pure: no Django import).

Great-circle distance (haversine) on the WGS-84 mean radius works offline; a road-network
provider (anything with `route(origin, destination) -> (km, minutes)`) can replace it
through ANJIAN_ROUTE_PROVIDER (anjian.emergency.routing)."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
# Road distance is longer than the straight line: the detour index of road networks is
# commonly taken as about 1.3 (circuity studies; a configurable assumption, not a rule).
DEFAULT_DETOUR = 1.3
DEFAULT_SPEED_KMH = 40.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def eta_minutes(
    km: float,
    *,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    detour: float = DEFAULT_DETOUR,
    readiness: float = 0.0,
) -> int:
    """Minutes to arrive: turn-out time plus the road distance (straight line × detour) at
    `speed_kmh`, rounded up."""
    return math.ceil(readiness + km * detour / speed_kmh * 60)


@dataclass(frozen=True)
class Candidate:
    key: object
    lat: float
    lon: float
    readiness: float = 0.0


@dataclass(frozen=True)
class Ranked:
    key: object
    km: float
    minutes: int


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a box that holds every point within `km`,
    for a database pre-filter before the exact distance."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(km / (EARTH_RADIUS_KM * coslat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def nearest(
    lat: float,
    lon: float,
    candidates: Iterable[Candidate],
    *,
    limit: int = 10,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    detour: float = DEFAULT_DETOUR,
    by: str = "minutes",
) -> list[Ranked]:
    """The `limit` candidates that arrive first (by="minutes": readiness counts) or are
    nearest (by="km"), with distance and ETA; ties by key order of appearance."""
    scored = []
    for i, c in enumerate(candidates):
        km = haversine_km(lat, lon, c.lat, c.lon)
        minutes = eta_minutes(km, speed_kmh=speed_kmh, detour=detour, readiness=c.readiness)
        scored.append(((minutes, km) if by == "minutes" else (km, minutes), i, c, km, minutes))
    best = heapq.nsmallest(limit, scored, key=lambda t: (t[0], t[1]))
    return [Ranked(key=c.key, km=round(km, 2), minutes=m) for _, _, c, km, m in best]
