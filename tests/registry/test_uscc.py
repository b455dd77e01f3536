import random

from hypothesis import given
from hypothesis import strategies as st

from anjian.registry.uscc import CHARSET, check_character, generate, validate

# GB 32100-2015's own worked example.
STANDARD_EXAMPLE = "91350100M000100Y43"


def test_given_the_standards_example_when_validated_then_valid():
    result = validate(STANDARD_EXAMPLE)
    assert result.valid and result.reason() == ""


def test_given_lower_case_and_spaces_when_validated_then_normalised():
    assert validate(" 91350100m000100y43 ").code == STANDARD_EXAMPLE


def test_given_wrong_check_character_when_validated_then_reason_names_expected_and_actual():
    result = validate(STANDARD_EXAMPLE[:-1] + "4")
    assert not result.valid and result.error == "check" and result.position == 18
    assert "“3”" in result.reason() and "“4”" in result.reason()
    assert "should be '3' but is '4'" in result.reason("en")


def test_given_forbidden_letter_when_validated_then_reason_names_position_and_character():
    result = validate("9135010OM000100Y43")
    assert result.error == "char" and result.position == 8
    assert "第8位" in result.reason() and "“O”" in result.reason()


def test_given_wrong_length_or_empty_when_validated_then_refused_with_reason():
    assert validate("9135").error == "length" and "4位" in validate("9135").reason()
    assert validate("").error == "empty"


def test_given_letters_in_division_part_when_validated_then_refused():
    first17 = "91AB0100M000100Y4"
    assert validate(first17 + check_character(first17)).error == "division"


@given(st.integers(min_value=0, max_value=2**32))
def test_given_generated_codes_when_validated_then_valid(seed):
    assert validate(generate(random.Random(seed), "330599")).valid


@given(
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=0, max_value=16),
    st.sampled_from(CHARSET),
)
def test_given_one_changed_character_when_validated_then_invalid(seed, position, replacement):
    code = generate(random.Random(seed), "330599")
    if code[position] == replacement or (2 <= position < 8 and not replacement.isdigit()):
        return
    changed = code[:position] + replacement + code[position + 1 :]
    # The weights are all non-zero mod 31 (a prime), so a single substitution always shows.
    assert not validate(changed).valid
