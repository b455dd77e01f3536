import json
import subprocess
import sys

import pytest

from anjian.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_given_valid_code_when_calc_uscc_then_json_valid_and_exit_0(capsys):
    code, out = run_cli(capsys, "calc", "uscc", "91350100M000100Y43")
    assert code == 0 and out == {"code": "91350100M000100Y43", "valid": True, "reason": None}


def test_given_wrong_check_character_when_calc_uscc_then_reason_and_exit_0(capsys):
    code, out = run_cli(capsys, "calc", "uscc", "91350100M000100Y44")
    assert code == 0 and out["valid"] is False and "校验位" in out["reason"]


def test_given_english_when_calc_uscc_then_english_reason(capsys):
    _, out = run_cli(capsys, "calc", "uscc", "9135", "--lang", "en")
    assert out["reason"].startswith("A unified social credit code has 18 characters")


def test_given_missing_argument_when_calc_uscc_then_non_zero_with_usage():
    with pytest.raises(SystemExit) as exit_info:
        main(["calc", "uscc"])
    assert exit_info.value.code == 2


def test_given_installed_console_script_when_run_then_same_json():
    done = subprocess.run(
        [sys.executable, "-m", "anjian.cli", "calc", "uscc", "91350100M000100Y43"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout)["valid"] is True
