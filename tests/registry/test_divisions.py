import pytest

from anjian.registry.divisions import code_problem


@pytest.mark.parametrize(
    ("level", "code", "parent", "ok"),
    [
        ("province", "330000", None, True),
        ("province", "330100", None, False),
        ("city", "330500", "330000", True),
        ("city", "340500", "330000", False),
        ("city", "330000", "330000", False),
        ("county", "330599", "330500", True),
        ("county", "330600", "330500", False),
        ("county", "330601", "330500", False),
        ("township", "330599101", "330599", True),
        ("township", "330599000", "330599", False),
        ("township", "33059910", "330599", False),
        ("grid", "330599101003", "330599101", True),
        ("grid", "330599102003", "330599101", False),
        ("county", "330599", None, False),
        ("planet", "1", None, False),
    ],
)
def test_given_code_when_checked_then_matches_gbt2260_rules(level, code, parent, ok):
    assert (code_problem(level, code, parent) is None) is ok
