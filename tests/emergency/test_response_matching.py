"""Pure matching (anjian.emergency.matching): a hand-checked small case of distances,
ETA rounding, the speciality order and which supplies count."""

from __future__ import annotations

import datetime as dt
import math

from anjian.emergency import geo, matching
from anjian.emergency.matching import Located, SupplyRow

# The incident at 30.000000 N, 120.000000 E. One hundredth of a degree of latitude is
# 2π·6371.0088/36000 = 1.111951 km; due north keeps the longitude, so that is exact.
LAT, LON = 30.0, 120.0
KM_PER_DEG = 2 * math.pi * geo.EARTH_RADIUS_KM / 360  # 111.19508 km


def north(km: float) -> float:
    return LAT + km / KM_PER_DEG


def test_given_points_due_north_when_measured_then_the_hand_computed_distance_and_eta():
    # 10 km due north: 10 × 1.3 / 40 h = 19.5 min → 20 (rounded up), plus 5 min turn-out.
    km = geo.haversine_km(LAT, LON, north(10), LON)
    assert round(km, 6) == 10.0
    assert geo.eta_minutes(km) == 20
    assert geo.eta_minutes(km, readiness=5) == 25
    # 20 km: exactly 39 min, not rounded up to 40.
    assert geo.eta_minutes(20.0) == 39
    # A hair over a whole minute is the next minute.
    assert geo.eta_minutes(20.0 + 1e-6) == 40


def test_given_a_fire_when_teams_rank_then_fire_teams_first_by_arrival_then_the_rest():
    rows = [
        Located(1, north(2), LON, readiness=5, specialities=("medical",)),  # 2 km, 9 min
        Located(2, north(10), LON, readiness=5, specialities=("fire",)),  # 25 min
        Located(3, north(6), LON, readiness=20, specialities=("fire", "chemical")),  # 32 min
        Located(4, north(12), LON, readiness=0, specialities=("water",)),  # 24 min
        Located(5, north(30), LON, readiness=0, specialities=("fire",)),  # 59 min
    ]
    ranked = matching.rank_by_speciality(LAT, LON, rows, "08", limit=4)
    assert [(m.key, m.fits) for m in ranked] == [(2, True), (3, True), (5, True), (1, False)]
    assert [m.minutes for m in ranked] == [25, 32, 59, 9]
    assert [m.km for m in ranked] == [10.0, 6.0, 30.0, 2.0]


def test_given_the_readiness_when_two_teams_are_equally_far_then_the_readier_comes_first():
    rows = [
        Located(1, north(10), LON, readiness=15, specialities=("chemical",)),
        Located(2, north(10), LON, readiness=3, specialities=("gas",)),
    ]
    ranked = matching.rank_by_speciality(LAT, LON, rows, "19", limit=5)
    assert [m.key for m in ranked] == [2, 1]
    assert [m.minutes for m in ranked] == [23, 35]


def test_given_the_speciality_table_when_read_then_the_issue_examples_hold():
    assert matching.specialities_for("08") == ("fire",)
    assert set(matching.specialities_for("19")) == {"chemical", "gas", "medical"}
    assert set(matching.specialities_for("17")) == {"fire", "chemical"}
    assert set(matching.specialities_for("18")) == {"fire", "chemical"}
    assert set(matching.specialities_for("12")) == {"mine", "water"}
    assert matching.specialities_for("11") == ("mine",)
    assert matching.specialities_for("15") == ("mine",)
    assert matching.specialities_for("10") == ("collapse",)
    assert matching.specialities_for("06") == ("water",)
    assert "electric" in matching.specialities_for("05")
    assert matching.specialities_for("01") == ("medical",)


def test_given_an_unlisted_type_when_teams_rank_then_medical_first_and_any_team_fills():
    rows = [
        Located(1, north(1), LON, specialities=("fire",)),
        Located(2, north(5), LON, specialities=("medical",)),
    ]
    ranked = matching.rank_by_speciality(LAT, LON, rows, "09", limit=5)
    assert [(m.key, m.fits) for m in ranked] == [(2, True), (1, False)]


def test_given_supplies_when_warehouses_rank_then_expired_scrapped_maintained_and_empty_do_not_count():
    today = dt.date(2026, 12, 4)
    serving = matching.kinds_serving([(1, ["19", "18"]), (2, ["08"]), (3, [])], "19")
    assert serving == {1}
    rows = [
        SupplyRow(10, north(3), LON, 1, 5, "good", today),  # expires today: still good
        SupplyRow(10, north(3), LON, 1, 7, "good", None),
        SupplyRow(10, north(3), LON, 2, 9, "good", None),  # a kind that does not serve 19
        SupplyRow(20, north(1), LON, 1, 50, "scrapped", None),
        SupplyRow(30, north(2), LON, 1, 50, "good", today - dt.timedelta(days=1)),  # expired
        SupplyRow(40, north(2), LON, 1, 50, "maintenance", None),
        SupplyRow(50, north(8), LON, 1, 0, "good", None),  # none left
        SupplyRow(60, north(8), LON, 1, 4, "good", None),
    ]
    ranked = matching.rank_warehouses(LAT, LON, rows, serving, today, limit=10)
    assert [(m.key, m.supplies) for m in ranked] == [(10, {1: 12}), (60, {1: 4})]
    assert [m.km for m in ranked] == [3.0, 8.0]
    # 3 km × 1.3 / 40 km/h = 5.85 min → 6; 8 km → 15.6 → 16.
    assert [m.minutes for m in ranked] == [6, 16]
    assert matching.warehouses_holding(rows, serving, today) == 2


def test_given_shelters_when_ranked_then_by_distance():
    rows = [Located(1, north(5), LON), Located(2, north(1), LON), Located(3, north(3), LON)]
    assert [m.key for m in matching.rank_by_distance(LAT, LON, rows, 2)] == [2, 3]


def test_given_a_road_provider_answer_when_reranked_then_fitting_first_then_by_its_minutes():
    ranked = [
        matching.Match(1, 2.0, 9, True),
        matching.Match(2, 3.0, 10, True),
        matching.Match(3, 1.0, 5, False),
    ]
    again = matching.rerank(ranked, {1: (9.5, 30), 2: (3.2, 11), 3: (1.0, 2)})
    assert [(m.key, m.km, m.minutes) for m in again] == [(2, 3.2, 11), (1, 9.5, 30), (3, 1.0, 2)]
