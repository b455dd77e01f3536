"""Rewards by 安监总财〔2018〕19号 第六条 (anjian.public.rewards): every boundary, both
kinds, profiles and refused inputs. Pure: no database."""

from decimal import Decimal as D

import pytest

from anjian.public.rewards import RewardInputError, profiles, reward_for


def hv(fine, profile="national"):
    return reward_for("hazard_or_violation", fine_yuan=fine, profile=profile)


@pytest.mark.parametrize(
    ("fine", "amount", "floor_hit", "cap_hit"),
    [
        ("1", "3000.00", True, False),
        ("19999.99", "3000.00", True, False),  # 2999.9985 < floor
        ("20000", "3000.00", False, False),  # exactly 15%
        ("20000.01", "3000.00", False, False),  # 3000.0015 rounds half-up to the fen
        ("20000.04", "3000.01", False, False),  # 3000.006 → 3000.01
        ("12345.67", "3000.00", True, False),
        ("100000", "15000.00", False, False),
        ("123456.78", "18518.52", False, False),  # 18518.517 → .52
        ("1999999.99", "300000.00", False, False),  # 299999.9985 → rounds to the cap
        ("2000000", "300000.00", False, False),  # exactly the cap
        ("2000000.01", "300000.00", False, True),
        ("99999999", "300000.00", False, True),
    ],
)
def test_given_fine_when_hazard_reward_then_15_percent_within_floor_and_cap(
    fine, amount, floor_hit, cap_hit
):
    result = hv(fine)
    assert result.amount == D(amount)
    assert result.basis["floor_hit"] is floor_hit and result.basis["cap_hit"] is cap_hit
    assert result.basis["amount"] == amount and result.basis["rate"] == "0.15"
    assert "第六条" in result.basis["rule"]


def test_given_half_fen_when_rounding_then_half_up():
    # 20000.03 × 0.15 = 3000.0045 → 3000.00; 20000.1 × 0.15 = 3000.015 → 3000.02 (half up)
    assert hv("20000.03").amount == D("3000.00")
    assert hv("20000.1").amount == D("3000.02")


def test_given_fine_zero_when_hazard_reward_then_zero_with_explanation():
    result = hv(D(0))
    assert result.amount == D("0.00")
    assert result.basis["no_fine"] is True and result.basis["explanation"]
    assert result.basis["floor_hit"] is False


def test_given_int_and_decimal_fines_when_reward_then_same():
    assert hv(20000).amount == hv(D("20000.00")).amount == hv("20000").amount


@pytest.mark.parametrize(
    ("grade", "deaths", "amount"),
    [
        ("一般", 1, "30000.00"),
        ("general", 2, "60000.00"),
        ("较大", 3, "120000.00"),
        ("larger", 7, "280000.00"),
        ("较大", 8, "300000.00"),  # 320,000 capped
        ("重大", 6, "300000.00"),  # exactly the cap
        ("major", 7, "300000.00"),
        ("特别重大", 5, "300000.00"),  # exactly the cap
        ("especially_major", 4, "240000.00"),
        ("特别重大", 6, "300000.00"),  # 360,000 capped
    ],
)
def test_given_grade_and_deaths_when_concealed_reward_then_per_death_capped(grade, deaths, amount):
    result = reward_for("concealed_accident", grade=grade, deaths=deaths)
    assert result.amount == D(amount)
    assert result.basis["cap_hit"] is (D(result.basis["computed"]) > D("300000"))
    assert result.basis["grade_zh"] in ("一般", "较大", "重大", "特别重大")


def test_given_exactly_cap_when_concealed_then_cap_not_hit_and_one_more_hits():
    assert reward_for("concealed_accident", grade="重大", deaths=6).basis["cap_hit"] is False
    assert reward_for("concealed_accident", grade="重大", deaths=7).basis["cap_hit"] is True


def test_given_no_concealed_death_when_concealed_reward_then_zero_with_explanation():
    result = reward_for("concealed_accident", grade="重大", deaths=0)
    assert result.amount == D("0.00") and result.basis["explanation"]


def test_given_deaths_beyond_grade_when_concealed_then_computed_and_warned():
    result = reward_for("concealed_accident", grade="一般", deaths=11)
    assert result.amount == D("300000.00") and result.basis["warnings"]
    assert reward_for("concealed_accident", grade="一般", deaths=2).basis["warnings"] == []


def test_given_profiles_when_listed_then_national_and_marked_example():
    found = profiles()
    assert found["national"]["example"] is False
    assert found["example_province"]["example"] is True


def test_given_example_province_when_reward_then_pays_more_and_is_marked():
    national, province = hv("100000"), hv("100000", "example_province")
    assert province.amount > national.amount
    assert province.basis["example_profile"] is True and national.basis["example_profile"] is False
    assert hv("1", "example_province").amount == D("5000.00")
    assert hv("1", "example_province").amount > hv("1").amount
    concealed = reward_for("concealed_accident", grade="一般", deaths=1, profile="example_province")
    assert concealed.amount == D("50000.00")


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"kind": "other"}, "kind", "unknown_kind"),
        ({"kind": "hazard_or_violation"}, "fine_yuan", "required"),
        ({"kind": "hazard_or_violation", "fine_yuan": "-1"}, "fine_yuan", "negative"),
        ({"kind": "hazard_or_violation", "fine_yuan": D("-0.01")}, "fine_yuan", "negative"),
        ({"kind": "hazard_or_violation", "fine_yuan": "abc"}, "fine_yuan", "not_number"),
        ({"kind": "hazard_or_violation", "fine_yuan": 1.5}, "fine_yuan", "not_number"),
        ({"kind": "hazard_or_violation", "fine_yuan": True}, "fine_yuan", "not_number"),
        ({"kind": "hazard_or_violation", "fine_yuan": "NaN"}, "fine_yuan", "not_number"),
        ({"kind": "hazard_or_violation", "fine_yuan": "1.005"}, "fine_yuan", "too_precise"),
        ({"kind": "concealed_accident", "deaths": 1}, "grade", "required"),
        ({"kind": "concealed_accident", "grade": "小", "deaths": 1}, "grade", "unknown_grade"),
        ({"kind": "concealed_accident", "grade": "一般"}, "deaths", "required"),
        ({"kind": "concealed_accident", "grade": "一般", "deaths": -1}, "deaths", "negative"),
        ({"kind": "concealed_accident", "grade": "一般", "deaths": "-2"}, "deaths", "negative"),
        ({"kind": "concealed_accident", "grade": "一般", "deaths": "1.5"}, "deaths", "not_integer"),
        ({"kind": "concealed_accident", "grade": "一般", "deaths": 1.0}, "deaths", "not_integer"),
        ({"kind": "concealed_accident", "grade": "一般", "deaths": True}, "deaths", "not_integer"),
        (
            {"kind": "hazard_or_violation", "fine_yuan": "1", "profile": "nowhere"},
            "profile",
            "unknown_profile",
        ),
    ],
)
def test_given_bad_input_when_reward_then_refused_with_field(kwargs, field, code):
    kind = kwargs.pop("kind")
    with pytest.raises(RewardInputError) as refused:
        reward_for(kind, **kwargs)
    assert refused.value.field == field and refused.value.code == code
    assert refused.value.as_dict()["error"]


def test_given_basis_when_dumped_then_json_ready():
    import json

    json.dumps(hv("50000").basis)
    json.dumps(reward_for("concealed_accident", grade="较大", deaths=3).basis)
