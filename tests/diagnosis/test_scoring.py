"""The pure score: 100 − Σ capped deductions, exact arithmetic, the class by the guide's
bands with exact edges, direct red whatever the score, and the data file's promises."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from itertools import pairwise

import pytest

from anjian.diagnosis import scoring
from tests.diagnosis.conftest import deductions_for

GUIDE = scoring.load_guide()


@pytest.mark.parametrize(
    ("score", "colour"),
    [
        ("0", "red"),
        ("59.99", "red"),
        ("60", "orange"),
        ("74.99", "orange"),
        ("75", "yellow"),
        ("89.99", "yellow"),
        ("90", "blue"),
        ("100", "blue"),
    ],
)
def test_given_a_score_on_or_near_an_edge_when_classified_then_the_guides_band(score, colour):
    assert scoring.classify(score) == colour
    result = scoring.score(deductions_for(score))
    assert (scoring.number_text(result.score), result.colour) == (score, colour)


def test_given_deductions_summing_to_40_01_when_scored_then_exactly_59_99_red():
    # 0.1 + 0.2 in floats is 0.30000000000000004; in hundredths of points it must not drift.
    result = scoring.score(
        {
            "major_hazard": "10",
            "substance_hazard": "0.1",
            "hazardous_processes": "10",
            "fire_explosion": "0.2",
            "surroundings": "9.71",
            "personnel": "10",
        }
    )
    assert result.score == Decimal("59.99") and result.colour == "red"
    assert result.total_deduction == Decimal("40.01")


def test_given_a_deduction_above_its_items_points_when_scored_then_capped_there():
    result = scoring.score({"major_hazard": "14", "equipment": 9})
    rows = {d.code: d for d in result.deductions}
    assert (rows["major_hazard"].counted, rows["major_hazard"].capped) == (10, True)
    assert (rows["equipment"].counted, rows["equipment"].capped) == (5, True)
    assert result.score == 85 and result.colour == "yellow"


def test_given_every_item_at_its_points_when_scored_then_0_never_below():
    everything = {i.code: "999" for i in GUIDE.scored_items}
    result = scoring.score(everything)
    assert result.score == 0 and result.colour == "red"


def test_given_no_deduction_when_scored_then_100_blue_and_every_item_listed():
    result = scoring.score({})
    assert (result.score, result.colour) == (100, "blue")
    assert [d.code for d in result.deductions] == [i.code for i in GUIDE.scored_items]
    assert result.reason.startswith("总分 100 分")


@pytest.mark.parametrize("code", [s.code for s in GUIDE.verified_situations])
def test_given_a_direct_red_situation_when_score_is_100_then_red_and_the_reason_names_it(code):
    result = scoring.score({}, [code])
    assert (result.colour, result.score_colour, result.score) == ("red", "blue", 100)
    assert result.direct_red == (code,)
    assert GUIDE.situation(code).text.rstrip("；;。") in result.reason
    assert "按分数为蓝色" in result.reason and "Red directly" in result.reason_en


def test_given_the_same_situation_twice_when_scored_then_listed_once():
    result = scoring.score({}, ["accident_record", "undesigned_unit", "accident_record"])
    assert result.direct_red == ("undesigned_unit", "accident_record")


@pytest.mark.parametrize(
    ("deductions", "code"),
    [
        ({"major_hazard": "abc"}, "not_number"),
        ({"major_hazard": "NaN"}, "not_number"),
        ({"major_hazard": "Infinity"}, "not_number"),
        ({"major_hazard": True}, "not_number"),
        ({"major_hazard": [1]}, "not_number"),
        ({"major_hazard": "-1"}, "negative"),
        ({"no_such_item": "1"}, "unknown_item"),
        ({"standardisation": "2"}, "not_scored"),
    ],
)
def test_given_a_bad_deduction_when_scored_then_refused_with_its_code(deductions, code):
    with pytest.raises(scoring.DiagnosisInputError) as refused:
        scoring.score(deductions)
    assert refused.value.code == code
    assert refused.value.message("zh-hans") and refused.value.message("en")


def test_given_an_unknown_situation_when_scored_then_refused():
    with pytest.raises(scoring.DiagnosisInputError) as refused:
        scoring.score({}, ["moon_landing"])
    assert (refused.value.code, refused.value.field) == ("unknown_situation", "direct_red")


def test_given_many_problems_when_checked_then_every_one_by_field():
    problems = scoring.check(
        {
            "major_hazard": "11",
            "equipment": "-2",
            "personnel": "x",
            "accidents": "1.234",
            "surroundings": "2.5",
        },
        ["nope"],
    )
    assert {(p.field, p.code) for p in problems} == {
        ("major_hazard", "above_max"),
        ("equipment", "negative"),
        ("personnel", "not_number"),
        ("accidents", "too_precise"),
        ("direct_red", "unknown_situation"),
    }


def test_given_blank_and_numeric_forms_when_parsed_then_exact_decimals():
    assert scoring.parse_points("", "x") == 0
    assert scoring.parse_points(None, "x") == 0
    assert scoring.parse_points(" 2.50 ", "x") == Decimal("2.5")
    assert scoring.parse_points(0.1, "x") == Decimal("0.1")
    assert scoring.parse_points(3, "x") == 3


def test_given_a_score_outside_0_100_when_classified_then_refused():
    for bad in ("-0.01", "100.01"):
        with pytest.raises(scoring.DiagnosisInputError) as refused:
            scoring.classify(bad)
        assert refused.value.code == "score_range"


# --- the data file --------------------------------------------------------------------------


def test_given_the_guide_data_then_scored_points_sum_to_100_and_bands_tile_0_100():
    assert sum(i.max_deduction for i in GUIDE.scored_items) == GUIDE.total == 100
    bands = GUIDE.bands
    assert [b.colour for b in bands] == ["red", "orange", "yellow", "blue"]
    assert bands[0].lower is None and bands[-1].upper is None
    for lower, upper in pairwise(bands):
        assert lower.upper == upper.lower
    assert [(b.lower, b.upper) for b in bands[1:3]] == [(60, 75), (75, 90)]


def test_given_the_guide_data_then_every_entry_is_sourced_and_verification_is_said():
    raw = json.loads((scoring.DATA_DIR / "guide2018.json").read_text(encoding="utf-8"))
    assert raw["official_text_found"] is False and raw["document_number"] is None
    assert "UNCONFIRMED" in raw["document_number_note"]
    assert raw["missing"]
    for entry in raw["items"] + raw["direct_red"]:
        assert entry["sources"] and set(entry["sources"]) <= set(raw["sources"])
        assert isinstance(entry["verified"], bool) and entry["confidence"]
    assert len(raw["direct_red"]) == 4  # the guide names four (standards.md A11.1)
    # Bonus rules are carried as text, never scored.
    for item in GUIDE.items:
        if item.max_deduction is None:
            assert not item.scored and all(r.kind == "bonus" for r in item.rules)
    assert any(r.kind == "bonus" for i in GUIDE.scored_items for r in i.rules)


def test_given_an_unknown_guide_name_when_loaded_then_refused():
    with pytest.raises(scoring.DiagnosisInputError):
        scoring.load_guide("../etc/passwd")


def test_given_the_pure_module_then_no_django_import():
    tree = ast.parse((scoring.DATA_DIR.parent / "scoring.py").read_text(encoding="utf-8"))
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(m.split(".")[0] in {"django", "anjian"} for m in modules)
