"""The pure allocation solver (anjian.emergency.allocation): a hand-solved case, shortages,
several kinds, zero demand, unreachable and empty warehouses, input errors, and a property
test against brute-force enumeration."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anjian.emergency import allocation as alloc
from anjian.emergency.geo import haversine_km


def site(sid: str, lat: float = 30.0, lon: float = 120.0, **q: int) -> dict:
    return {"id": sid, "lat": lat, "lon": lon, "quantities": q}


def problem(incidents: list[dict], warehouses: list[dict], routes=None, **extra) -> dict:
    return {
        "objective": extra.pop("objective", "distance"),
        "incidents": [
            {
                "id": s["id"],
                "lat": s["lat"],
                "lon": s["lon"],
                "demands": s["quantities"],
                **s.get("x", {}),
            }
            for s in incidents
        ],
        "warehouses": [
            {"id": s["id"], "lat": s["lat"], "lon": s["lon"], "stocks": s["quantities"]}
            for s in warehouses
        ],
        "routes": routes or [],
        **extra,
    }


def km_routes(table: dict[tuple[str, str], float]) -> list[dict]:
    return [
        {"warehouse": w, "incident": i, "km": km, "minutes": round(km * 2)}
        for (w, i), km in table.items()
    ]


def shipped(result: dict) -> dict[tuple[str, str, str], int]:
    return {(s["warehouse"], s["incident"], s["kind"]): s["quantity"] for s in result["shipments"]}


def test_given_the_hand_solved_case_when_solved_then_the_optimum_beats_greedy_nearest():
    # Two warehouses W1, W2 with 10 units each; two incidents I1, I2 needing 10 each.
    # Road km:      I1   I2
    #          W1    1    2
    #          W2    3   10
    # Greedy nearest (I1 first): I1 ← W1 (10 × 1), I2 ← W2 (10 × 10) = 110 km·units.
    # By hand: let x = W1→I1; then W1→I2 = 10−x, W2→I1 = 10−x, W2→I2 = x and the cost is
    # x + 2(10−x) + 3(10−x) + 10x = 50 + 6x, least at x = 0: I1 ← W2, I2 ← W1, 50.
    data = problem(
        [site("I1", sand=10), site("I2", sand=10)],
        [site("W1", sand=10), site("W2", sand=10)],
        km_routes({("W1", "I1"): 1, ("W1", "I2"): 2, ("W2", "I1"): 3, ("W2", "I2"): 10}),
    )
    result = alloc.solve(data)
    assert shipped(result) == {("W2", "I1", "sand"): 10, ("W1", "I2", "sand"): 10}
    assert result["totals"]["cost"] == 50.0
    assert result["totals"]["short"] == 0 and result["unmet"] == []
    assert result["arrival_minutes"] == {"I1": 6, "I2": 4}


def test_given_the_same_case_by_time_when_minutes_differ_then_time_decides():
    # Same pairs, but W1→I2 is slow (a mountain road): 60 min; W2→I1 is 30 min, W1→I1
    # 2 min, W2→I2 20 min. Cost in minutes: x·2 + (10−x)·60 + (10−x)·30 + x·20 = 900 − 68x,
    # least at x = 10: I1 ← W1, I2 ← W2 (220 unit-minutes).
    routes = [
        {"warehouse": "W1", "incident": "I1", "km": 1, "minutes": 2},
        {"warehouse": "W1", "incident": "I2", "km": 2, "minutes": 60},
        {"warehouse": "W2", "incident": "I1", "km": 3, "minutes": 30},
        {"warehouse": "W2", "incident": "I2", "km": 10, "minutes": 20},
    ]
    data = problem(
        [site("I1", sand=10), site("I2", sand=10)],
        [site("W1", sand=10), site("W2", sand=10)],
        routes,
        objective="time",
    )
    result = alloc.solve(data)
    assert shipped(result) == {("W1", "I1", "sand"): 10, ("W2", "I2", "sand"): 10}
    assert result["totals"]["cost"] == 220.0
    assert result["cost_unit"] == "minutes"


def test_given_too_little_stock_when_solved_then_the_shortage_is_reported_per_incident():
    data = problem(
        [site("I1", sand=8), site("I2", sand=5)],
        [site("W1", sand=6)],
        km_routes({("W1", "I1"): 1, ("W1", "I2"): 2}),
    )
    result = alloc.solve(data)
    assert result["totals"] == {
        "demanded": 13,
        "allocated": 6,
        "short": 7,
        "cost": result["totals"]["cost"],
        "shipments": result["totals"]["shipments"],
    }
    # The nearest incident gets it all (6 × 1 km beats any split).
    assert shipped(result) == {("W1", "I1", "sand"): 6}
    assert {(u["incident"], u["short"]) for u in result["unmet"]} == {("I1", 2), ("I2", 5)}


def test_given_priorities_when_stock_is_short_then_the_higher_priority_is_served_first():
    data = problem(
        [site("I1", sand=5), {**site("I2", sand=5), "x": {"priority": 3}}],
        [site("W1", sand=5)],
        km_routes({("W1", "I1"): 1, ("W1", "I2"): 50}),
    )
    result = alloc.solve(data)
    assert shipped(result) == {("W1", "I2", "sand"): 5}
    assert [(u["incident"], u["short"]) for u in result["unmet"]] == [("I1", 5)]


def test_given_several_kinds_when_solved_then_each_kind_is_allocated_on_its_own():
    data = problem(
        [site("I1", sand=4, pump=1), site("I2", sand=2, mask=10)],
        [site("W1", sand=5, pump=2), site("W2", sand=5, mask=3)],
        km_routes({("W1", "I1"): 1, ("W1", "I2"): 5, ("W2", "I1"): 5, ("W2", "I2"): 1}),
    )
    result = alloc.solve(data)
    assert shipped(result) == {
        ("W1", "I1", "sand"): 4,
        ("W2", "I2", "sand"): 2,
        ("W1", "I1", "pump"): 1,
        ("W2", "I2", "mask"): 3,
    }
    assert [(u["incident"], u["kind"], u["short"]) for u in result["unmet"]] == [("I2", "mask", 7)]
    assert {(line["incident"], line["kind"]) for line in result["lines"]} == {
        ("I1", "pump"),
        ("I1", "sand"),
        ("I2", "mask"),
        ("I2", "sand"),
    }


def test_given_zero_demand_when_solved_then_nothing_is_shipped_and_nothing_is_short():
    data = problem([site("I1", sand=0)], [site("W1", sand=5)])
    result = alloc.solve(data)
    assert result["shipments"] == [] and result["unmet"] == [] and result["lines"] == []
    assert result["arrival_minutes"] == {"I1": None}


def test_given_an_unreachable_and_an_empty_warehouse_when_solved_then_neither_ships():
    data = problem(
        [site("I1", sand=5)],
        [site("near_but_cut_off", sand=100), site("empty"), site("far", 30.5, 120.0, sand=3)],
        [{"warehouse": "near_but_cut_off", "incident": "I1", "reachable": False}],
    )
    result = alloc.solve(data)
    assert shipped(result) == {("far", "I1", "sand"): 3}
    assert result["unmet"][0]["short"] == 2


def test_given_coordinates_when_solved_then_km_is_the_great_circle_times_the_detour():
    data = problem([site("I1", 30.0, 120.0, sand=1)], [site("W1", 30.1, 120.1, sand=1)])
    result = alloc.solve(data)
    (ship,) = result["shipments"]
    assert ship["km"] == pytest.approx(haversine_km(30.1, 120.1, 30.0, 120.0) * 1.3, abs=0.01)
    assert ship["minutes"] > 0


def test_given_max_km_when_the_only_warehouse_is_beyond_then_everything_is_short():
    data = problem([site("I1", 30.0, 120.0, sand=1)], [site("W1", 31.0, 120.0, sand=1)], max_km=10)
    result = alloc.solve(data)
    assert result["shipments"] == [] and result["unmet"][0]["short"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(objective="cheapest"), "objective"),
        (lambda d: d["incidents"][0]["demands"].update(sand=-1), "incidents[0].demands.sand"),
        (lambda d: d["incidents"][0]["demands"].update(sand=1.5), "incidents[0].demands.sand"),
        (lambda d: d["incidents"][0]["demands"].update(sand=True), "incidents[0].demands.sand"),
        (lambda d: d["warehouses"][0].update(lat=91), "warehouses[0].lat"),
        (lambda d: d["warehouses"][0].update(lon="east"), "warehouses[0].lon"),
        (lambda d: d["warehouses"][0].pop("lat"), "warehouses[0].lat"),
        (lambda d: d["warehouses"].append(dict(d["warehouses"][0])), "warehouses[1].id"),
        (lambda d: d.update(incidents=[]), "incidents"),
        (
            lambda d: d.update(
                routes=[{"warehouse": "X", "incident": "I1", "km": 1, "minutes": 1}]
            ),
            "routes[0].warehouse",
        ),
        (lambda d: d["incidents"][0].update(priority=0), "incidents[0].priority"),
        (lambda d: d.update(speed_kmh=0), "speed_kmh"),
    ],
)
def test_given_bad_input_when_parsed_then_the_field_is_named(change, field):
    data = problem([site("I1", sand=1)], [site("W1", sand=1)])
    change(data)
    with pytest.raises(alloc.ProblemError) as caught:
        alloc.parse(data)
    assert field in caught.value.errors


def test_given_not_an_object_when_parsed_then_it_is_refused():
    with pytest.raises(alloc.ProblemError):
        alloc.parse([1, 2])


def brute_force(stocks: list[int], demands: list[int], cost: list[list[int]]) -> tuple[int, int]:
    """(least total short, least cost at that short) over every integer allocation."""
    n_w, n_i = len(stocks), len(demands)
    best: tuple[int, int] | None = None
    ranges = [range(min(stocks[w], demands[i]) + 1) for w in range(n_w) for i in range(n_i)]
    for flat in itertools.product(*ranges):
        x = [flat[w * n_i : (w + 1) * n_i] for w in range(n_w)]
        if any(sum(x[w]) > stocks[w] for w in range(n_w)):
            continue
        got = [sum(x[w][i] for w in range(n_w)) for i in range(n_i)]
        if any(got[i] > demands[i] for i in range(n_i)):
            continue
        short = sum(demands) - sum(got)
        c = sum(x[w][i] * cost[w][i] for w in range(n_w) for i in range(n_i))
        if best is None or (short, c) < best:
            best = (short, c)
    assert best is not None
    return best


@settings(max_examples=60, deadline=None)
@given(
    n_w=st.integers(1, 3),
    n_i=st.integers(1, 2),
    data=st.data(),
)
def test_property_the_solver_matches_brute_force_on_tiny_cases(n_w, n_i, data):
    stocks = [data.draw(st.integers(0, 3)) for _ in range(n_w)]
    demands = [data.draw(st.integers(0, 3)) for _ in range(n_i)]
    cost = [[data.draw(st.integers(0, 20)) for _ in range(n_i)] for _ in range(n_w)]
    routes = [
        {"warehouse": f"W{w}", "incident": f"I{i}", "km": cost[w][i], "minutes": 1}
        for w in range(n_w)
        for i in range(n_i)
    ]
    result = alloc.solve(
        problem(
            [site(f"I{i}", k=demands[i]) for i in range(n_i)],
            [site(f"W{w}", k=stocks[w]) for w in range(n_w)],
            routes,
        )
    )
    assert (result["totals"]["short"], round(result["totals"]["cost"])) == brute_force(
        stocks, demands, cost
    )


def test_given_many_warehouses_when_reduced_then_the_cost_equals_the_full_graph(monkeypatch):
    """The near-edge reduction changes nothing: the same random case solved with every
    edge kept gives the same least cost."""
    import random

    rng = random.Random(3)
    incidents = [
        site(
            f"I{n}",
            30 + rng.random(),
            120 + rng.random(),
            a=rng.randint(0, 40),
            b=rng.randint(0, 40),
        )
        for n in range(6)
    ]
    warehouses = [
        site(
            f"W{n}",
            30 + rng.random(),
            120 + rng.random(),
            a=rng.randint(0, 15),
            b=rng.randint(0, 15),
        )
        for n in range(40)
    ]
    data = problem(incidents, warehouses)
    reduced = alloc.solve(data)
    monkeypatch.setattr(alloc, "_near_edges", lambda stocks, demands, costs: list(costs))
    full = alloc.solve(data)
    assert sum(full["edges"].values()) > sum(reduced["edges"].values())
    assert reduced["totals"] == full["totals"]


def test_given_too_many_pairs_when_parsed_then_the_size_is_refused(monkeypatch):
    monkeypatch.setattr(alloc, "MAX_PAIRS", 3)
    data = problem([site("I1", a=1), site("I2", a=1)], [site("W1", a=1), site("W2", a=1)])
    with pytest.raises(alloc.ProblemError) as caught:
        alloc.parse(data)
    assert caught.value.errors["warehouses"][0][0] == "too_many_pairs"
