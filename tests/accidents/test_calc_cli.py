"""The command-line contract of issue 13 item 8, run through the real `anjian` command:
one JSON object on stdout and exit 0, or a non-zero exit with a JSON message on stderr
and nothing on stdout. Names and keys are relied on by scripts outside the project."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ANJIAN = Path(sys.executable).with_name("anjian")
COMMAND = [str(ANJIAN)] if ANJIAN.exists() else [sys.executable, "-m", "anjian.cli"]


def anjian(*argv):
    return subprocess.run(
        [*COMMAND, "calc", *argv], capture_output=True, text=True, timeout=60, check=False
    )


def run_ok(*argv):
    done = anjian(*argv)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def run_refused(*argv):
    done = anjian(*argv)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip()
    return done.stderr


def test_given_mixed_criteria_when_accident_grade_then_grade_and_decided_by():
    out = run_ok("accident-grade", "--deaths", "2", "--serious", "10", "--loss-yuan", "0")
    assert out["grade"] == "较大"
    assert out["decided_by"] == ["serious_injuries"]
    assert out["code"] == "larger"
    assert out["thresholds"]["deaths"] == {"larger": 3, "major": 10, "especially_major": 30}


@pytest.mark.parametrize(
    ("deaths", "serious", "loss", "grade"),
    [
        ("2", "9", "9999999.99", "一般"),
        ("3", "0", "0", "较大"),
        ("10", "0", "0", "重大"),
        ("30", "0", "0", "特别重大"),
        ("0", "0", "100000000", "特别重大"),
    ],
)
def test_given_boundaries_when_accident_grade_then_grade_in_chinese(deaths, serious, loss, grade):
    out = run_ok("accident-grade", "--deaths", deaths, "--serious", serious, "--loss-yuan", loss)
    assert out["grade"] == grade


def test_given_a_zero_accident_when_accident_grade_then_general_decided_by_empty_list():
    out = run_ok("accident-grade", "--deaths", "0", "--serious", "0", "--loss-yuan", "0")
    assert (out["grade"], out["decided_by"]) == ("一般", [])


def test_given_loss_when_accident_grade_then_numbers_are_json_numbers():
    out = run_ok("accident-grade", "--deaths", "1", "--serious", "0", "--loss-yuan", "1234.5")
    assert out["loss_yuan"] == 1234.5 and out["deaths"] == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--deaths", "-1", "--serious", "0", "--loss-yuan", "0"],
        ["--deaths", "1.5", "--serious", "0", "--loss-yuan", "0"],
        ["--deaths", "1", "--serious", "x", "--loss-yuan", "0"],
        ["--deaths", "1", "--serious", "0", "--loss-yuan", "-5"],
        ["--deaths", "1", "--serious", "0"],
    ],
)
def test_given_bad_input_when_accident_grade_then_nonzero_exit_and_message(argv):
    assert run_refused("accident-grade", *argv)


def test_given_a_refused_value_when_accident_grade_then_json_error_names_the_field():
    error = json.loads(
        run_refused("accident-grade", "--deaths", "-2", "--serious", "0", "--loss-yuan", "0")
    )
    assert error["field"] == "deaths" and error["code"] == "negative"
    assert error["error"] and error["error_en"]


FULL = [
    "injury-rates",
    "--workforce",
    "2000",
    "--deaths",
    "1",
    "--serious",
    "2",
    "--minor",
    "10",
    "--lost-days-serious",
    "400",
    "--lost-days-minor",
    "300",
    "--hours",
    "4000000",
]


def test_given_days_and_hours_when_injury_rates_then_all_five_rates_as_numbers():
    out = run_ok(*FULL)
    assert out["per_thousand_deaths"] == 0.5
    assert out["per_thousand_serious"] == 1.0
    assert out["frequency_A"] == 3.25
    assert out["severity_B"] == 1675.0
    assert out["average_N"] == 515.3846
    assert all(isinstance(out[k], float) for k in ("frequency_A", "severity_B", "average_N"))


def test_given_counts_only_when_injury_rates_then_per_thousand_only():
    out = run_ok(
        "injury-rates", "--workforce", "400", "--deaths", "1", "--serious", "1", "--minor", "0"
    )
    assert (out["per_thousand_deaths"], out["per_thousand_serious"]) == (2.5, 2.5)
    assert "frequency_A" not in out


def test_given_no_injured_when_injury_rates_then_average_n_is_null():
    out = run_ok(
        "injury-rates",
        "--workforce",
        "10",
        "--deaths",
        "0",
        "--serious",
        "0",
        "--minor",
        "0",
        "--lost-days-serious",
        "0",
        "--lost-days-minor",
        "0",
        "--hours",
        "1000",
    )
    assert out["frequency_A"] == 0 and out["average_N"] is None


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--workforce", "0"),
        ("--hours", "0"),
        ("--hours", "-1"),
        ("--minor", "-1"),
        ("--deaths", "x"),
    ],
)
def test_given_bad_input_when_injury_rates_then_nonzero_exit_and_message(flag, value):
    argv = list(FULL)
    argv[argv.index(flag) + 1] = value
    assert run_refused(*argv)


def test_given_lost_days_without_hours_when_injury_rates_then_refused():
    assert run_refused(*FULL[:-2])


def test_given_recordable_and_dart_when_osha_then_trc_and_dart():
    out = run_ok("osha", "--recordable", "3", "--dart-cases", "2", "--hours", "150000")
    assert (out["TRC"], out["DART"]) == (4.0, 2.6667)


def test_given_only_recordable_when_osha_then_trc_only():
    out = run_ok("osha", "--recordable", "1", "--hours", "400000")
    assert out["TRC"] == 0.5 and "DART" not in out


def test_given_only_dart_when_osha_then_dart_only():
    out = run_ok("osha", "--dart-cases", "1", "--hours", "400000")
    assert out["DART"] == 0.5 and "TRC" not in out


def test_given_fatalities_when_osha_then_added_to_trc():
    out = run_ok("osha", "--recordable", "3", "--fatalities", "1", "--hours", "150000")
    assert out["TRC"] == 5.3333 and out["TRC_includes_fatalities"] is True


@pytest.mark.parametrize(
    "argv",
    [
        ["--hours", "1000"],
        ["--recordable", "1", "--hours", "0"],
        ["--recordable", "-1", "--hours", "1000"],
        ["--dart-cases", "1.5", "--hours", "1000"],
        ["--recordable", "1"],
    ],
)
def test_given_bad_input_when_osha_then_nonzero_exit_and_message(argv):
    assert run_refused("osha", *argv)
