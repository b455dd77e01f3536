"""A credit code with a wrong check character is reported as a wrong code, not as an
enterprise outside the importer's jurisdiction."""

from __future__ import annotations

from anjian.registry.uscc import CHARSET

from .test_import import letter, rejected, row, xlsx


def _wrong_check(code: str) -> str:
    """The same code with another (wrong) 18th character."""
    other = next(ch for ch in CHARSET if ch != code[17])
    return code[:17] + other


def test_given_a_code_with_a_wrong_check_character_when_imported_then_the_check_character_is_named(
    world,
):
    good = world.chem_a.uscc
    bad = _wrong_check(good)
    errors = rejected(world, xlsx([row(world, uscc=bad)]))
    on_code = [e for e in errors if e.column == letter("uscc")]
    assert len(on_code) == 1
    text = on_code[0].message
    assert "校验位" in text
    assert f"应为“{good[17]}”" in text and f"实际为“{bad[17]}”" in text
    assert "管辖范围" not in text


def test_given_a_code_of_the_wrong_length_when_imported_then_the_length_is_named(world):
    errors = rejected(world, xlsx([row(world, uscc=world.chem_a.uscc[:17])]))
    text = next(e.message for e in errors if e.column == letter("uscc"))
    assert "应为18位" in text and "管辖范围" not in text


def test_given_a_valid_code_outside_the_jurisdiction_then_still_reported_as_outside(world):
    errors = rejected(world, xlsx([row(world, uscc=world.chem_c.uscc)]))
    text = next(e.message for e in errors if e.column == letter("uscc"))
    assert "不是您管辖范围内的企业" in text
