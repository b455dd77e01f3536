"""GB 18218-2018 identification and grading (standards.md A4, A12.1, A12.6)."""

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anjian.risks.major_hazard import (
    Item,
    alpha_for_people,
    cas_check_digit_ok,
    category,
    grade,
    grade_of,
    identify,
    lookup,
    parse_spec,
    resolve,
    tables,
)
from anjian.risks.methods import RiskInputError, get_profile

ACCEPTANCE = [Item("液氨", 7), Item("液氯", 1), Item("氢气", "0.5")]

# standards.md A4.3, Q in tonnes, with the CAS numbers of the issue.
TABLE1 = [
    ("氨", "7664-41-7", "10"),
    ("氯", "7782-50-5", "5"),
    ("氢", "1333-74-0", "5"),
    ("甲烷", "74-82-8", "50"),
    ("天然气", "74-82-8", "50"),
    ("甲醇", "67-56-1", "500"),
    ("汽油", "86290-81-5", "200"),
    ("苯", "71-43-2", "50"),
    ("液化石油气", "68476-85-7", "50"),
    ("甲苯", "108-88-3", "500"),
    ("乙醇", "64-17-5", "500"),
    ("乙炔", "74-86-2", "1"),
    ("环氧乙烷", "75-21-8", "10"),
    ("二氧化硫", "7446-09-5", "20"),
    ("硫化氢", "7783-06-4", "5"),
    ("光气", "75-44-5", "0.3"),
    ("碳酰氯", "75-44-5", "0.3"),
    ("氧", "7782-44-7", "200"),
    ("丙酮", "67-64-1", "500"),
    ("苯乙烯", "100-42-5", "500"),
    ("乙酸乙酯", "141-78-6", "500"),
    ("正己烷", "110-54-3", "500"),
    ("环己烷", "110-82-7", "500"),
    ("乙醚", "60-29-7", "10"),
]

# 表3 β for the named toxic gases (A4.2).
TABLE3 = [
    ("一氧化碳", "630-08-0", 2),
    ("二氧化硫", "7446-09-5", 2),
    ("氨", "7664-41-7", 2),
    ("环氧乙烷", "75-21-8", 2),
    ("氯化氢", "7647-01-0", 3),
    ("溴甲烷", "74-83-9", 3),
    ("氯", "7782-50-5", 4),
    ("硫化氢", "7783-06-4", 5),
    ("氟化氢", "7664-39-3", 5),
    ("二氧化氮", "10102-44-0", 10),
    ("氰化氢", "74-90-8", 10),
    ("光气", "75-44-5", 20),
    ("磷化氢", "7803-51-2", 20),
    ("异氰酸甲酯", "624-83-9", 20),
]


# --- the acceptance example


def test_given_ammonia_chlorine_hydrogen_when_identified_then_exactly_one_and_major():
    result = identify(ACCEPTANCE)
    assert result.total == 1 and isinstance(result.total, Fraction)
    assert result.is_major
    assert result.as_dict()["sum"] == "1"


def test_given_the_same_sum_in_float_when_compared_then_the_float_pitfall_is_avoided():
    # Summed in float in this order, the unit would wrongly be "not major" (A12.1).
    float_sum = 7 / 10 + 1 / 5 + 0.5 / 5
    assert float_sum == 0.9999999999999999 and float_sum < 1
    # Float tonnages typed by a program are read through their decimal text, still exact.
    assert identify([Item("氨", 7.0), Item("氯", 1.0), Item("氢", 0.5)]).total == 1


def test_given_the_acceptance_unit_with_nobody_outside_when_graded_then_r_47_40_fourth_grade():
    result = grade(ACCEPTANCE, people=0)
    assert result.alpha == Fraction(1, 2)
    # 0.5 × (2·7/10 + 4·1/5 + 1.5·1/10) = 0.5 × 2.35: hydrogen is W2 (表4 β 1.5)
    assert result.r == Fraction(47, 40)
    assert (result.grade_number, result.grade_name) == (4, "四级")


# --- thresholds and grades


def test_given_q_equal_to_critical_quantity_when_identified_then_major_inclusive():
    assert identify([Item("氨", 10)]).is_major
    assert not identify([Item("氨", Fraction(9999, 1000))]).is_major


def test_given_a_just_major_unit_with_alpha_half_when_graded_then_r_below_1_is_still_fourth():
    result = grade([Item("氢", 5)], alpha="0.5")
    assert result.is_major and result.r == Fraction(3, 4)  # 0.5 × 1.5 × 5/5
    assert (result.grade_number, result.grade_name) == (4, "四级")


def test_given_the_s18_sulphur_dioxide_example_when_graded_then_r_30_third_grade():
    # S18 (cquc.net exam item 11): 200 t SO₂, Q 20 t, β 2, 60 people → α 1.5, R 30, 三级.
    result = grade([Item("二氧化硫", 200)], people=60)
    assert result.alpha == Fraction(3, 2) and result.total == 10
    assert result.r == 30 and (result.grade_number, result.grade_name) == (3, "三级")


@pytest.mark.parametrize(
    ("r", "number", "name"),
    [
        (Fraction(100), 1, "一级"),
        (Fraction(1000), 1, "一级"),
        (Fraction(9999, 100), 2, "二级"),
        (Fraction(50), 2, "二级"),
        (Fraction(4999, 100), 3, "三级"),
        (Fraction(10), 3, "三级"),
        (Fraction(999, 100), 4, "四级"),
        (Fraction(1, 2), 4, "四级"),
    ],
)
def test_given_r_on_each_grade_edge_when_graded_then_the_grade(r, number, name):
    assert grade_of(r) == (number, name)


@pytest.mark.parametrize(
    ("tonnes", "name"),
    [("1000/3", "一级"), ("500/3", "二级"), ("100/3", "三级"), ("33.33", "四级")],
)
def test_given_hydrogen_units_with_alpha_1_when_graded_then_grade_edges_from_quantities(
    tonnes, name
):
    # R = 1 × 1.5 × q/5: exactly 100, 50 and 10 at a third of 1000, 500 and 100 t.
    assert grade([Item("氢", tonnes)], people=10).grade_name == name


@pytest.mark.parametrize(
    ("people", "alpha"),
    [
        (0, "0.5"),
        (1, "1"),
        (29, "1"),
        (30, "1.2"),
        (49, "1.2"),
        (50, "1.5"),
        (99, "1.5"),
        (100, "2"),
        (100000, "2"),
    ],
)
def test_given_people_within_500_m_when_alpha_looked_up_then_the_table_value(people, alpha):
    assert alpha_for_people(people) == Fraction(alpha)


def test_given_a_unit_below_the_threshold_when_graded_then_not_major_and_no_grade():
    result = grade([Item("氨", 3)], people=200)
    assert not result.is_major and result.r is None and result.grade_name is None
    assert result.as_dict()["R"] is None and result.as_dict()["sum"] == "3/10"


def test_given_several_substances_when_identified_then_sum_is_exact_fraction():
    result = identify([Item("甲醇", 100), Item("乙醇", 300), Item("苯", 10)])
    assert result.total == Fraction(1, 5) + Fraction(3, 5) + Fraction(1, 5) == 1
    assert identify([Item("甲苯", 100), Item("丙酮", 100)]).as_dict()["sum"] == "2/5"


@given(
    st.lists(
        st.tuples(
            st.sampled_from([name for name, _, _ in TABLE1]),
            st.fractions(min_value=0, max_value=1000, max_denominator=1000),
        ),
        min_size=1,
        max_size=6,
    ),
    st.fractions(min_value=0, max_value=100, max_denominator=100),
)
def test_property_given_any_unit_when_more_is_stored_then_never_less_major(lines, extra):
    before = identify([Item(name, q) for name, q in lines])
    after = identify([Item(name, q) for name, q in lines] + [Item(lines[0][0], extra)])
    assert after.total >= before.total
    assert after.is_major or not before.is_major
    assert before.total == sum(
        (Fraction(q) / Fraction(tables().by_key[name].critical_quantity) for name, q in lines),
        Fraction(0),
    )


@given(
    st.fractions(min_value=1, max_value=2000, max_denominator=100),
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=0, max_value=500),
)
def test_property_given_more_people_when_graded_then_never_a_lower_grade(q, people_a, people_b):
    low, high = sorted((people_a, people_b))
    items = [Item("氯", q * 5)]  # S = q ≥ 1, so always major
    assert grade(items, people=high).grade_number <= grade(items, people=low).grade_number


# --- tables and look-ups


@pytest.mark.parametrize(("name", "cas", "q"), TABLE1)
def test_given_an_a43_chemical_when_looked_up_then_its_cas_and_q(name, cas, q):
    substance = lookup(name)
    assert substance.cas == cas and substance.critical_quantity == Fraction(q)
    assert lookup(cas) is substance and substance.q_source


@pytest.mark.parametrize(("name", "cas", "beta"), TABLE3)
def test_given_a_table3_gas_when_looked_up_then_its_beta(name, cas, beta):
    substance = lookup(name)
    assert substance.cas == cas and substance.beta == beta and substance.beta_source


@pytest.mark.parametrize(
    ("text", "cas"),
    [
        ("液氨", "7664-41-7"),
        ("氨气", "7664-41-7"),
        ("氨", "7664-41-7"),
        (" 7664-41-7 ", "7664-41-7"),
        ("７６６４－４１－７", "7664-41-7"),  # full-width, as a Chinese IME types it
        ("液氯", "7782-50-5"),
        ("氯气", "7782-50-5"),
        ("氢气", "1333-74-0"),
        ("光气", "75-44-5"),
        ("天然气", "74-82-8"),
        ("lpg", "68476-85-7"),
        ("氧气", "7782-44-7"),
    ],
)
def test_given_an_alias_when_looked_up_then_the_cas_row(text, cas):
    assert lookup(text).cas == cas


def test_given_the_table_when_loaded_then_every_cas_check_digit_is_valid():
    for substance in tables().substances:
        assert cas_check_digit_ok(substance.cas), substance.cas


@pytest.mark.parametrize(
    ("cas", "q"),
    [
        ("7647-01-0", "20"),  # 氯化氢(无水)
        ("74-83-9", "10"),  # 溴甲烷
        ("7664-39-3", "1"),  # 氟化氢
        ("10102-44-0", "1"),  # 二氧化氮
        ("74-90-8", "1"),  # 氰化氢
        ("7803-51-2", "1"),  # 磷化氢
        ("624-83-9", "0.75"),  # 异氰酸甲酯
    ],
)
def test_given_a_table3_gas_whose_q_was_missing_when_loaded_then_its_table1_q_and_source(cas, q):
    substance = lookup(cas)
    assert substance.critical_quantity == Fraction(q)
    assert "S15" in substance.q_source and "X1" in substance.q_source


def test_given_carbon_monoxide_when_loaded_then_no_q_and_a_note_on_the_coal_gas_row():
    substance = lookup("一氧化碳")
    assert substance.critical_quantity is None and "煤气" in substance.note


def test_given_table2_when_loaded_then_every_category_with_q_and_beta():
    symbols = [c.symbol for c in tables().categories]
    assert symbols[:5] == ["J1", "J2", "J3", "J4", "J5"] and len(symbols) == 24
    assert category("J1").critical_quantity == 5 and category("J1").beta == 4
    assert category("W5.4").critical_quantity == 5000 and category("W2").beta == Fraction(3, 2)
    # W4: 50 t in both transcriptions found (S15, X1); 200 t only in the alternative profile.
    assert category("W4").critical_quantity == 50 and "X1" in category("W4").q_source


def test_given_w4_when_resolved_then_50_by_default_and_200_in_the_alternative_profile():
    default = resolve(Item("W4", 25))
    alternative = resolve(Item("W4", 25), "gb18218-2018-w4-200")
    assert default.critical_quantity == 50 and "gb18218-2018" in default.q_source
    assert "X1" in default.q_source
    assert alternative.critical_quantity == 200
    assert alternative.q_source == "表2 W4 gb18218-2018-w4-200"


def test_given_the_two_gb18218_profiles_when_compared_then_they_differ_only_in_w4():
    first, second = get_profile("major-hazard"), get_profile("major-hazard", "gb18218-2018-w4-200")
    assert first.extra["alpha"] == second.extra["alpha"]
    assert first.extra["grades"] == second.extra["grades"]
    assert first.extra["table2_q"] == {"W4": "50"} and second.extra["table2_q"] == {"W4": "200"}


# --- where β and Q come from


def test_given_an_unlisted_substance_without_category_when_resolved_then_beta_1_by_default():
    # The one β = 1 "default" left: in no table, Q given, neither β nor category.
    line = resolve(Item("某新物质", 1, 10))
    assert line.beta == 1 and line.beta_source == "default" and line.category is None


def test_given_an_unlisted_substance_with_a_category_when_resolved_then_table2_q_and_table4_beta():
    line = resolve(Item("某易燃液体", 20, category="W5.1"))
    assert (line.critical_quantity, line.beta, line.category) == (10, Fraction(3, 2), "W5.1")
    assert line.q_source.startswith("表2 W5.1") and line.beta_source.startswith("表4 W5.1")


def test_given_a_category_symbol_as_the_name_when_resolved_then_table2_row():
    line = resolve(Item("W2", 5))
    assert (
        line.critical_quantity == 10
        and line.beta == Fraction(3, 2)
        and line.ratio == Fraction(1, 2)
    )


def test_given_a_table1_substance_with_a_category_when_resolved_then_table1_and_table3_win():
    line = resolve(Item("氨", 1, category="J3"))
    assert line.critical_quantity == 10 and line.beta == 2


def test_given_explicit_q_and_beta_when_resolved_then_they_override_the_tables():
    line = resolve(Item("一氧化碳", "7.5", "7.5"))
    assert line.critical_quantity == Fraction(15, 2) and line.q_source == "given"
    assert line.beta == 2  # still 表3
    assert resolve(Item("某物质", 1, 4, "1.5")).beta == Fraction(3, 2)


def test_given_an_unknown_substance_with_q_when_resolved_then_beta_1_and_its_own_name():
    line = resolve(Item("某新物质", 2, 8))
    assert line.name == "某新物质" and line.cas is None and line.ratio == Fraction(1, 4)


def test_given_decimal_inputs_when_resolved_then_exact():
    assert resolve(Item("氢", Decimal("0.1"))).ratio == Fraction(1, 50)


# --- refused inputs


@pytest.mark.parametrize(
    ("items", "code", "field"),
    [
        ([Item("氨", -1)], "negative", "q(氨)"),
        ([Item("氨", "-0.001")], "negative", "q(氨)"),
        ([Item("氨", "七吨")], "not_number", "q(氨)"),
        ([Item("氨", "nan")], "not_number", "q(氨)"),
        ([Item("氨", "inf")], "not_number", "q(氨)"),
        ([Item("氨", True)], "not_number", "q(氨)"),
        ([Item("氨", None)], "not_number", "q(氨)"),
        ([Item("某物质", 1, 0)], "not_positive", "Q(某物质)"),
        ([Item("某物质", 1, -5)], "not_positive", "Q(某物质)"),
        ([Item("某物质", 1, "x")], "not_number", "Q(某物质)"),
        ([Item("某物质", 1, 5, 0)], "not_positive", "beta(某物质)"),
        ([Item("某物质", 1)], "unknown_substance", "substance"),
        ([Item("9999-99-9", 1)], "unknown_substance", "substance"),
        ([Item("7664-41-8", 1, 10)], "bad_cas", "substance"),
        ([Item("一氧化碳", 1)], "no_critical_quantity", "Q(一氧化碳)"),
        ([Item("一氧化碳", 1, category="J1")], "no_critical_quantity", "Q(一氧化碳)"),
        ([Item("某物质", 1, category="W99")], "unknown_category", "category"),
        ([], "no_items", "substance"),
    ],
)
def test_given_bad_items_when_identified_then_refused_with_field_and_both_languages(
    items, code, field
):
    with pytest.raises(RiskInputError) as info:
        identify(items)
    assert (info.value.code, info.value.field) == (code, field)
    assert info.value.message("zh-hans") and info.value.message("en")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"alpha": "2", "people": 100}, "alpha_and_people"),
        ({}, "alpha_required"),
        ({"alpha": "1.3"}, "alpha_not_in_table"),
        ({"alpha": "abc"}, "not_number"),
        ({"people": -1}, "people_not_integer"),
        ({"people": "2.5"}, "people_not_integer"),
        ({"people": "many"}, "people_not_integer"),
        ({"people": True}, "people_not_integer"),
        ({"profile": "gb18218-2009"}, "unknown_profile"),
    ],
)
def test_given_bad_grading_arguments_when_graded_then_refused(kwargs, code):
    kwargs = {"people": 10, **kwargs} if "profile" in kwargs else kwargs
    with pytest.raises(RiskInputError) as info:
        grade(ACCEPTANCE, **kwargs)
    assert info.value.code == code


def test_given_alpha_not_in_table_when_refused_then_allowed_values_listed():
    with pytest.raises(RiskInputError) as info:
        grade(ACCEPTANCE, alpha="1.3")
    assert "2, 1.5, 1.2, 1, 0.5" in info.value.message("en")


# --- the command-line spec


@pytest.mark.parametrize(
    ("spec", "item"),
    [
        ("液氨:7", Item("液氨", "7")),
        ("7664-41-7:7:10", Item("7664-41-7", "7", "10")),
        ("某物质:1:5:2", Item("某物质", "1", "5", "2")),
        ("氨:3::2", Item("氨", "3", None, "2")),
        ("液氯：1", Item("液氯", "1")),
    ],
)
def test_given_a_substance_spec_when_parsed_then_an_item(spec, item):
    assert parse_spec(spec) == item


@pytest.mark.parametrize("spec", ["氨", ":1", "氨:", "氨:1:2:3:4", ""])
def test_given_a_malformed_spec_when_parsed_then_refused(spec):
    with pytest.raises(RiskInputError) as info:
        parse_spec(spec)
    assert info.value.code == "bad_spec"


# --- β of named substances by hazard category (表4), never a silent 1


def test_given_2000_t_of_lpg_and_100_people_when_graded_then_r_120_first_grade():
    # R = α 2 × β 1.5 (W2, 表4) × 2000/50 = 120 → 一级 (it was 80, 二级, with β = 1).
    result = grade([Item("液化石油气", 2000)], people=100)
    assert result.alpha == 2 and result.total == 40
    assert result.r == 120 and (result.grade_number, result.grade_name) == (1, "一级")
    line = result.identification.lines[0]
    assert (line.category, line.beta, line.category_from) == ("W2", Fraction(3, 2), "表1")
    assert line.beta_source.startswith("表4 W2") and not line.category_unverified


@pytest.mark.parametrize("name", ["氢", "氢气", "甲烷", "天然气", "乙炔", "液化石油气", "丙烷"])
def test_given_a_flammable_gas_of_table1_when_resolved_then_w2_and_beta_1_5(name):
    line = resolve(Item(name, 1))
    assert (line.category, line.beta) == ("W2", Fraction(3, 2))
    assert line.beta_source.startswith("表4 W2") and line.q_source.startswith("表1")


@pytest.mark.parametrize(("name", "cas", "beta"), TABLE3)
def test_given_a_table3_gas_when_resolved_then_it_keeps_its_table3_beta(name, cas, beta):
    # Q is given so that 一氧化碳 (no 表1 Q) resolves too; a category does not change β.
    for item in (Item(name, 1, 1), Item(name, 1, 1, category="W2")):
        line = resolve(item)
        assert line.beta == beta and line.beta_source.startswith("表3")


def test_given_every_table1_row_when_loaded_then_a_known_category_with_its_basis():
    symbols = {c.symbol: c for c in tables().categories}
    for substance in tables().substances:
        assert substance.category in symbols, substance.cas
        assert substance.category_source, substance.cas
        # The stored category is the one with the highest 表4 β among the substance's.
        for other in substance.other_categories:
            assert symbols[substance.category].beta >= symbols[other].beta, substance.cas


def test_given_every_table1_row_when_resolved_then_never_the_default_beta():
    for substance in tables().substances:
        line = resolve(Item(substance.cas, 1, 1))
        assert line.beta_source != "default" and line.beta_source[:2] in ("表3", "表4")
        assert line.category == substance.category


def test_given_a_table1_row_without_category_when_loaded_then_the_table_is_refused(
    tmp_path, monkeypatch
):
    from anjian.risks import major_hazard

    raw = json.loads((major_hazard.DATA_DIR / "gb18218_table1.json").read_text("utf-8"))
    raw["table1"][2].pop("category")  # 氢
    (tmp_path / "gb18218_table1.json").write_text(json.dumps(raw), "utf-8")
    monkeypatch.setattr(major_hazard, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="1333-74-0 has no hazard category"):
        major_hazard.tables.__wrapped__()
    raw["table1"][2]["category"] = "W99"
    (tmp_path / "gb18218_table1.json").write_text(json.dumps(raw), "utf-8")
    with pytest.raises(ValueError, match="unknown category W99"):
        major_hazard.tables.__wrapped__()


@pytest.mark.parametrize(
    ("name", "category", "beta", "unverified"),
    [
        ("汽油", "W5.1", Fraction(3, 2), True),  # 类别1 vs 类别2: a judgement (X4)
        ("乙醚", "W5.1", Fraction(3, 2), True),  # 类别1 by its boiling point 34.6 °C
        ("苯", "W5.3", 1, True),
        ("甲醇", "W5.3", 1, True),
        ("苯乙烯", "W5.4", 1, True),
        ("氧", "W4", 1, False),
    ],
)
def test_given_a_non_gas_table1_substance_when_resolved_then_its_category_beta(
    name, category, beta, unverified
):
    line = resolve(Item(name, 1))
    assert (line.category, line.beta, line.category_unverified) == (category, beta, unverified)
    assert line.as_dict()["category_unverified"] is unverified


def test_given_a_category_with_a_table1_liquid_when_resolved_then_its_beta_but_table1_q():
    # Benzene worked above its boiling point is W5.1: the category given wins for β only.
    line = resolve(Item("苯", 10, category="W5.1"))
    assert (line.critical_quantity, line.beta, line.category_from) == (50, Fraction(3, 2), "given")
    assert resolve(Item("苯", 10)).beta == 1
