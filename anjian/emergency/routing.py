"""The road-network provider plug for the one-click response (issue 14 item 4: "distance
by great-circle on coordinates works offline; a road-network provider can be plugged in").

A provider is anything with `route(origin, destination) -> (km, minutes)` (origin and
destination are (latitude, longitude) pairs; minutes are the travel time only, without the
team's turn-out time). It is named by dotted path in the setting ANJIAN_ROUTE_PROVIDER
(read here with a default, so settings.py need not know of it); a class is instantiated
once. The default, GreatCircle, is geo.py's straight line times the detour index at the
average speed: it needs no network and never fails.

The matching ranks every candidate by great-circle first (fast, in one pass); a plugged-in
provider then re-measures only the short list (a road router is slow per call), and the
short list is sorted again by its answer. A provider that raises is logged and the
great-circle figure kept: a failing map service must not stop a response.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from . import geo

logger = logging.getLogger("anjian.emergency")

DEFAULT_PROVIDER = "anjian.emergency.routing.GreatCircle"

Point = tuple[float, float]


@runtime_checkable
class RouteProvider(Protocol):
    def route(self, origin: Point, destination: Point) -> tuple[float, float]: ...


class GreatCircle:
    """Offline: haversine distance × detour index at the average speed (geo.py)."""

    is_default = True

    def route(self, origin: Point, destination: Point) -> tuple[float, float]:
        km = geo.haversine_km(origin[0], origin[1], destination[0], destination[1])
        return km, geo.eta_minutes(km)


@cache
def _load(path: str) -> RouteProvider:
    provider = import_string(path)
    if isinstance(provider, type):
        provider = provider()
    if not callable(getattr(provider, "route", None)):
        raise TypeError(f"{path} is not a route provider (it has no route method)")
    return provider


def provider() -> RouteProvider:
    return _load(getattr(settings, "ANJIAN_ROUTE_PROVIDER", DEFAULT_PROVIDER) or DEFAULT_PROVIDER)


def is_great_circle(p: RouteProvider) -> bool:
    return bool(getattr(p, "is_default", False))


def measure(
    p: RouteProvider, origin: Point, destination: Point, fallback: tuple[float, float]
) -> tuple[float, float, bool]:
    """(km, travel minutes, by road?) from the provider, or the fallback on failure."""
    try:
        km, minutes = p.route(origin, destination)
        return float(km), float(minutes), True
    except Exception:
        logger.exception("route provider failed; the great-circle estimate is kept")
        return fallback[0], fallback[1], False
