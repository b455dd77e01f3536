"""`anjian calc reward` run as the real command (subprocess): one JSON object on stdout,
exit 0; a refused input exits non-zero with a JSON message on stderr."""

import json
import subprocess
import sys

import pytest


def calc(*argv):
    done = subprocess.run(
        [sys.executable, "-m", "anjian.cli", "calc", "reward", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done


@pytest.mark.parametrize(
    ("argv", "reward"),
    [
        (["--kind", "hazard_or_violation", "--fine-yuan", "20000"], 3000),
        (["--kind", "hazard_or_violation", "--fine-yuan", "19999.99"], 3000),
        (["--kind", "hazard_or_violation", "--fine-yuan", "123456.78"], 18518.52),
        (["--kind", "hazard_or_violation", "--fine-yuan", "2000000"], 300000),
        (["--kind", "hazard_or_violation", "--fine-yuan", "2000000.01"], 300000),
        (["--kind", "hazard_or_violation", "--fine-yuan", "0"], 0),
        (["--kind", "concealed_accident", "--grade", "一般", "--deaths", "2"], 60000),
        (["--kind", "concealed_accident", "--grade", "较大", "--deaths", "3"], 120000),
        (["--kind", "concealed_accident", "--grade", "重大", "--deaths", "6"], 300000),
        (["--kind", "concealed_accident", "--grade", "特别重大", "--deaths", "30"], 300000),
        (["--kind", "concealed_accident", "--grade", "特别重大", "--deaths", "0"], 0),
        (
            ["--kind", "hazard_or_violation", "--fine-yuan", "1", "--profile", "example_province"],
            5000,
        ),
    ],
)
def test_given_valid_input_when_calc_reward_then_one_json_object_and_exit_0(argv, reward):
    done = calc(*argv)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert out["reward"] == reward
    assert out["reward_yuan"] == f"{reward:.2f}"
    assert "第六条" in out["basis"]["rule"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--kind", "hazard_or_violation"],  # missing fine
        ["--kind", "hazard_or_violation", "--fine-yuan", "-1"],
        ["--kind", "hazard_or_violation", "--fine-yuan", "abc"],
        ["--kind", "hazard_or_violation", "--fine-yuan", ""],
        ["--kind", "concealed_accident", "--grade", "小", "--deaths", "1"],
        ["--kind", "concealed_accident", "--deaths", "1"],
        ["--kind", "concealed_accident", "--grade", "一般"],
        ["--kind", "concealed_accident", "--grade", "一般", "--deaths", "-1"],
        ["--kind", "concealed_accident", "--grade", "一般", "--deaths", "1.5"],
        ["--kind", "bribery", "--fine-yuan", "1000"],
        ["--kind", "hazard_or_violation", "--fine-yuan", "1000", "--grade", "一般"],
        ["--kind", "hazard_or_violation", "--fine-yuan", "1000", "--profile", "mars"],
    ],
)
def test_given_bad_input_when_calc_reward_then_non_zero_and_message(argv):
    done = calc(*argv)
    assert done.returncode != 0
    assert done.stdout == ""
    error = json.loads(done.stderr.strip().splitlines()[-1])
    assert error["error"] and error["error_en"] and error["field"]


def test_given_no_kind_when_calc_reward_then_usage_and_non_zero():
    done = calc("--fine-yuan", "1000")
    assert done.returncode != 0 and "--kind" in done.stderr
