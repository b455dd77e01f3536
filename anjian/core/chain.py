"""Pure functions of the audit hash chain (no Django import): the canonical form of a
row, its hash, and the walk that finds the first broken link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "via",
    "action",
    "object_type",
    "object_id",
    "summary",
    "changes",
    "prev_hash",
)


def canonical(row: Mapping[str, Any]) -> bytes:
    payload = {name: row[name] for name in HASHED_FIELDS}
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")


def row_hash(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_broken_seq": self.first_broken_seq,
            "problem": self.problem,
        }


def verify_rows(rows: Iterable[Mapping[str, Any]], *, head_seq: int, head_hash: str) -> ChainReport:
    """Walk rows in seq order. Rows carry the stored `hash` besides HASHED_FIELDS.

    Detects: an edited row (its hash no longer matches), a removed row (a gap in seq or
    a prev_hash that does not link), removed newest rows (the head points further), and
    inserted rows (they cannot link both ways)."""
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(
                False, checked, expected_seq, f"row {expected_seq} is missing (next is {seq})"
            )
        if row["prev_hash"] != prev:
            return ChainReport(False, checked, seq, f"row {seq} does not link to row {seq - 1}")
        if row_hash(row) != row["hash"]:
            return ChainReport(False, checked, seq, f"row {seq} was altered after it was written")
        prev = row["hash"]
        expected_seq += 1
        checked += 1
    if checked != head_seq or prev != head_hash:
        return ChainReport(
            False,
            checked,
            checked + 1,
            f"the chain ends at row {checked} but its head records row {head_seq}",
        )
    return ChainReport(True, checked)
