"""`anjian calc enterprise-class --score S [--direct-red]`: one JSON object and exit 0, or
exit 2 with a JSON error on stderr and nothing on stdout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from anjian.cli import main


def run(capsys, *argv):
    code = main(["calc", "enterprise-class", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("score", "colour", "class_zh"),
    [
        ("0", "red", "红"),
        ("59.99", "red", "红"),
        ("60", "orange", "橙"),
        ("74.99", "orange", "橙"),
        ("75", "yellow", "黄"),
        ("89.99", "yellow", "黄"),
        ("90", "blue", "蓝"),
        ("100", "blue", "蓝"),
    ],
)
def test_given_a_score_when_calc_then_one_json_object_with_its_class(
    capsys, score, colour, class_zh
):
    code, out, err = run(capsys, "--score", score)
    assert code == 0 and err == ""
    payload = json.loads(out)
    assert (payload["colour"], payload["score"], payload["class_zh"]) == (colour, score, class_zh)
    assert payload["direct_red"] is False
    assert [b["colour"] for b in payload["bands"]] == ["red", "orange", "yellow", "blue"]
    assert payload["bands"][2] == {
        "colour": "yellow",
        "class_zh": "黄",
        "from": "75",
        "below": "90",
    }
    assert "危险化学品生产储存企业安全风险评估诊断分级指南" in payload["source"]


def test_given_direct_red_when_calc_then_red_whatever_the_score(capsys):
    code, out, _ = run(capsys, "--score", "100", "--direct-red")
    payload = json.loads(out)
    assert code == 0 and (payload["colour"], payload["score_colour"]) == ("red", "blue")
    assert payload["direct_red"] is True and payload["class_zh"] == "红"


def test_given_trailing_zeros_when_calc_then_plain_exact_score(capsys):
    _, out, _ = run(capsys, "--score", "75.000")
    assert json.loads(out)["score"] == "75"


@pytest.mark.parametrize(
    ("score", "code"),
    [
        ("abc", "not_number"),
        ("", "not_number"),
        ("NaN", "not_number"),
        ("inf", "not_number"),
        ("-0.01", "score_range"),
        ("-5", "score_range"),
        ("100.01", "score_range"),
        ("1e3", "score_range"),
    ],
)
def test_given_a_bad_score_when_calc_then_exit_2_and_a_json_error_on_stderr(capsys, score, code):
    exit_code, out, err = run(capsys, f"--score={score}")
    assert exit_code == 2 and out == ""
    error = json.loads(err)
    assert error["code"] == code and error["field"] == "score"
    assert error["error"] and error["error_en"]


def test_given_no_score_when_calc_then_argparse_exit_2():
    with pytest.raises(SystemExit) as exit_info:
        main(["calc", "enterprise-class"])
    assert exit_info.value.code == 2


def test_given_the_console_script_when_run_then_same_json_and_exit_codes():
    ok = subprocess.run(
        [sys.executable, "-m", "anjian.cli", "calc", "enterprise-class", "--score", "60"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["colour"] == "orange"
    bad = subprocess.run(
        [sys.executable, "-m", "anjian.cli", "calc", "enterprise-class", "--score", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == "" and json.loads(bad.stderr)["code"]
