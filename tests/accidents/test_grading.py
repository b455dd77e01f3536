"""Accident grades by 国务院令第493号 第三条, deadlines (第九、十三、十九、二十九、三十二条)
and GB 6441-86 classes: pure functions, no database."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from anjian.accidents import grading
from anjian.accidents.grading import (
    GB6441_TYPES,
    GRADE_BY_CODE,
    GRADE_CODES,
    GRADES,
    AccidentInputError,
    followup_window_days,
    followup_window_ends,
    grade,
    injury_severity,
    investigating_level,
    investigation_due,
    quick_report_due,
    quick_report_late,
    reply_due,
)

WAN = 10_000  # 万元 in yuan

# (value just below the bound, grade below) and (the bound, the grade it opens):
# "以上" includes the number, "以下" excludes it.
DEATH_EDGES = [(2, "一般"), (3, "较大"), (9, "较大"), (10, "重大"), (29, "重大"), (30, "特别重大")]
SERIOUS_EDGES = [
    (9, "一般"),
    (10, "较大"),
    (49, "较大"),
    (50, "重大"),
    (99, "重大"),
    (100, "特别重大"),
]
LOSS_EDGES = [
    (Decimal("9999999.99"), "一般"),
    (1000 * WAN, "较大"),
    (Decimal("49999999.99"), "较大"),
    (5000 * WAN, "重大"),
    (Decimal("99999999.99"), "重大"),
    (10000 * WAN, "特别重大"),
]


def test_given_the_grade_tables_then_chinese_and_codes_map_both_ways_lowest_first():
    assert GRADES == ("一般", "较大", "重大", "特别重大")
    assert GRADE_CODES == ("general", "larger", "major", "especially_major")
    assert {grading.CODE_BY_GRADE[g]: g for g in GRADES} == GRADE_BY_CODE
    assert [GRADE_BY_CODE[c] for c in GRADE_CODES] == list(GRADES)


@pytest.mark.parametrize(("deaths", "expected"), DEATH_EDGES)
def test_given_deaths_at_and_below_each_bound_when_graded_then_grade_by_deaths(deaths, expected):
    result = grade(deaths=deaths, serious=0, loss_yuan=0)
    assert result.grade == expected
    assert result.code == grading.CODE_BY_GRADE[expected]
    assert result.decided_by == ("deaths",)


@pytest.mark.parametrize(("serious", "expected"), SERIOUS_EDGES)
def test_given_serious_injuries_at_and_below_each_bound_when_graded_then_grade_by_serious(
    serious, expected
):
    result = grade(deaths=0, serious=serious, loss_yuan=0)
    assert result.grade == expected
    assert result.decided_by == ("serious_injuries",)


@pytest.mark.parametrize(("loss", "expected"), LOSS_EDGES)
def test_given_loss_at_and_below_each_bound_when_graded_then_grade_by_direct_loss(loss, expected):
    result = grade(deaths=0, serious=0, loss_yuan=loss)
    assert result.grade == expected
    assert result.decided_by == ("direct_loss",)


@pytest.mark.parametrize("as_int", [True, False])
def test_given_loss_as_int_or_decimal_then_same_grade(as_int):
    loss = 5000 * WAN if as_int else Decimal("50000000.00")
    assert grade(deaths=0, serious=0, loss_yuan=loss).grade == "重大"


def test_given_one_yuan_fen_below_1000_wan_then_general_and_exactly_1000_wan_then_larger():
    assert grade(deaths=0, serious=0, loss_yuan=Decimal("9999999.99")).grade == "一般"
    assert grade(deaths=0, serious=0, loss_yuan=Decimal("10000000.00")).grade == "较大"


def test_given_mixed_criteria_when_graded_then_the_most_severe_decides():
    # 2 deaths (一般), 10 serious (较大), 6000万 (重大) → 重大, by the loss alone.
    result = grade(deaths=2, serious=10, loss_yuan=6000 * WAN)
    assert (result.grade, result.decided_by) == ("重大", ("direct_loss",))
    assert result.levels == {"deaths": "一般", "serious_injuries": "较大", "direct_loss": "重大"}


def test_given_deaths_below_but_serious_at_a_higher_grade_then_serious_decides():
    result = grade(deaths=9, serious=50, loss_yuan=0)
    assert (result.grade, result.decided_by) == ("重大", ("serious_injuries",))


def test_given_30_deaths_and_small_loss_then_especially_major_by_deaths():
    result = grade(deaths=30, serious=0, loss_yuan=100)
    assert (result.grade, result.decided_by) == ("特别重大", ("deaths",))


def test_given_two_criteria_reach_the_same_top_grade_then_both_decide_in_fixed_order():
    result = grade(deaths=3, serious=5, loss_yuan=1000 * WAN)
    assert (result.grade, result.decided_by) == ("较大", ("deaths", "direct_loss"))
    all_three = grade(deaths=30, serious=100, loss_yuan=10000 * WAN)
    assert all_three.decided_by == ("deaths", "serious_injuries", "direct_loss")


def test_given_a_general_accident_then_decided_by_lists_the_nonzero_criteria():
    result = grade(deaths=1, serious=0, loss_yuan=Decimal("2.50"))
    assert (result.grade, result.decided_by) == ("一般", ("deaths", "direct_loss"))


def test_given_no_casualties_and_no_loss_then_general_decided_by_nothing():
    result = grade(deaths=0, serious=0, loss_yuan=0)
    assert (result.grade, result.decided_by) == ("一般", ())
    assert not result.larger_or_above


def test_given_a_larger_accident_then_larger_or_above_and_rank():
    result = grade(deaths=3, serious=0, loss_yuan=0)
    assert result.larger_or_above and result.rank == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"deaths": -1, "serious": 0, "loss_yuan": 0}, "deaths", "negative"),
        ({"deaths": 0, "serious": -3, "loss_yuan": 0}, "serious", "negative"),
        ({"deaths": 0, "serious": 0, "loss_yuan": -1}, "loss_yuan", "negative"),
        ({"deaths": 0, "serious": 0, "loss_yuan": Decimal("-0.01")}, "loss_yuan", "negative"),
        ({"deaths": 1.5, "serious": 0, "loss_yuan": 0}, "deaths", "not_integer"),
        ({"deaths": 3.0, "serious": 0, "loss_yuan": 0}, "deaths", "not_integer"),
        ({"deaths": Decimal("2.5"), "serious": 0, "loss_yuan": 0}, "deaths", "not_integer"),
        ({"deaths": True, "serious": 0, "loss_yuan": 0}, "deaths", "not_integer"),
        ({"deaths": "２", "serious": 0, "loss_yuan": 0}, "deaths", "not_integer"),
        ({"deaths": 0, "serious": "x", "loss_yuan": 0}, "serious", "not_integer"),
        ({"deaths": 0, "serious": 0, "loss_yuan": 1e7}, "loss_yuan", "not_number"),
        ({"deaths": 0, "serious": 0, "loss_yuan": Decimal("NaN")}, "loss_yuan", "not_number"),
        ({"deaths": 0, "serious": 0, "loss_yuan": "1e7"}, "loss_yuan", "not_number"),
    ],
)
def test_given_a_bad_input_when_graded_then_value_error_names_the_field(kwargs, field, code):
    with pytest.raises(ValueError) as caught:
        grade(**kwargs)
    assert isinstance(caught.value, AccidentInputError)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert field in str(caught.value)


def test_given_counts_as_ascii_text_then_accepted():
    assert grade(deaths="3", serious="0", loss_yuan="0.00").grade == "较大"


# --- deadlines ---------------------------------------------------------------------

LEARNED = datetime(2026, 3, 1, 23, 30)


def test_given_the_head_learned_at_2330_then_quick_report_due_at_0030_next_day():
    assert quick_report_due(LEARNED) == datetime(2026, 3, 2, 0, 30)


def test_given_a_report_exactly_at_one_hour_then_on_time_and_one_second_later_late():
    assert not quick_report_late(LEARNED, LEARNED + timedelta(hours=1))
    assert quick_report_late(LEARNED, LEARNED + timedelta(hours=1, seconds=1))
    assert not quick_report_late(LEARNED, LEARNED + timedelta(minutes=5))


def test_given_road_or_fire_then_followup_window_7_days_else_30():
    assert followup_window_days(road_or_fire=True) == 7
    assert followup_window_days(road_or_fire=False) == 30
    assert followup_window_days() == 30


def test_given_an_accident_on_1_march_then_followup_window_ends_31_march_or_8_march():
    assert followup_window_ends(date(2026, 3, 1)) == date(2026, 3, 31)
    assert followup_window_ends(datetime(2026, 3, 1, 8), road_or_fire=True) == date(2026, 3, 8)


def test_given_an_accident_on_1_march_then_investigation_due_30_april():
    # 第二十九条: 60 days 自事故发生之日起; the day itself is not counted.
    assert investigation_due(date(2026, 3, 1)) == date(2026, 4, 30)
    assert investigation_due(datetime(2026, 3, 1, 22, 15)) == date(2026, 4, 30)


def test_given_the_longest_extension_then_investigation_due_120_days_after():
    assert investigation_due(date(2026, 3, 1), extended_days=60) == date(2026, 6, 29)


def test_given_technical_appraisal_days_then_they_are_not_counted():
    assert investigation_due(date(2026, 3, 1), appraisal_days=10) == date(2026, 5, 10)


@pytest.mark.parametrize("days", [61, -1, "x"])
def test_given_an_extension_over_60_or_bad_then_refused(days):
    with pytest.raises(ValueError):
        investigation_due(date(2026, 3, 1), extended_days=days)


@pytest.mark.parametrize("grade_value", ["一般", "较大", "重大", "general", "larger", "major"])
def test_given_a_report_received_then_reply_within_15_days_below_especially_major(grade_value):
    assert reply_due(date(2026, 5, 1), grade_value) == date(2026, 5, 16)


def test_given_an_especially_major_accident_then_reply_30_days_extendable_by_30():
    assert reply_due(date(2026, 5, 1), "特别重大") == date(2026, 5, 31)
    assert reply_due(date(2026, 5, 1), "especially_major", extended_days=30) == date(2026, 6, 30)
    with pytest.raises(ValueError):
        reply_due(date(2026, 5, 1), "特别重大", extended_days=31)


def test_given_a_lower_grade_then_no_reply_extension_is_allowed():
    with pytest.raises(ValueError):
        reply_due(date(2026, 5, 1), "重大", extended_days=1)


@pytest.mark.parametrize(
    ("grade_value", "level"),
    [
        ("一般", "county"),
        ("较大", "city"),
        ("重大", "province"),
        ("特别重大", "state_council"),
        ("especially_major", "state_council"),
    ],
)
def test_given_a_grade_then_the_investigating_government_per_article_19(grade_value, level):
    assert investigating_level(grade_value) == level
    assert level in grading.INVESTIGATING_LEVEL_LABELS


def test_given_an_unknown_grade_then_refused():
    with pytest.raises(ValueError):
        investigating_level("严重")
    with pytest.raises(ValueError):
        reply_due(date(2026, 5, 1), "minor")


# --- GB 6441-86 --------------------------------------------------------------------


def test_given_gb6441_then_20_types_coded_01_to_20_verbatim():
    assert [code for code, _ in GB6441_TYPES] == [f"{i:02d}" for i in range(1, 21)]
    names = dict(GB6441_TYPES)
    assert (names["01"], names["08"], names["15"], names["19"], names["20"]) == (
        "物体打击",
        "火灾",
        "瓦斯爆炸",
        "中毒和窒息",
        "其他伤害",
    )
    assert len(set(names.values())) == 20


@pytest.mark.parametrize(("days", "severity"), [(0, "minor"), (104, "minor"), (105, "serious")])
def test_given_lost_days_then_minor_below_105_serious_from_105(days, severity):
    assert injury_severity(days) == severity


def test_given_negative_lost_days_then_refused():
    with pytest.raises(ValueError):
        injury_severity(-1)


def test_given_a_death_then_valued_6000_lost_days():
    assert grading.DEATH_LOST_DAYS == 6000
