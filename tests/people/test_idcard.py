"""居民身份证号码 (GB 11643-1999): the ISO 7064 MOD 11-2 check character, computed by hand
for the samples below, the birth date, masking."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.people import idcard

# By hand: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
# 11010519491231002: the standard's own example, check X.
# 44030419900101001: 28+36+0+15+0+16+2+9+54+0+0+9+0+5+0+0+2 = 176, 176 mod 11 = 0 → "1".
# 33010119850615123: 21+27+0+5+0+4+2+9+48+15+0+54+10+25+8+8+6 = 242, mod 11 = 0 → "1".
# 33010119850615124: 244, mod 11 = 2 → "X".
VALID = ["11010519491231002X", "440304199001010011", "330101198506151231", "33010119850615124X"]


def test_given_the_weights_then_they_are_2_to_the_power_mod_11():
    assert idcard.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.mark.parametrize("number", VALID)
def test_given_hand_computed_numbers_then_valid(number):
    assert idcard.problems(number) == []
    assert idcard.check_character(number[:17]) == number[17]


def test_given_a_lower_case_x_or_spaces_then_normalised_and_valid():
    assert idcard.is_valid("11010519491231002x")
    assert idcard.is_valid(" 1101 0519 4912 3100 2X ")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "check"),  # X expected
        ("440304199001010012", "check"),
        ("33010119850615124Y", "characters"),
        ("1101051949123100", "length"),
        ("11010519490231002X", "birth_date"),  # 31 February … with its check recomputed below
    ],
)
def test_given_bad_numbers_then_the_problem_is_named(number, code):
    if code == "birth_date":
        number = "1101051949023100" + "2"
        number += idcard.check_character(number)
    assert code in idcard.problems(number)


def test_given_a_birth_date_in_the_future_then_refused():
    first = "11010520990101001"
    number = first + idcard.check_character(first)
    assert idcard.problems(number) == []
    assert idcard.problems(number, today=dt.date(2026, 1, 1)) == ["birth_date"]


def test_given_a_number_then_masked_keeping_four_and_four():
    assert idcard.mask("330101198506151231") == "3301**********1231"
    assert idcard.mask("") == ""
    assert idcard.mask("1234") == "****"
