"""GB 6441-86 indicators and OSHA-style rates: pure functions, no database."""

from decimal import Decimal

import pytest

from anjian.accidents.grading import AccidentInputError
from anjian.accidents.rates import PLACES, injury_rates, ltifr, osha, rounded

D = Decimal

# Worked example, by hand:
#   workforce 2000, 1 death, 2 serious (400 lost days), 10 minor (300 lost days),
#   4,000,000 hours worked.
#   千人死亡率 = 1 / 2000 × 1000 = 0.5
#   千人重伤率 = 2 / 2000 × 1000 = 1.0
#   injured = 1 + 2 + 10 = 13
#   A = 13 / 4,000,000 × 1,000,000 = 3.25
#   lost days = 400 + 300 + 6000 × 1 (the death) = 6700
#   B = 6700 / 4,000,000 × 1,000,000 = 1675
#   N = B / A = 1675 / 3.25 = 6700 / 13 = 515.384615… → 515.3846 (4 places)
EXAMPLE = {
    "workforce": 2000,
    "deaths": 1,
    "serious": 2,
    "minor": 10,
    "lost_days_serious": 400,
    "lost_days_minor": 300,
    "hours": 4_000_000,
}


def test_given_the_worked_example_when_rates_computed_then_match_the_hand_calculation():
    out = injury_rates(**EXAMPLE)
    assert out["per_thousand_deaths"] == D("0.5")
    assert out["per_thousand_serious"] == D("1")
    assert out["injured"] == 13
    assert out["frequency_A"] == D("3.25")
    assert out["lost_days_total"] == 6700
    assert out["severity_B"] == D("1675")
    assert out["average_N"] == D("515.3846")
    assert out["warnings"] == []


def test_given_results_then_rounded_to_4_places_half_up():
    # 1 / 3 × 1000 = 333.3333…; 2 / 3 × 1000 = 666.6666… → 666.6667
    out = injury_rates(workforce=3, deaths=1, serious=2, minor=0)
    assert out["per_thousand_deaths"] == D("333.3333")
    assert out["per_thousand_serious"] == D("666.6667")
    assert out["per_thousand_serious"].as_tuple().exponent == -PLACES
    assert rounded(D("0.00005")) == D("0.0001")


def test_given_no_hours_then_only_per_thousand_rates():
    out = injury_rates(workforce=500, deaths=0, serious=1, minor=3)
    assert out["per_thousand_deaths"] == D("0")
    assert out["per_thousand_serious"] == D("2")
    assert "frequency_A" not in out and "severity_B" not in out and "average_N" not in out


def test_given_hours_but_no_lost_days_then_frequency_only():
    out = injury_rates(workforce=500, deaths=0, serious=1, minor=3, hours=1_000_000)
    assert out["frequency_A"] == D("4")
    assert "severity_B" not in out


def test_given_no_injured_with_days_and_hours_then_a_is_zero_and_n_is_none():
    out = injury_rates(
        workforce=100, deaths=0, serious=0, minor=0, lost_days_serious=0, hours=200_000
    )
    assert (out["frequency_A"], out["severity_B"], out["average_N"]) == (D("0"), D("0"), None)


def test_given_deaths_only_then_each_death_counts_6000_days():
    out = injury_rates(
        workforce=100, deaths=2, serious=0, minor=0, lost_days_serious=0, hours=1_000_000
    )
    # B = 12000 / 1e6 × 1e6 = 12000; A = 2; N = 6000
    assert (out["severity_B"], out["frequency_A"], out["average_N"]) == (
        D("12000"),
        D("2"),
        D("6000"),
    )


def test_given_a_lost_days_value_omitted_for_a_zero_count_then_it_counts_as_zero():
    out = injury_rates(
        workforce=10, deaths=0, serious=1, minor=0, lost_days_serious=105, hours=1_000_000
    )
    assert out["severity_B"] == D("105") and out["average_N"] == D("105")


def test_given_a_fractional_average_workforce_then_accepted():
    out = injury_rates(workforce=D("2500.5"), deaths=1, serious=0, minor=0)
    assert out["per_thousand_deaths"] == D("0.3999")  # 1000 / 2500.5 = 0.39992…


def test_given_days_contradicting_gb6441_then_warnings_but_a_result():
    out = injury_rates(
        workforce=10,
        deaths=0,
        serious=2,
        minor=1,
        lost_days_serious=100,
        lost_days_minor=200,
        hours=1000,
    )
    assert len(out["warnings"]) == 2
    assert out["severity_B"] == D("300000")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"workforce": 0}, "workforce"),
        ({"workforce": -5}, "workforce"),
        ({"workforce": 1.5}, "workforce"),
        ({"deaths": -1}, "deaths"),
        ({"serious": 1.5}, "serious"),
        ({"minor": "a"}, "minor"),
        ({"hours": 0}, "hours"),
        ({"hours": -1}, "hours"),
        ({"lost_days_serious": -1}, "lost_days_serious"),
        ({"hours": None}, "hours"),  # lost days without hours
        ({"lost_days_minor": None}, "lost_days_minor"),  # 10 minor injuries, no days
    ],
)
def test_given_a_bad_input_when_rates_computed_then_value_error_names_the_field(kwargs, field):
    with pytest.raises(ValueError) as caught:
        injury_rates(**{**EXAMPLE, **kwargs})
    assert isinstance(caught.value, AccidentInputError) and caught.value.field == field


# OSHA by hand: 3 recordables, 2 DART cases, 150,000 hours:
#   TRC = 3 × 200,000 / 150,000 = 4; DART = 2 × 200,000 / 150,000 = 2.6666… → 2.6667
def test_given_recordables_and_dart_cases_then_trc_and_dart_per_200000_hours():
    out = osha(hours=150_000, recordable=3, dart_cases=2)
    assert (out["TRC"], out["DART"]) == (D("4"), D("2.6667"))
    assert out["TRC_includes_fatalities"] is False


def test_given_only_recordables_then_only_trc():
    out = osha(hours=400_000, recordable=1)
    assert out["TRC"] == D("0.5") and "DART" not in out


def test_given_only_dart_cases_then_only_dart():
    out = osha(hours=400_000, dart_cases=1)
    assert out["DART"] == D("0.5") and "TRC" not in out


def test_given_include_fatalities_then_deaths_are_added_to_trc():
    # (3 + 1) × 200,000 / 150,000 = 5.3333…
    out = osha(hours=150_000, recordable=3, include_fatalities=True, fatalities=1)
    assert (out["TRC"], out["TRC_cases"], out["TRC_includes_fatalities"]) == (
        D("5.3333"),
        4,
        True,
    )
    assert osha(hours=150_000, recordable=3, fatalities=1)["TRC"] == D("4")


def test_given_lti_then_ltifr_per_million_hours():
    # 1 × 1,000,000 / 300,000 = 3.3333…
    assert ltifr(1, 300_000) == D("3.3333")
    assert osha(hours=300_000, lti=1)["LTIFR"] == D("3.3333")


def test_given_neither_recordable_nor_dart_then_refused():
    with pytest.raises(ValueError):
        osha(hours=1000)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hours": 0, "recordable": 1},
        {"hours": -10, "recordable": 1},
        {"hours": 1.5, "recordable": 1},
        {"hours": 1000, "recordable": -1},
        {"hours": 1000, "dart_cases": 0.5},
        {"hours": 1000, "recordable": 1, "include_fatalities": True, "fatalities": -1},
        {"hours": 1000, "dart_cases": 1, "include_fatalities": True, "fatalities": 1},
    ],
)
def test_given_bad_osha_input_then_refused(kwargs):
    with pytest.raises(ValueError):
        osha(**kwargs)
