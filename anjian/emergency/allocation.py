"""Supplies allocation across incidents as a min-cost flow (issue 14 item 5; pure: no
Django import, so the solver is tested and benchmarked on its own).

The problem, as JSON-like data (the API's stateless /solve takes exactly this):

    {"objective": "distance" | "time", "detour": 1.3, "speed_kmh": 40,
     "incidents": [{"id": "i1", "name": "…", "lat": 30.2, "lon": 120.1, "priority": 1,
                    "demands": {"sandbag": 300}}],
     "warehouses": [{"id": "w1", "name": "…", "lat": 30.3, "lon": 120.2,
                     "readiness_minutes": 0, "stocks": {"sandbag": 200}}],
     "routes": [{"warehouse": "w1", "incident": "i1", "km": 12.5, "minutes": 20}
                | {"warehouse": "w1", "incident": "i1", "reachable": false}],
     "max_km": 300}

Costs. Without a route, the road distance is the great-circle distance × detour
(geo.haversine_km, geo.DEFAULT_DETOUR) and the time geo.eta_minutes plus the warehouse's
readiness; a route given by a road-network provider replaces both for its pair, or marks
the pair unreachable. The objective's unit cost is an INTEGER, as network simplex needs:
metres of road (objective "distance") or seconds of travel (objective "time"); a
shipment costs quantity × unit cost, reported back in km or minutes.

The flow, per supply kind (kinds share no capacity, so they are independent problems):
warehouse w supplies its stock, incident i demands its quantity, edges w→i cost the unit
cost. An "unmet" node supplies every incident at a prohibitive cost (BIG × priority) so the
problem is always feasible, and a "spare" node takes the stock nobody needs at no cost.
BIG exceeds the cost of any simple cycle of shipping edges (nodes × the largest unit cost),
so no saving on transport ever outweighs leaving a unit unmet: the plan meets as much
demand as the stocks and routes allow (higher priorities first), and at least cost.

Reduction (benchmark: 50 incidents × 500 warehouses × 20 kinds). Only warehouses holding
the kind and incidents demanding it enter its graph, and of each incident's shipping edges
only those to its nearest warehouses (by unit cost) whose stock together covers the kind's
total demand: `_near_edges` proves that some optimal flow uses no other edge, so nothing
possibly optimal is dropped. When stocks fall short of demand nothing can be dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .geo import DEFAULT_DETOUR, DEFAULT_SPEED_KMH, eta_minutes, haversine_km

OBJECTIVES = ("distance", "time")
MAX_QUANTITY = 10**9
MAX_PRIORITY = 10
MAX_POINTS = 5000
MAX_KINDS = 500
# Bounds of one problem, so that a request cannot hold a worker for minutes: the pairs of
# warehouses and incidents (the benchmark's 500 × 50 is 25,000) and the kinds demanded.
MAX_PAIRS = 500_000
MAX_DEMANDED_KINDS = 100


class ProblemError(ValueError):
    """Invalid input: `errors` maps a field path ("incidents[0].demands.sand") to a list of
    (code, params) pairs; the caller words them (services translate the codes)."""

    def __init__(self, errors: dict[str, list[tuple[str, dict[str, Any]]]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {[c for c, _ in v]}" for k, v in errors.items()))


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    lat: float
    lon: float
    quantities: dict[str, int]  # demands (incident) or stocks (warehouse)
    priority: int = 1
    readiness: float = 0.0


@dataclass(frozen=True)
class Route:
    km: float
    minutes: int


@dataclass
class Problem:
    objective: str
    incidents: list[Site]
    warehouses: list[Site]
    detour: float = DEFAULT_DETOUR
    speed_kmh: float = DEFAULT_SPEED_KMH
    max_km: float | None = None
    routes: dict[tuple[str, str], Route | None] = field(default_factory=dict)


# --- input --------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _quantity(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse(data: Any) -> Problem:
    """The problem from JSON-like data; ProblemError lists every problem found."""
    errors: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def err(path: str, code: str, **params: Any) -> None:
        errors.setdefault(path, []).append((code, params))

    if not isinstance(data, Mapping):
        raise ProblemError({"__all__": [("not_an_object", {})]})
    objective = data.get("objective", "distance")
    if objective not in OBJECTIVES:
        err("objective", "choice", choices=", ".join(OBJECTIVES))
    detour = _number(data.get("detour", DEFAULT_DETOUR))
    if detour is None or not 1 <= detour <= 5:
        err("detour", "range", low=1, high=5)
        detour = DEFAULT_DETOUR
    speed = _number(data.get("speed_kmh", DEFAULT_SPEED_KMH))
    if speed is None or not 1 <= speed <= 200:
        err("speed_kmh", "range", low=1, high=200)
        speed = DEFAULT_SPEED_KMH
    max_km = data.get("max_km")
    if max_km is not None:
        max_km = _number(max_km)
        if max_km is None or max_km <= 0:
            err("max_km", "positive")
            max_km = None

    def sites(key: str, qty_key: str) -> list[Site]:
        raw = data.get(key)
        if not isinstance(raw, list) or not raw:
            err(key, "required")
            return []
        if len(raw) > MAX_POINTS:
            err(key, "too_many", n=MAX_POINTS)
            return []
        out: list[Site] = []
        seen: set[str] = set()
        for n, item in enumerate(raw):
            path = f"{key}[{n}]"
            if not isinstance(item, Mapping):
                err(path, "not_an_object")
                continue
            sid = item.get("id")
            if isinstance(sid, int) and not isinstance(sid, bool):
                sid = str(sid)
            if not isinstance(sid, str) or not sid.strip() or len(sid) > 64:
                err(f"{path}.id", "required")
                sid = f"#{n}"
            elif sid in seen:
                err(f"{path}.id", "duplicate", id=sid)
            seen.add(sid)
            lat, lon = _number(item.get("lat")), _number(item.get("lon"))
            if lat is None or not -90 <= lat <= 90:
                err(f"{path}.lat", "range", low=-90, high=90)
            if lon is None or not -180 <= lon <= 180:
                err(f"{path}.lon", "range", low=-180, high=180)
            quantities: dict[str, int] = {}
            raw_q = item.get(qty_key, {})
            if not isinstance(raw_q, Mapping) or len(raw_q) > MAX_KINDS:
                err(f"{path}.{qty_key}", "not_an_object")
                raw_q = {}
            for kind, value in raw_q.items():
                q = _quantity(value)
                if not isinstance(kind, str) or not kind.strip() or len(kind) > 64:
                    err(f"{path}.{qty_key}", "kind_required")
                elif q is None or q < 0 or q > MAX_QUANTITY:
                    err(f"{path}.{qty_key}.{kind}", "quantity", high=MAX_QUANTITY)
                elif q:
                    quantities[kind] = quantities.get(kind, 0) + q
            priority = _quantity(item.get("priority", 1))
            if priority is None or not 1 <= priority <= MAX_PRIORITY:
                err(f"{path}.priority", "range", low=1, high=MAX_PRIORITY)
                priority = 1
            readiness = _number(item.get("readiness_minutes", 0))
            if readiness is None or not 0 <= readiness <= 7 * 24 * 60:
                err(f"{path}.readiness_minutes", "range", low=0, high=7 * 24 * 60)
                readiness = 0.0
            name = item.get("name") or sid
            out.append(
                Site(
                    id=sid,
                    name=str(name)[:200],
                    lat=lat or 0.0,
                    lon=lon or 0.0,
                    quantities=quantities,
                    priority=priority,
                    readiness=readiness,
                )
            )
        return out

    incidents = sites("incidents", "demands")
    warehouses = sites("warehouses", "stocks")
    if len(incidents) * len(warehouses) > MAX_PAIRS:
        err("warehouses", "too_many_pairs", n=MAX_PAIRS)
    if len({k for s in incidents for k in s.quantities}) > MAX_DEMANDED_KINDS:
        err("incidents", "too_many_kinds", n=MAX_DEMANDED_KINDS)
    routes: dict[tuple[str, str], Route | None] = {}
    raw_routes = data.get("routes") or []
    if not isinstance(raw_routes, list):
        err("routes", "not_a_list")
        raw_routes = []
    inc_ids = {s.id for s in incidents}
    wh_ids = {s.id for s in warehouses}
    for n, item in enumerate(raw_routes):
        path = f"routes[{n}]"
        if not isinstance(item, Mapping):
            err(path, "not_an_object")
            continue
        w, i = str(item.get("warehouse", "")), str(item.get("incident", ""))
        if w not in wh_ids:
            err(f"{path}.warehouse", "unknown", id=w)
        if i not in inc_ids:
            err(f"{path}.incident", "unknown", id=i)
        if item.get("reachable", True) is False:
            routes[(w, i)] = None
            continue
        km, minutes = _number(item.get("km")), _quantity(item.get("minutes"))
        if km is None or km < 0:
            err(f"{path}.km", "positive")
        if minutes is None or minutes < 0:
            err(f"{path}.minutes", "positive")
        if km is not None and minutes is not None:
            routes[(w, i)] = Route(km=km, minutes=minutes)
    if errors:
        raise ProblemError(errors)
    return Problem(
        objective=str(objective),
        incidents=incidents,
        warehouses=warehouses,
        detour=detour,
        speed_kmh=speed,
        max_km=max_km,
        routes=routes,
    )


# --- costs --------------------------------------------------------------------------------


def leg(problem: Problem, w: Site, i: Site) -> tuple[Route, int] | None:
    """The route of a pair (road km, minutes incl. readiness) and its integer unit cost
    (metres or seconds), or None when the pair cannot be served."""
    if (w.id, i.id) in problem.routes:
        route = problem.routes[(w.id, i.id)]
        if route is None:
            return None
        seconds = route.minutes * 60
    else:
        straight = haversine_km(w.lat, w.lon, i.lat, i.lon)
        road = straight * problem.detour
        minutes = eta_minutes(
            straight, speed_kmh=problem.speed_kmh, detour=problem.detour, readiness=w.readiness
        )
        route = Route(km=road, minutes=minutes)
        seconds = round((w.readiness * 60) + road / problem.speed_kmh * 3600)
    if problem.max_km is not None and route.km > problem.max_km:
        return None
    unit = round(route.km * 1000) if problem.objective == "distance" else seconds
    return route, unit


# --- the flow -----------------------------------------------------------------------------

UNMET, SPARE = ("unmet",), ("spare",)


def _near_edges(
    stocks: dict[int, int], demands: dict[int, int], costs: dict[tuple[int, int], int]
) -> list[tuple[int, int]]:
    """The shipping edges that can matter (see the module's docstring, "Reduction").

    For incident i, rank the warehouses that can reach it by (unit cost, index) and keep
    the shortest prefix N_i whose stock covers the kind's total demand D (all of them if
    none does). Proof that some optimal flow uses only kept edges: take an optimal flow
    that ships a unit w→i with w outside N_i. All warehouses together ship at most D
    units, one of them from w, so N_i ships at most D − 1 < stock(N_i): some u in N_i has
    a unit left. Shipping that unit u→i instead of w→i changes the cost by
    c(u,i) − c(w,i) ≤ 0 (u ranks before w) and leaves every other flow and the unmet
    amounts as they were. Repeating empties every dropped edge without raising the cost."""
    total = sum(demands.values())
    by_incident: dict[int, list[tuple[int, int]]] = {i: [] for i in demands}
    for (w, i), c in costs.items():
        by_incident[i].append((c, w))
    kept: list[tuple[int, int]] = []
    for i, options in by_incident.items():
        options.sort()
        covered = 0
        for _, w in options:
            kept.append((w, i))
            covered += stocks[w]
            if covered >= total:
                break
    return kept


def _solve_kind(
    stocks: dict[int, int],
    demands: dict[int, int],
    costs: dict[tuple[int, int], int],
    priorities: dict[int, int],
    big: int,
) -> tuple[dict[tuple[int, int], int], int]:
    """One kind's flow: {(warehouse index, incident index): quantity}, and the number of
    shipping edges kept in its graph."""
    graph = nx.DiGraph()
    total_stock, total_demand = sum(stocks.values()), sum(demands.values())
    graph.add_node(UNMET, demand=-total_demand)
    graph.add_node(SPARE, demand=total_stock)
    # The unmet supply that goes to no incident ends at the spare node (for free).
    graph.add_edge(UNMET, SPARE, weight=0)
    for w, s in stocks.items():
        graph.add_node(("w", w), demand=-s)
        graph.add_edge(("w", w), SPARE, weight=0)
    for i, d in demands.items():
        graph.add_node(("i", i), demand=d)
        graph.add_edge(UNMET, ("i", i), weight=big * priorities[i])
    kept = _near_edges(stocks, demands, costs)
    for w, i in kept:
        graph.add_edge(("w", w), ("i", i), weight=costs[(w, i)])
    _, flow = nx.network_simplex(graph)
    shipped = {}
    for w, i in kept:
        q = flow[("w", w)][("i", i)]
        if q:
            shipped[(w, i)] = q
    return shipped, len(kept)


def solve(data: Any) -> dict[str, Any]:
    """Parse and solve; the result as JSON-ready data (see `result`)."""
    return result(parse(data))


def result(problem: Problem) -> dict[str, Any]:
    incidents, warehouses = problem.incidents, problem.warehouses
    kinds = sorted({k for s in incidents for k in s.quantities})
    # Pair costs are shared by the kinds: computed once.
    legs: dict[tuple[int, int], tuple[Route, int]] = {}
    for wi, w in enumerate(warehouses):
        if not w.quantities:
            continue
        for ii, i in enumerate(incidents):
            if not i.quantities:
                continue
            found = leg(problem, w, i)
            if found is not None:
                legs[(wi, ii)] = found
    shipments: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    edges: dict[str, int] = {}
    for kind in kinds:
        demands = {n: s.quantities[kind] for n, s in enumerate(incidents) if s.quantities.get(kind)}
        stocks = {n: s.quantities[kind] for n, s in enumerate(warehouses) if s.quantities.get(kind)}
        costs = {(w, i): legs[(w, i)][1] for w in stocks for i in demands if (w, i) in legs}
        priorities = {i: incidents[i].priority for i in demands}
        shipped: dict[tuple[int, int], int] = {}
        if stocks and costs:
            nodes = len(stocks) + len(demands) + 2
            big = nodes * (max(costs.values()) + 1) + 1
            shipped, edges[kind] = _solve_kind(stocks, demands, costs, priorities, big)
        got: dict[int, int] = {}
        for (w, i), q in sorted(shipped.items()):
            route, unit = legs[(w, i)]
            got[i] = got.get(i, 0) + q
            shipments.append(
                {
                    "warehouse": warehouses[w].id,
                    "incident": incidents[i].id,
                    "kind": kind,
                    "quantity": q,
                    "km": round(route.km, 2),
                    "minutes": route.minutes,
                    "unit_cost": unit,
                    "cost": _cost(problem.objective, q * unit),
                }
            )
        for i, d in demands.items():
            lines.append(
                {
                    "incident": incidents[i].id,
                    "kind": kind,
                    "demanded": d,
                    "allocated": got.get(i, 0),
                    "short": d - got.get(i, 0),
                }
            )
    order = {s.id: n for n, s in enumerate(incidents)}
    lines.sort(key=lambda r: (order[r["incident"]], r["kind"]))
    arrival: dict[str, int | None] = {s.id: None for s in incidents}
    for s in shipments:
        before = arrival[s["incident"]]
        arrival[s["incident"]] = s["minutes"] if before is None else max(before, s["minutes"])
    demanded = sum(r["demanded"] for r in lines)
    allocated = sum(r["allocated"] for r in lines)
    return {
        "objective": problem.objective,
        "cost_unit": "km" if problem.objective == "distance" else "minutes",
        "shipments": shipments,
        "lines": lines,
        "unmet": [r for r in lines if r["short"] > 0],
        "arrival_minutes": arrival,
        "totals": {
            "demanded": demanded,
            "allocated": allocated,
            "short": demanded - allocated,
            "cost": _cost(
                problem.objective, sum(s["quantity"] * s["unit_cost"] for s in shipments)
            ),
            "shipments": len(shipments),
        },
        "edges": edges,
    }


def _cost(objective: str, scaled: int) -> float:
    # Back from metres to km, or from seconds to minutes.
    return round(scaled / 1000, 3) if objective == "distance" else round(scaled / 60, 2)


def kinds_of(sites: Iterable[Site]) -> list[str]:
    return sorted({k for s in sites for k in s.quantities})
