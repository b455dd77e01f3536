"""The scorer's command-line contract: `anjian checks score FILE.jsonl --json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from anjian.checks.authenticity import score
from anjian.checks.scorefile import ScoreFileError, dump_lines, parse_lines
from anjian.checks.synthetic import generate

ANJIAN = Path(sys.executable).with_name("anjian")


def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ANJIAN), "checks", "score", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def small():
    return generate(enterprises=8, seed=11, days=35)


def test_given_synthetic_lines_when_parsed_then_the_same_records_and_context(small):
    parsed = parse_lines(list(small.lines()))
    assert parsed.records == small.records
    assert (parsed.sites, parsed.alarms, parsed.findings) == (
        small.sites,
        small.alarms,
        small.findings,
    )


def test_given_a_file_when_scored_by_the_command_then_contract_keys_and_same_scores(
    small, tmp_path
):
    lines = list(small.lines())
    # "In any order": context first, records after, reversed.
    path = tmp_path / "checks.jsonl"
    path.write_text("".join(reversed(lines)), encoding="utf-8")
    done = run(str(path), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"enterprises", "records"}
    assert all(set(e) == {"enterprise", "score", "flag", "signals"} for e in out["enterprises"])
    assert all(set(r) == {"id", "flag", "signals"} for r in out["records"])
    signals = [s for e in out["enterprises"] for s in e["signals"]]
    signals += [s for r in out["records"] for s in r["signals"]]
    assert signals and all(set(s) == {"name", "evidence"} for s in signals)
    assert len(out["records"]) == len(small.records)
    expected = score(small.records, small.sites, small.alarms, small.findings).as_dict()
    assert out == json.loads(json.dumps(expected))


def test_given_stdin_dash_when_scored_then_the_same_output(small, tmp_path):
    text = "".join(small.lines())
    path = tmp_path / "checks.jsonl"
    path.write_text(text, encoding="utf-8")
    assert run("-", "--json", stdin=text).stdout == run(str(path), "--json").stdout


def test_given_the_same_file_twice_then_byte_identical_output(small, tmp_path):
    path = tmp_path / "checks.jsonl"
    path.write_text("".join(small.lines()), encoding="utf-8")
    assert run(str(path), "--json").stdout == run(str(path), "--json").stdout


def _good_check(**fields) -> str:
    values = {
        "type": "check",
        "id": "R1",
        "enterprise": "E1",
        "checker": "C1",
        "device": "P1",
        "unit": "U1",
        "task": "T1",
        "cycle": "day",
        "due_at": "2026-03-02T18:00:00+08:00",
        "started_at": "2026-03-02T09:00:00+08:00",
        "submitted_at": "2026-03-02T09:05:00+08:00",
        "items": 2,
        "answers": ["normal", "hazard_found"],
        "note": "",
        "lat": 30.0,
        "lon": 120.0,
        "photos": ["0123456789abcdef"],
    }
    values.update(fields)
    return json.dumps({k: v for k, v in values.items() if v is not ...}, ensure_ascii=False)


BAD_FILE = "\n".join(
    [
        _good_check(),
        "{not json",
        '{"type": "tank", "enterprise": "E1"}',
        _good_check(id="R2", unit=...),
        _good_check(id="R3", started_at="2026-03-02T09:00:00"),
        '{"type": "alarm", "enterprise": "E1", "unit": "U1", "from": "2026-03-02T10:00:00+08:00"}',
        _good_check(id="R4", answers=["normal"], photos=["xyz"]),
        _good_check(id="R1"),
        '{"type": "site", "enterprise": "E1", "lat": 95, "lon": 120}',
        "",
        '{"type": "finding", "enterprise": "E1", "unit": "U1", "at": "2026-03-02", "by": "report"}',
    ]
)


def test_given_errors_when_scored_then_exit_2_every_error_by_line_and_field_and_no_scores(
    tmp_path,
):
    path = tmp_path / "bad.jsonl"
    path.write_text(BAD_FILE, encoding="utf-8")
    done = run(str(path), "--json")
    assert done.returncode == 2 and done.stdout == ""
    errors = json.loads(done.stderr)["errors"]
    assert all(set(e) == {"line", "field", "message"} for e in errors)
    assert [(e["line"], e["field"]) for e in errors] == [
        (2, None),
        (3, "type"),
        (4, "unit"),
        (5, "started_at"),
        (6, "to"),
        (7, "answers"),
        (7, "photos"),
        (8, "id"),
        (9, "lat"),
        (11, "at"),
    ]
    by_line = {e["line"]: e["message"] for e in errors}
    assert by_line[2].startswith("bad JSON")
    assert "unknown type 'tank'" in by_line[3]
    assert by_line[4] == "missing field"
    assert by_line[5] == "time without UTC offset"
    assert by_line[8] == "duplicate of line 1"


def test_given_a_missing_file_when_scored_then_exit_2_with_an_error():
    done = run("/nonexistent/checks.jsonl", "--json")
    assert done.returncode == 2
    assert json.loads(done.stderr)["errors"][0]["line"] is None


def test_given_errors_when_parsed_in_process_then_one_exception_with_all():
    with pytest.raises(ScoreFileError) as caught:
        parse_lines(BAD_FILE.splitlines())
    assert len(caught.value.errors) == 10


def test_given_records_when_dumped_then_one_object_a_line_with_type(small):
    lines = list(dump_lines(small.records[:3], small.sites[:1]))
    assert [json.loads(line)["type"] for line in lines] == ["check"] * 3 + ["site"]
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
