"""The scorer's JSON-lines file contract (issue 12 item 3). Pure: no Django.

Scripts outside the project rely on it, so it is exact:

    {"type": "check", "id", "enterprise", "checker", "device", "unit", "task",
     "cycle": "day"|"week"|"month", "due_at", "started_at", "submitted_at", "items",
     "answers": ["normal"|"hazard_found"|"not_checked"|"other", one per item],
     "note", "lat", "lon", "photos": ["16 hex digits", ...]}
    {"type": "site", "enterprise", "lat", "lon"}
    {"type": "alarm", "enterprise", "unit", "from", "to"}
    {"type": "finding", "enterprise", "unit", "at", "by"}

in any order, one JSON object a line, times ISO 8601 with their UTC offset. Blank lines
are skipped; fields outside the contract are ignored (a newer writer may add some).
Reading is all-or-nothing: every error of the file is collected with its line number
and field, and a file with any error gives no records at all, so no one scores half a
file without noticing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from anjian.checks.authenticity import (
    ANSWERS,
    CYCLES,
    AlarmSpan,
    CheckRecord,
    Finding,
    Scores,
    Site,
)

_HEX16 = re.compile(r"[0-9a-fA-F]{16}")
_CODE_FIELDS = {
    "check": ("id", "enterprise", "checker", "device", "unit", "task"),
    "site": ("enterprise",),
    "alarm": ("enterprise", "unit"),
    "finding": ("enterprise", "unit", "by"),
}


@dataclass(frozen=True)
class LineError:
    line: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


class ScoreFileError(ValueError):
    """All the errors of one file, in line order."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the file")
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        return {"errors": [e.as_dict() for e in self.errors]}


@dataclass
class ScoreInput:
    records: list[CheckRecord] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    alarms: list[AlarmSpan] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


class _Line:
    """Field readers for one object; each problem is noted and reading goes on."""

    def __init__(self, number: int, obj: dict[str, Any], errors: list[LineError]) -> None:
        self.line_no, self.obj, self.errors = number, obj, errors
        self.ok = True

    def fail(self, name: str, message: str) -> None:
        self.ok = False
        self.errors.append(LineError(self.line_no, name, message))

    def present(self, name: str) -> Any:
        if name not in self.obj or self.obj[name] is None:
            self.fail(name, "missing field")
            return None
        return self.obj[name]

    def code(self, name: str) -> str:
        value = self.present(name)
        if value is None:
            return ""
        # Identifiers from other systems are sometimes numbers; their text is the code.
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(name, "must be a string")
            return ""
        text = str(value).strip()
        if not text:
            self.fail(name, "must not be empty")
        return text

    def text(self, name: str) -> str:
        value = self.present(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return ""
        return value

    def number(self, name: str, low: float, high: float) -> float:
        value = self.present(name)
        if value is None:
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, "must be a number")
            return 0.0
        if not low <= value <= high:
            self.fail(name, f"must be between {low:g} and {high:g}")
            return 0.0
        return float(value)

    def time(self, name: str) -> datetime | None:
        value = self.present(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, "must be an ISO 8601 time string")
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(name, "not an ISO 8601 time")
            return None
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.fail(name, "time without UTC offset")
            return None
        return moment


def _check(line: _Line, codes: dict[str, str]) -> CheckRecord | None:
    cycle = line.text("cycle")
    if cycle and cycle not in CYCLES:
        line.fail("cycle", "must be one of " + ", ".join(CYCLES))
    due_at, started_at, submitted_at = (
        line.time("due_at"),
        line.time("started_at"),
        line.time("submitted_at"),
    )
    items_value = line.present("items")
    items = 0
    if items_value is not None:
        if isinstance(items_value, bool) or not isinstance(items_value, int) or items_value < 1:
            line.fail("items", "must be a whole number of at least 1")
        else:
            items = items_value
    answers_value = line.present("answers")
    answers: tuple[str, ...] = ()
    if answers_value is not None:
        if not isinstance(answers_value, list):
            line.fail("answers", "must be a list")
        else:
            wrong = [a for a in answers_value if a not in ANSWERS]
            if wrong:
                line.fail("answers", f"unknown answer {wrong[0]!r}: one of " + ", ".join(ANSWERS))
            elif items and len(answers_value) != items:
                line.fail("answers", f"{len(answers_value)} answers for {items} items")
            answers = tuple(answers_value)
    note = line.text("note")
    lat, lon = line.number("lat", -90, 90), line.number("lon", -180, 180)
    photos_value = line.present("photos")
    photos: tuple[str, ...] = ()
    if photos_value is not None:
        if not isinstance(photos_value, list) or not all(
            isinstance(p, str) and _HEX16.fullmatch(p) for p in photos_value
        ):
            line.fail("photos", "must be a list of 16 hex digit hashes")
        else:
            photos = tuple(p.lower() for p in photos_value)
    if not line.ok or due_at is None or started_at is None or submitted_at is None:
        return None
    return CheckRecord(
        id=codes["id"],
        enterprise=codes["enterprise"],
        checker=codes["checker"],
        device=codes["device"],
        unit=codes["unit"],
        task=codes["task"],
        cycle=cycle,
        due_at=due_at,
        started_at=started_at,
        submitted_at=submitted_at,
        items=items,
        answers=answers,
        note=note,
        lat=lat,
        lon=lon,
        photos=photos,
    )


def parse_lines(lines: Iterable[str]) -> ScoreInput:
    """The file's records and context, or ScoreFileError with every error in it."""
    errors: list[LineError] = []
    parsed = ScoreInput()
    seen_ids: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError as error:
            errors.append(LineError(number, None, f"bad JSON: {error}"))
            continue
        if not isinstance(obj, dict):
            errors.append(LineError(number, None, "not a JSON object"))
            continue
        kind = obj.get("type")
        if kind not in _CODE_FIELDS:
            errors.append(
                LineError(
                    number,
                    "type",
                    "missing field" if kind is None else f"unknown type {kind!r}",
                )
            )
            continue
        line = _Line(number, obj, errors)
        codes = {name: line.code(name) for name in _CODE_FIELDS[kind]}
        if kind == "check":
            record = _check(line, codes)
            if codes["id"] in seen_ids:
                line.fail("id", f"duplicate of line {seen_ids[codes['id']]}")
            elif codes["id"]:
                seen_ids[codes["id"]] = number
            if record is not None and line.ok:
                parsed.records.append(record)
        elif kind == "site":
            lat, lon = line.number("lat", -90, 90), line.number("lon", -180, 180)
            if line.ok:
                parsed.sites.append(Site(codes["enterprise"], lat, lon))
        elif kind == "alarm":
            start, end = line.time("from"), line.time("to")
            if start and end and end < start:
                line.fail("to", "before from")
            if line.ok and start and end:
                parsed.alarms.append(AlarmSpan(codes["enterprise"], codes["unit"], start, end))
        else:
            at = line.time("at")
            if line.ok and at:
                parsed.findings.append(Finding(codes["enterprise"], codes["unit"], at, codes["by"]))
    if errors:
        raise ScoreFileError(errors)
    return parsed


def _time(moment: datetime) -> str:
    return moment.isoformat()


def record_line(record: CheckRecord) -> dict[str, Any]:
    return {
        "type": "check",
        "id": record.id,
        "enterprise": record.enterprise,
        "checker": record.checker,
        "device": record.device,
        "unit": record.unit,
        "task": record.task,
        "cycle": record.cycle,
        "due_at": _time(record.due_at),
        "started_at": _time(record.started_at),
        "submitted_at": _time(record.submitted_at),
        "items": record.items,
        "answers": list(record.answers),
        "note": record.note,
        "lat": record.lat,
        "lon": record.lon,
        "photos": list(record.photos),
    }


def context_lines(
    sites: Iterable[Site] = (),
    alarms: Iterable[AlarmSpan] = (),
    findings: Iterable[Finding] = (),
) -> Iterator[dict[str, Any]]:
    for s in sites:
        yield {"type": "site", "enterprise": s.enterprise, "lat": s.lat, "lon": s.lon}
    for a in alarms:
        yield {
            "type": "alarm",
            "enterprise": a.enterprise,
            "unit": a.unit,
            "from": _time(a.start),
            "to": _time(a.end),
        }
    for f in findings:
        yield {
            "type": "finding",
            "enterprise": f.enterprise,
            "unit": f.unit,
            "at": _time(f.at),
            "by": f.by,
        }


def dump_lines(
    records: Iterable[CheckRecord],
    sites: Iterable[Site] = (),
    alarms: Iterable[AlarmSpan] = (),
    findings: Iterable[Finding] = (),
) -> Iterator[str]:
    """The JSON-lines text of records and context, one line each (newline included)."""
    for record in records:
        yield json.dumps(record_line(record), ensure_ascii=False) + "\n"
    for obj in context_lines(sites, alarms, findings):
        yield json.dumps(obj, ensure_ascii=False) + "\n"


def scores_json(scores: Scores) -> str:
    """The contract's output object as one line of JSON."""
    return json.dumps(scores.as_dict(), ensure_ascii=False)
