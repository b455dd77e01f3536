"""LEC, LS and MES (standards.md A1–A3) through their named, versioned profiles."""

import json
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anjian.risks import methods
from anjian.risks.methods import (
    LEC_C,
    LEC_E,
    LEC_L,
    LEVEL_RANK,
    LS_L,
    LS_S,
    MES_E,
    MES_M,
    MES_S,
    ProfileDataError,
    RiskInputError,
    classify,
    get_profile,
    lec,
    load_profiles,
    ls,
    mes,
    products,
    profiles,
    render_number,
)

COLOURS = {"重大": "red", "较大": "orange", "一般": "yellow", "低": "blue"}
D = Decimal

# (profile, score, class, level) on and just past every band edge of every profile.
EDGES = [
    # lec-5class-db (P1): classes 4 and 5 are both blue
    ("lec-5class-db", "320.01", 1, "重大"),
    ("lec-5class-db", "320", 2, "较大"),
    ("lec-5class-db", "160.01", 2, "较大"),
    ("lec-5class-db", "160", 3, "一般"),
    ("lec-5class-db", "70.01", 3, "一般"),
    ("lec-5class-db", "70", 4, "低"),
    ("lec-5class-db", "20.01", 4, "低"),
    ("lec-5class-db", "20", 5, "低"),
    ("lec-5class-db", "0.1", 5, "低"),
    # lec-5class-p2: classes 1 and 2 are both red
    ("lec-5class-p2", "320.01", 1, "重大"),
    ("lec-5class-p2", "320", 2, "重大"),
    ("lec-5class-p2", "160.01", 2, "重大"),
    ("lec-5class-p2", "160", 3, "较大"),
    ("lec-5class-p2", "70.01", 3, "较大"),
    ("lec-5class-p2", "70", 4, "一般"),
    ("lec-5class-p2", "20.01", 4, "一般"),
    ("lec-5class-p2", "20", 5, "低"),
    # lec-4level (S4)
    ("lec-4level", "320.01", 1, "重大"),
    ("lec-4level", "320", 2, "较大"),
    ("lec-4level", "160.01", 2, "较大"),
    ("lec-4level", "160", 3, "一般"),
    ("lec-4level", "70.01", 3, "一般"),
    ("lec-4level", "70", 4, "低"),
    ("lec-4level", "20", 4, "低"),
    # ls-v1 (S10): 20–25 / 9–16 / 4–8 / 1–3
    ("ls-v1", "25", 1, "重大"),
    ("ls-v1", "20", 1, "重大"),
    ("ls-v1", "16", 2, "较大"),
    ("ls-v1", "9", 2, "较大"),
    ("ls-v1", "8", 3, "一般"),
    ("ls-v1", "4", 3, "一般"),
    ("ls-v1", "3", 4, "低"),
    ("ls-v1", "1", 4, "低"),
    # ls-v2 (S11): 20–25 / 10–16 / 4–9 / 1–3
    ("ls-v2", "20", 1, "重大"),
    ("ls-v2", "16", 2, "较大"),
    ("ls-v2", "10", 2, "较大"),
    ("ls-v2", "9", 3, "一般"),
    ("ls-v2", "4", 3, "一般"),
    ("ls-v2", "3", 4, "低"),
    # ls-v3-db5: 20–25 A / 15–16 B / 9–12 C / 4–8 D / 1–3 E
    ("ls-v3-db5", "20", 1, "重大"),
    ("ls-v3-db5", "16", 2, "较大"),
    ("ls-v3-db5", "15", 2, "较大"),
    ("ls-v3-db5", "12", 3, "一般"),
    ("ls-v3-db5", "9", 3, "一般"),
    ("ls-v3-db5", "8", 4, "低"),
    ("ls-v3-db5", "4", 4, "低"),
    ("ls-v3-db5", "3", 5, "低"),
    ("ls-v3-db5", "1", 5, "低"),
    # mes-deployed (S8): ≥180 / 90–150 / 50–80 / 20–48 / ≤18
    ("mes-deployed", "180", 1, "重大"),
    ("mes-deployed", "150", 2, "重大"),
    ("mes-deployed", "90", 2, "重大"),
    ("mes-deployed", "80", 3, "较大"),
    ("mes-deployed", "50", 3, "较大"),
    ("mes-deployed", "48", 4, "一般"),
    ("mes-deployed", "20", 4, "一般"),
    ("mes-deployed", "18", 5, "低"),
    ("mes-deployed", "0.5", 5, "低"),
]


@pytest.mark.parametrize(("profile", "score", "class_number", "level"), EDGES)
def test_given_a_band_edge_when_classified_then_the_profiles_class_and_colour(
    profile, score, class_number, level
):
    method = get_profile_method(profile)
    result = classify(method, score, profile)
    assert (result.class_number, result.level) == (class_number, level)
    assert result.colour == COLOURS[level]
    assert (result.profile, result.profile_version) == (profile, "1")


def get_profile_method(name):
    return next(p.method for p in profiles() if p.name == name)


def test_given_every_profile_when_edges_listed_then_every_edge_is_tested():
    # Each finite bound of each band must appear above (the rows also test one side past it).
    tested = {(p, D(s)) for p, s, _, _ in EDGES}
    for profile in profiles():
        for band in profile.bands:
            for bound in (band.lower, band.upper):
                if bound is not None:
                    assert (profile.name, bound) in tested, (profile.name, bound)


# --- LEC on its value grid (A1.2)


def test_given_lec_d_20_when_computed_then_class_5_blue_as_the_gas_station_example():
    result = lec(1, "0.5", 40)
    assert (result.score_text, result.class_number, result.level, result.colour) == (
        "20",
        5,
        "低",
        "blue",
    )


def test_given_lec_d_70_when_computed_then_class_4_blue_by_default_and_yellow_in_p2():
    assert lec(1, 10, 7).class_number == 4 and lec(1, 10, 7).colour == "blue"
    assert lec(1, 10, 7, "lec-5class-p2").colour == "yellow"


def test_given_the_smallest_product_above_70_when_computed_then_yellow():
    above = min(p for p in products("lec") if p > 70)
    result = classify("lec", above)
    assert result.class_number == 3 and result.colour == "yellow"


def test_given_the_lec_grid_when_enumerated_then_only_20_and_70_sit_on_a_boundary():
    grid = {lv * ev * cv for lv in LEC_L for ev in LEC_E for cv in LEC_C}
    assert grid == set(products("lec"))
    assert {D(20), D(70), D(160), D(320)} & grid == {D(20), D(70)}


def test_given_small_factors_when_multiplied_then_exact_not_float():
    # 0.1·0.5·1 in float is 0.05 only by luck; 0.1·3 in float is 0.30000000000000004.
    assert lec("0.1", "0.5", 1).score == D("0.05")
    assert lec("0.1", 3, 1).score_text == "0.3"
    assert lec("0.2", "0.5", 1).score_text == "0.1"
    assert lec(10, 10, 100).score_text == "10000"


def test_given_float_or_trailing_zero_factors_when_computed_then_same_exact_score():
    assert lec(0.1, 3.0, 1).score_text == "0.3"
    assert lec("0.50", "6", "7").as_dict()["L"] == "0.5"


def test_given_lec_when_as_dict_then_the_cli_fields_are_there():
    out = lec(3, 6, 7).as_dict()
    assert out["score"] == "126" and out["class"] == 3 and out["level"] == "一般"
    assert out["colour"] == "yellow" and out["profile"] == "lec-5class-db"
    assert out["band"] == "(70, 160]"


# --- LS (A2)


def test_given_the_ls_grid_when_enumerated_then_the_fourteen_published_products():
    assert {int(p) for p in products("ls")} == {1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25}


def test_given_r_9_when_graded_by_the_three_ls_variants_then_orange_yellow_yellow():
    colours = [ls(3, 3, name).colour for name in ("ls-v1", "ls-v2", "ls-v3-db5")]
    assert colours == ["orange", "yellow", "yellow"]


def test_given_r_20_or_more_when_ls_default_then_red():
    assert ls(4, 5).colour == "red" and ls(5, 5).colour == "red"
    assert ls(4, 4).colour == "orange"


def test_given_ls_gaps_in_the_published_ranges_when_enumerated_then_no_product_falls_in_them():
    grid = {int(p) for p in products("ls")}
    assert not grid & {7, 11, 13, 14, 17, 18, 19, 21, 22, 23, 24}


# --- MES (A3)


def test_given_the_mes_grid_when_enumerated_then_no_product_sits_in_a_gap():
    gaps = [(D(18), D(20)), (D(48), D(50)), (D(80), D(90)), (D(150), D(180))]
    for product in products("mes"):
        assert not any(low < product < high for low, high in gaps), product


def test_given_mes_factors_when_computed_then_exact_score_and_level():
    assert mes(5, 10, 10).class_number == 1 and mes(5, 10, 10).colour == "red"
    assert mes(1, "0.5", 1).score_text == "0.5" and mes(1, "0.5", 1).colour == "blue"
    assert mes(3, 6, 8).score_text == "144" and mes(3, 6, 8).level == "重大"
    assert mes(1, 6, 8).score_text == "48" and mes(1, 6, 8).colour == "yellow"


# --- properties over every profile

PROFILE_NAMES = {m: [p.name for p in profiles(m)] for m in ("lec", "ls", "mes")}
TABLES = {"lec": (LEC_L, LEC_E, LEC_C), "ls": (LS_L, LS_S), "mes": (MES_M, MES_E, MES_S)}
CALLS = {"lec": lec, "ls": ls, "mes": mes}


@st.composite
def assessments(draw, method=None):
    method = method or draw(st.sampled_from(sorted(TABLES)))
    factors = [draw(st.sampled_from(table)) for table in TABLES[method]]
    return method, factors


@given(assessments(), st.data())
def test_property_given_any_table_combination_when_classified_then_exactly_one_class(case, data):
    method, factors = case
    name = data.draw(st.sampled_from(PROFILE_NAMES[method]))
    result = CALLS[method](*factors, profile=name)
    profile = get_profile(method, name)
    assert sum(band.contains(result.score) for band in profile.bands) == 1
    assert result.colour == COLOURS[result.level]


@given(st.sampled_from(sorted(TABLES)), st.data())
def test_property_given_a_larger_product_when_classified_then_never_a_lower_class(method, data):
    name = data.draw(st.sampled_from(PROFILE_NAMES[method]))
    _, first = data.draw(assessments(method))
    _, second = data.draw(assessments(method))
    low, high = sorted(
        (CALLS[method](*first, profile=name), CALLS[method](*second, profile=name)),
        key=lambda r: r.score,
    )
    # Class 1 and 重大 are the highest: a larger score has a smaller or equal number.
    assert high.class_number <= low.class_number
    assert LEVEL_RANK[high.level] <= LEVEL_RANK[low.level]


@given(
    st.sampled_from([p.name for p in profiles() if p.bands]),
    st.decimals(min_value=-1000, max_value=100000, places=3, allow_nan=False),
)
def test_property_given_any_real_score_when_classified_then_exactly_one_band(name, score):
    profile = next(p for p in profiles() if p.name == name)
    assert sum(band.contains(score) for band in profile.bands) == 1


def test_given_every_grid_when_enumerated_then_every_product_of_every_profile_is_classified():
    for method, names in PROFILE_NAMES.items():
        for name in names:
            for product in products(method):
                assert classify(method, product, name).level in COLOURS


# --- profiles as data


def test_given_the_profiles_file_when_loaded_then_required_profiles_with_sources_and_defaults():
    names = {p.name: p for p in profiles()}
    for required in (
        "lec-5class-db",
        "lec-5class-p2",
        "lec-4level",
        "ls-v1",
        "ls-v2",
        "ls-v3-db5",
        "mes-deployed",
        "gb18218-2018",
        "gb18218-2018-w4-200",
    ):
        assert names[required].version and names[required].source
    assert get_profile("lec").name == "lec-5class-db"
    assert get_profile("ls").name == "ls-v1"
    assert get_profile("mes").name == "mes-deployed"
    assert get_profile("major-hazard").name == "gb18218-2018"
    assert "S8" in names["mes-deployed"].source and "UNCONFIRMED" in names["mes-deployed"].note
    assert "UNCONFIRMED" in names["ls-v3-db5"].note


def test_given_a_profile_whose_bands_overlap_when_loaded_then_refused(tmp_path):
    raw = json.loads((methods.DATA_DIR / "profiles.json").read_text(encoding="utf-8"))
    lec_profile = raw["profiles"][0]
    lec_profile["bands"][4] = {"class": 5, "label": "x", "lt": "20"}  # 20 in no band now
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProfileDataError, match="neither"):
        load_profiles(path)


def test_given_a_profile_whose_colours_rise_downwards_when_loaded_then_refused(tmp_path):
    raw = json.loads((methods.DATA_DIR / "profiles.json").read_text(encoding="utf-8"))
    raw["profiles"][0]["levels"]["5"] = "重大"
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProfileDataError, match="never rising"):
        load_profiles(path)


def test_given_two_defaults_for_a_method_when_loaded_then_refused(tmp_path):
    raw = json.loads((methods.DATA_DIR / "profiles.json").read_text(encoding="utf-8"))
    raw["profiles"][1]["default"] = True
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProfileDataError, match="exactly one default"):
        load_profiles(path)


def test_given_adjacent_bands_when_loaded_then_edges_meet_with_one_inclusive_side():
    for profile in profiles():
        for above, below in pairwise(profile.bands):
            assert above.lower == below.upper
            assert above.lower_inclusive != below.upper_inclusive


# --- refused inputs


@pytest.mark.parametrize(
    ("call", "field", "allowed"),
    [
        (lambda: lec(4, 6, 7), "L", "10, 6, 3, 1, 0.5, 0.2, 0.1"),
        (lambda: lec(3, "0.2", 7), "E", "10, 6, 3, 2, 1, 0.5"),
        (lambda: lec(3, 6, 50), "C", "100, 40, 15, 7, 3, 1"),
        (lambda: ls(6, 1), "L", "1, 2, 3, 4, 5"),
        (lambda: ls(0, 1), "L", "1, 2, 3, 4, 5"),
        (lambda: ls(1, "2.5"), "S", "1, 2, 3, 4, 5"),
        (lambda: mes(2, 6, 8), "M", "5, 3, 1"),
        (lambda: mes(3, 6, 5), "S", "10, 8, 4, 2, 1"),
    ],
)
def test_given_a_value_not_in_the_table_when_computed_then_refused_listing_allowed(
    call, field, allowed
):
    with pytest.raises(RiskInputError) as info:
        call()
    error = info.value
    assert isinstance(error, ValueError) and error.field == field
    assert error.code == "not_in_table"
    assert f"允许的取值：{allowed}" in error.message("zh-hans")
    assert f"allowed: {allowed}" in error.message("en")


@pytest.mark.parametrize("value", ["abc", "", "nan", "inf", True, None, [1], Fraction(1, 3)])
def test_given_a_non_number_when_computed_then_refused(value):
    with pytest.raises(RiskInputError) as info:
        lec(value, 6, 7)
    assert info.value.code == "not_number" and info.value.field == "L"


def test_given_an_unknown_profile_when_computed_then_refused_listing_the_methods_profiles():
    with pytest.raises(RiskInputError) as info:
        lec(3, 6, 7, "ls-v1")
    assert info.value.code == "unknown_profile" and info.value.field == "profile"
    assert "lec-5class-db, lec-5class-p2, lec-4level" in info.value.message()


def test_given_a_profile_object_of_another_method_when_computed_then_refused():
    with pytest.raises(RiskInputError):
        lec(3, 6, 7, get_profile("ls"))


def test_given_an_error_when_rendered_then_both_languages_and_a_dict():
    with pytest.raises(RiskInputError) as info:
        lec(4, 6, 7)
    assert "不在 LEC 的取值表中" in str(info.value) and "not in the LEC value table" in str(
        info.value
    )
    assert info.value.as_dict()["field"] == "L"


def test_given_numbers_when_rendered_then_plain_text():
    assert [render_number(D(x)) for x in ("18", "0.50", "1E+2", "0.05")] == [
        "18",
        "0.5",
        "100",
        "0.05",
    ]
    assert render_number(Fraction(13, 10)) == "13/10" and render_number(Fraction(2)) == "2"


def test_given_the_pure_modules_when_imported_then_no_django(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, anjian.risks.methods, anjian.risks.major_hazard, anjian.risks.calc_cli;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
