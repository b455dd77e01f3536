"""Numbers from text: ASCII literals only, so full-width or other scripts' digits are
refused instead of silently read (the LEC factor "１０" was taken as 10)."""

from decimal import Decimal

import pytest

from anjian.core.numbers import parse_decimal, parse_int
from anjian.risks import methods


@pytest.mark.parametrize(("text", "value"), [("12", 12), (" -3 ", -3), ("+7", 7), ("007", 7)])
def test_given_ascii_whole_numbers_then_read(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["１２", "١٢", "1_000", "1e3", "3.0", "", " ", "0x10", "१२"])
def test_given_anything_else_as_a_whole_number_then_refused(text):
    with pytest.raises(ValueError):
        parse_int(text)


@pytest.mark.parametrize(
    ("text", "value"), [("0.5", "0.5"), ("10", "10"), (".5", "0.5"), ("-2.", "-2")]
)
def test_given_ascii_decimals_then_read_exactly(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["０.５", "1e2", "NaN", "Infinity", "1,5", "1 000", "½"])
def test_given_anything_else_as_a_decimal_then_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_given_full_width_lec_factors_then_a_field_error_not_a_score():
    with pytest.raises(methods.RiskInputError) as caught:
        methods.lec("６", "３", "１５")
    assert caught.value.field == "L"
    assert methods.lec("6", "3", "15").score == Decimal(270)


def test_given_full_width_funds_when_setting_five_fixes_then_refused(world):
    from anjian.core.errors import ValidationFailed
    from tests.hazards.helpers import act, five_fixes, report

    hazard = report(world)
    with pytest.raises(ValidationFailed) as caught:
        act(world, "safety_a", hazard, "set_five_fixes", five_fixes(funds="１５００"))
    assert set(caught.value.errors) == {"funds"}
