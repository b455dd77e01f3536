"""The bulletin's ranking and the annual assessment (pure): linear 0-100 per indicator by
direction, weights renormalised over what a unit has, the veto, bands, shared ranks, the
worst named, and a policy file that is checked when loaded."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from anjian.reports import assessment as a


def profile(**over) -> a.Profile:
    data = {
        "indicators": [
            {"key": "on_time", "weight": "60", "direction": "higher"},
            {"key": "accidents", "weight": "40", "direction": "lower"},
        ],
        "veto": {"key": "larger", "at_least": 1, "reason": "发生较大及以上生产安全事故"},
        "bands": [
            {"from": "90", "label": "优秀"},
            {"from": "60", "label": "合格"},
            {"from": "0", "label": "不合格"},
        ],
        "name_worst": 1,
        **over,
    }
    return a.parse_profile("t", data)


def test_given_the_shipped_policy_then_both_profiles_load():
    profiles = a.load_profiles()
    assert set(profiles) == {"bulletin", "annual"}
    assert profiles["annual"].veto is not None and profiles["annual"].bands[-1].lower == 0
    # Process indicators count, not only accidents (the seed report's complaint).
    keys = {r.key for r in profiles["annual"].indicators}
    assert {"hazards_on_time_rate", "safety_investment", "persons_trained"} <= keys


def test_given_three_units_then_best_100_worst_0_and_linear_between():
    figures = {
        "A": {"on_time": Decimal("0.9"), "accidents": 0},
        "B": {"on_time": Decimal("0.6"), "accidents": 2},
        "C": {"on_time": Decimal("0.75"), "accidents": 4},
    }
    results = {r.unit: r for r in a.score(profile(), figures)}
    # A: 100*60 + 100*40 = 100; B: 0*60 + 50*40 → 20; C: 50*60 + 0*40 → 30.
    assert results["A"].score == 100
    assert results["B"].score == 20
    assert results["C"].score == 30
    assert [r.unit for r in a.score(profile(), figures)] == ["A", "C", "B"]
    assert (results["A"].band, results["C"].band) == ("优秀", "不合格")


def test_given_a_unit_without_a_figure_then_its_weights_are_renormalised():
    figures = {
        "A": {"on_time": Decimal("0.9"), "accidents": None},
        "B": {"on_time": Decimal("0.5"), "accidents": 1},
        "C": {"on_time": Decimal("0.7"), "accidents": 3},
    }
    results = {r.unit: r for r in a.score(profile(), figures)}
    assert results["A"].score == 100  # only on_time counts for A
    assert results["A"].parts[1].score is None
    # C: on_time 50 (×60) + accidents 0 (×40) = 30.
    assert results["C"].score == 30


def test_given_a_larger_accident_then_the_veto_puts_the_unit_last_whatever_else():
    figures = {
        "A": {"on_time": Decimal("1"), "accidents": 0, "larger": 1},
        "B": {"on_time": Decimal("0.5"), "accidents": 3, "larger": 0},
    }
    results = a.score(profile(), figures)
    assert [r.unit for r in results] == ["B", "A"]
    assert results[1].score == 0 and results[1].vetoed_because == "发生较大及以上生产安全事故"
    assert results[1].band == "不合格"
    assert [r.unit for r in a.worst(profile(), results)] == ["A"]


def test_given_equal_scores_then_they_share_a_rank_and_the_worst_includes_ties():
    figures = {
        "甲镇": {"on_time": Decimal("0.9"), "accidents": 0},
        "乙镇": {"on_time": Decimal("0.5"), "accidents": 2},
        "丙镇": {"on_time": Decimal("0.5"), "accidents": 2},
    }
    results = a.score(profile(), figures, names={"甲镇": "甲镇", "乙镇": "乙镇", "丙镇": "丙镇"})
    assert [r.rank for r in results] == [1, 2, 2]
    assert {r.unit for r in a.worst(profile(), results)} == {"乙镇", "丙镇"}


def test_given_all_equal_then_everyone_scores_100():
    scores = a.indicator_scores({"A": 3, "B": 3}, a.LOWER)
    assert scores == {"A": Fraction(100), "B": Fraction(100)}


def test_given_thirds_then_exact_until_rounded_half_up():
    scores = a.indicator_scores({"A": 0, "B": 1, "C": 3}, a.HIGHER)
    assert scores["B"] == Fraction(100, 3)
    assert a.round2(scores["B"]) == Decimal("33.33")
    assert a.round2(Fraction(2, 3) * 100) == Decimal("66.67")


@pytest.mark.parametrize(
    "bad",
    [
        {"indicators": []},
        {"indicators": [{"key": "x", "weight": "0", "direction": "higher"}]},
        {"indicators": [{"key": "x", "weight": "1", "direction": "up"}]},
        {"indicators": [{"key": "x", "weight": 1.5, "direction": "higher"}]},
        {"indicators": [{"key": "x", "weight": "1", "direction": "higher"}] * 2},
        {
            "indicators": [{"key": "x", "weight": "1", "direction": "higher"}],
            "bands": [{"from": "60", "label": "合格"}],
        },
        {"indicators": [{"key": "x", "weight": "1", "direction": "higher"}], "veto": {"key": "y"}},
    ],
)
def test_given_a_bad_policy_then_it_is_refused_when_loaded(bad, tmp_path):
    with pytest.raises(a.PolicyError):
        a.parse_profile("bad", bad)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"profiles": {"bad": bad}}), encoding="utf-8")
    with pytest.raises(a.PolicyError):
        a.load_profiles(path)


def test_given_a_bool_figure_then_refused():
    with pytest.raises(ValueError):
        a.indicator_scores({"A": True, "B": 1}, a.HIGHER)
