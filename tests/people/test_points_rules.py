"""The pure points rules: the policy file, each rule's figure, the training cap, the
ranking with ties."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from anjian.people import points_rules as pr


@pytest.fixture
def pol() -> pr.Policy:
    return pr.load_policy()


def test_given_the_shipped_file_when_loaded_then_it_is_the_local_policy(pol):
    assert pol.fixed == {"hazard_report": 10, "self_check_finding": 5, "drill": 3}
    assert (pol.per_hour, pol.cap_per_year) == (1, 40)
    assert pol.violation == {"minor": -5, "ordinary": -10, "serious": -20}
    assert "local" in pol.about


def test_given_another_file_when_named_by_the_environment_then_it_is_used(tmp_path, monkeypatch):
    data = json.loads(pr.DEFAULT_PATH.read_text(encoding="utf-8"))
    data["rules"]["drill"]["points"] = 8
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("ANJIAN_POINTS_RULES", str(path))
    assert pr.fixed_points(pr.load_policy(), pr.DRILL) == 8


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["drill"].update(points=-3),
        lambda r: r["drill"].update(points="3"),
        lambda r: r["violation"]["by_severity"].update(minor=5),
        lambda r: r["manual"].update(min=1),
        lambda r: r["training_hours"].update(per_hour=True),
        lambda r: r.pop("violation"),
    ],
)
def test_given_a_bad_figure_when_parsed_then_it_is_refused(change):
    data = json.loads(pr.DEFAULT_PATH.read_text(encoding="utf-8"))
    change(data["rules"])
    with pytest.raises((pr.RuleError, KeyError, AttributeError)):
        pr.parse_policy(data)


def test_given_a_violation_when_priced_then_by_severity_and_unknown_refused(pol):
    assert pr.violation_points(pol, "serious") == -20
    with pytest.raises(pr.RuleError):
        pr.violation_points(pol, "fatal")


@pytest.mark.parametrize("points", [0, 51, -51, "5", 2.5, True, None])
def test_given_a_manual_figure_out_of_bounds_when_checked_then_refused(pol, points):
    with pytest.raises(pr.RuleError):
        pr.manual_points(pol, points)


@pytest.mark.parametrize("points", [1, -1, 50, -50])
def test_given_a_manual_figure_at_the_bounds_when_checked_then_kept(pol, points):
    assert pr.manual_points(pol, points) == points


@pytest.mark.parametrize(
    ("hours", "earned", "expected"),
    [
        (Decimal("8"), 0, 8),
        (Decimal("7.9"), 0, 7),  # whole hours only
        (Decimal("8"), 35, 5),  # the year's cap
        (Decimal("8"), 40, 0),
        (Decimal("8"), 45, 0),
        (0, 0, 0),
    ],
)
def test_given_training_hours_when_priced_then_whole_hours_up_to_the_cap(
    pol, hours, earned, expected
):
    assert pr.training_points(pol, hours, earned) == expected


def test_given_negative_hours_when_priced_then_refused(pol):
    with pytest.raises(pr.RuleError):
        pr.training_points(pol, -1, 0)


def test_given_balances_when_ranked_then_ties_share_a_rank():
    ranked = pr.ranking([("a", 5), ("b", 12), ("c", 5), ("d", -3)])
    assert [(r.rank, r.key, r.points) for r in ranked] == [
        (1, "b", 12),
        (2, "a", 5),
        (2, "c", 5),
        (4, "d", -3),
    ]
    assert pr.reversal_points(7) == -7 and pr.balance([3, -1]) == 2
