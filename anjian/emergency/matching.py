"""Which resources answer an incident, nearest first (issue 14 item 4). Pure: no Django.

The services load only the few columns needed (id, coordinates, turn-out time,
specialities; supply rows with their kind, quantity, state and expiry) inside a growing
bounding box, and hand them here; this module decides what fits the incident's type
(GB 6441-1986 code) and ranks by estimated arrival (geo.nearest: teams' turn-out time
counts) or, for shelters, by distance.

Speciality table: which team specialities serve which accident type. It reads as the
types' own words (火灾 is a fire, 中毒和窒息 needs chemical, gas and medical teams…); a type
not listed is served by any team, medical aid first. Matching teams come first, then the
nearest others fill the list: in a real response the nearest team of any kind is still
worth a call when no specialised one is near.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import geo

# GB 6441 code → the specialities (models.Speciality values) that serve it.
SPECIALITIES_BY_TYPE: dict[str, tuple[str, ...]] = {
    "05": ("electric", "medical"),  # 触电
    "06": ("water",),  # 淹溺
    "08": ("fire",),  # 火灾
    "10": ("collapse",),  # 坍塌
    "11": ("mine",),  # 冒顶片帮
    "12": ("mine", "water"),  # 透水
    "13": ("mine",),  # 放炮 (blasting: mines and quarries)
    "14": ("fire", "chemical"),  # 火药爆炸
    "15": ("mine",),  # 瓦斯爆炸
    "16": ("fire",),  # 锅炉爆炸
    "17": ("fire", "chemical"),  # 容器爆炸
    "18": ("fire", "chemical"),  # 其他爆炸
    "19": ("chemical", "gas", "medical"),  # 中毒和窒息
}
# Every other type (物体打击, 车辆伤害, 机械伤害, 起重伤害, 灼烫, 高处坠落, 其他伤害): medical
# aid first, then any team.
DEFAULT_SPECIALITIES: tuple[str, ...] = ("medical",)

# The pre-filter's box grows through these half-widths (km) until enough candidates are
# inside; None is "no box" (the whole table), the last resort for an empty region.
SEARCH_RADII_KM: tuple[float | None, ...] = (15.0, 40.0, 100.0, 250.0, 600.0, None)


def specialities_for(accident_type: str) -> tuple[str, ...]:
    return SPECIALITIES_BY_TYPE.get(accident_type, DEFAULT_SPECIALITIES)


@dataclass(frozen=True)
class Located:
    """A team, expert or shelter as loaded for matching: its id and where it is."""

    key: int
    lat: float
    lon: float
    readiness: float = 0.0  # minutes from the call to leaving (teams)
    specialities: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupplyRow:
    warehouse: int
    lat: float
    lon: float
    kind: int
    quantity: int
    state: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class Match:
    key: int
    km: float
    minutes: int
    fits: bool = True  # the speciality (or, for a warehouse, the supplies) fits the type
    supplies: dict[int, int] = field(default_factory=dict)  # warehouses: kind → quantity


def _ranked(lat: float, lon: float, rows: Iterable[Located], limit: int, by: str) -> list:
    return geo.nearest(
        lat,
        lon,
        (geo.Candidate(r.key, r.lat, r.lon, r.readiness) for r in rows),
        limit=limit,
        by=by,
    )


def rank_by_speciality(
    lat: float, lon: float, rows: Iterable[Located], accident_type: str, limit: int
) -> list[Match]:
    """Teams (or experts) whose specialities fit the type first, by arrival; then the
    others by arrival, up to `limit` in all."""
    wanted = set(specialities_for(accident_type))
    fit, rest = [], []
    for row in rows:
        (fit if wanted.intersection(row.specialities) else rest).append(row)
    first = _ranked(lat, lon, fit, limit, "minutes")
    second = _ranked(lat, lon, rest, limit - len(first), "minutes") if len(first) < limit else []
    return [Match(r.key, r.km, r.minutes, True) for r in first] + [
        Match(r.key, r.km, r.minutes, False) for r in second
    ]


def count_fitting(rows: Iterable[Located], accident_type: str) -> int:
    wanted = set(specialities_for(accident_type))
    return sum(1 for r in rows if wanted.intersection(r.specialities))


def rank_by_distance(lat: float, lon: float, rows: Iterable[Located], limit: int) -> list[Match]:
    """Shelters: nearest first (people walk or are driven there; no turn-out time)."""
    return [Match(r.key, r.km, r.minutes) for r in _ranked(lat, lon, rows, limit, "km")]


def kinds_serving(kinds: Iterable[tuple[int, Iterable[str]]], accident_type: str) -> set[int]:
    """Ids of the supply kinds whose catalogue entry lists the type."""
    return {pk for pk, types in kinds if accident_type in (types or ())}


def usable(row: SupplyRow, today: dt.date, good: str = "good") -> bool:
    """In stock, in good order (not under maintenance, not scrapped) and not expired on
    `today` (a supply expiring today still serves today)."""
    return (
        row.quantity > 0
        and row.state == good
        and (row.expires_on is None or row.expires_on >= today)
    )


def rank_warehouses(
    lat: float,
    lon: float,
    rows: Iterable[SupplyRow],
    serving: set[int],
    today: dt.date,
    limit: int,
) -> list[Match]:
    """Warehouses holding usable supplies of a serving kind, by arrival, with the usable
    quantity of each such kind."""
    stock: dict[int, dict[int, int]] = {}
    where: dict[int, tuple[float, float]] = {}
    for row in rows:
        if row.kind in serving and usable(row, today):
            held = stock.setdefault(row.warehouse, {})
            held[row.kind] = held.get(row.kind, 0) + row.quantity
            where[row.warehouse] = (row.lat, row.lon)
    ranked = _ranked(lat, lon, (Located(k, *where[k]) for k in stock), limit, "minutes")
    return [Match(r.key, r.km, r.minutes, True, dict(sorted(stock[r.key].items()))) for r in ranked]


def warehouses_holding(rows: Iterable[SupplyRow], serving: set[int], today: dt.date) -> int:
    return len({r.warehouse for r in rows if r.kind in serving and usable(r, today)})


def rerank(matches: list[Match], measured: Mapping[int, tuple[float, int]]) -> list[Match]:
    """The short list again after a road-network provider measured it: same fit-first
    order, then by the provider's minutes and km."""
    out = [
        Match(m.key, *measured.get(m.key, (m.km, m.minutes)), m.fits, m.supplies) for m in matches
    ]
    return sorted(out, key=lambda m: (not m.fits, m.minutes, m.km))
