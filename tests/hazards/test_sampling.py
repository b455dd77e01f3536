"""The re-check sample, pure (anjian.hazards.sampling)."""

import datetime as dt
import json
from collections import Counter

import pytest

from anjian.hazards import sampling
from anjian.hazards.sampling import ClosedHazard, Policy

TODAY = dt.date(2026, 11, 1)
CLOSED = TODAY - dt.timedelta(days=60)  # inside the default window (30..180 days ago)


def hz(i: int, level: str = "general", colour: str = "blue", closed_on=CLOSED) -> ClosedHazard:
    return ClosedHazard(i, level, colour, closed_on)


def ids(picks, reason=None):
    return sorted(p.id for p in picks if reason is None or p.reason == reason)


def test_given_major_and_general_when_sampled_then_all_major_are_in():
    hazards = [hz(i, "major") for i in range(1, 6)] + [hz(i) for i in range(6, 106)]
    picks = sampling.sample(hazards, Policy(general_share=0.1), today=TODAY, seed=1)
    assert ids(picks, "major") == [1, 2, 3, 4, 5]
    assert len(ids(picks, "general_share")) == 10  # 10 % of 100 general


def test_given_a_share_when_sampled_then_ceil_of_share_times_eligible():
    assert sampling.general_count(0, 0.1) == 0
    assert sampling.general_count(5, 0.1) == 1  # rounded up: a small county still gets one
    assert sampling.general_count(10, 0.1) == 1
    assert sampling.general_count(11, 0.1) == 2
    assert sampling.general_count(30, 0.1) == 3  # 0.1 * 30 = 3.0000000000000004 is 3
    assert sampling.general_count(7, 1.0) == 7
    assert sampling.general_count(7, 0.0) == 0


def test_given_the_same_seed_when_sampled_twice_in_any_order_then_the_same_sample():
    hazards = [hz(i, colour=("red", "blue", "yellow")[i % 3]) for i in range(1, 201)]
    one = sampling.sample(hazards, Policy(), today=TODAY, seed=42)
    two = sampling.sample(list(reversed(hazards)), Policy(), today=TODAY, seed=42)
    assert one == two
    other = sampling.sample(hazards, Policy(), today=TODAY, seed=43)
    assert ids(one) != ids(other)


def test_given_colour_weights_when_sampled_often_then_red_enterprises_drawn_more():
    hazards = [hz(i, colour="red") for i in range(1, 51)] + [
        hz(i, colour="blue") for i in range(51, 101)
    ]
    counts: Counter = Counter()
    for seed in range(300):
        for p in sampling.sample(hazards, Policy(general_share=0.1), today=TODAY, seed=seed):
            counts[p.colour] += 1
    # weight 4 against 1: red must dominate clearly
    assert counts["red"] > 2.5 * counts["blue"]


def test_given_equal_weights_when_sampled_often_then_no_colour_favoured():
    policy = Policy(general_share=0.1, colour_weights={"red": 1, "blue": 1})
    hazards = [hz(i, colour="red") for i in range(1, 51)] + [
        hz(i, colour="blue") for i in range(51, 101)
    ]
    counts: Counter = Counter()
    for seed in range(300):
        for p in sampling.sample(hazards, policy, today=TODAY, seed=seed):
            counts[p.colour] += 1
    assert 0.8 < counts["red"] / counts["blue"] < 1.25


def test_given_hazards_rechecked_in_window_when_sampled_then_never_again():
    hazards = [hz(1, "major"), hz(2, "major")] + [hz(i) for i in range(3, 13)]
    picks = sampling.sample(
        hazards, Policy(general_share=1.0), today=TODAY, seed=1, already={1, 3, 4}
    )
    assert ids(picks) == [2, *range(5, 13)]


def test_given_closing_dates_when_sampled_then_only_the_window():
    policy = Policy(window_days=180, min_days_closed=30)
    start, end = policy.window(TODAY)
    hazards = [
        hz(1, "major", closed_on=start),  # first day in
        hz(2, "major", closed_on=start - dt.timedelta(days=1)),  # too old
        hz(3, "major", closed_on=end),  # last day in
        hz(4, "major", closed_on=end + dt.timedelta(days=1)),  # closed too recently
    ]
    assert ids(sampling.sample(hazards, policy, today=TODAY, seed=0)) == [1, 3]


def test_given_unknown_colour_when_weighted_then_default_weight():
    policy = Policy(default_weight=2.5)
    assert policy.weight("") == 2.5
    assert policy.weight("red") == 4.0


def test_given_the_data_file_when_loaded_then_valid_policy_with_red_heaviest():
    policy = sampling.load_policy()
    w = policy.colour_weights
    assert w["red"] > w["orange"] > w["yellow"] > w["blue"] > 0
    assert 0 < policy.general_share <= 1
    assert json.loads(sampling.POLICY_FILE.read_text(encoding="utf-8"))["_about"]


@pytest.mark.parametrize(
    "change",
    [
        {"general_share": 1.5},
        {"general_share": -0.1},
        {"colour_weights": {"red": 0}},
        {"window_days": 0},
        {"min_days_closed": 400},
        {"general_share": "lots"},
    ],
)
def test_given_a_bad_policy_when_loaded_then_refused(change):
    data = {**Policy().as_dict(), **change}
    with pytest.raises(sampling.PolicyError):
        sampling.policy_from(data)
