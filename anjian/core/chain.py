"""Pure functions of the audit chain (no Django import): the canonical form of a row, its
keyed MAC, the walk that finds the first broken link, and the signed checkpoints of the
chain's head that are kept outside the database.

Why a key: with a bare hash anyone who can write to the database can edit a row and
recompute every later hash and the head. An HMAC needs the audit key, which lives outside
the database (environment or a key file). Why checkpoints: a holder of the key could still
rewrite the chain, and removing the newest rows and moving the head back needs no key at
all; a checkpoint file off the database pins the head as it was at a given time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64
# Version 1: plain SHA-256 (before issue 9), kept only to check a chain before re-sealing.
# Version 2: HMAC-SHA256 with the audit key. Only MAC_VERSION passes verification: a row
# turned back to version 1 could otherwise be forged without the key.
LEGACY_VERSION = 1
MAC_VERSION = 2

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


@dataclass(frozen=True, repr=False)
class ChainKey:
    """Sub-keys derived from the audit key, one per purpose, so that a row MAC can never
    be passed off as a checkpoint signature or the other way round."""

    row: bytes
    checkpoint: bytes

    @classmethod
    def from_secret(cls, secret: str | bytes) -> ChainKey:
        raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        if not raw:
            raise ValueError("the audit key is empty")

        def derive(purpose: bytes) -> bytes:
            return hmac.new(raw, b"anjian-audit/" + purpose, hashlib.sha256).digest()

        return cls(row=derive(b"row/v%d" % MAC_VERSION), checkpoint=derive(b"checkpoint/v1"))


def canonical(row: Mapping[str, Any]) -> bytes:
    payload = {name: row[name] for name in HASHED_FIELDS}
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")


def row_hash(row: Mapping[str, Any]) -> str:
    """The legacy (version 1) seal: SHA-256 without a key."""
    return hashlib.sha256(canonical(row)).hexdigest()


def row_mac(row: Mapping[str, Any], key: ChainKey) -> str:
    return hmac.new(key.row, canonical(row), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_broken_seq": self.first_broken_seq,
            "problem": self.problem,
            **self.extra,
        }


def _walk(
    rows: Iterable[Mapping[str, Any]],
    *,
    seal: Callable[[Mapping[str, Any]], str],
    version: int | None,
    head_seq: int,
    head_hash: str,
    start_seq: int,
    start_hash: str,
) -> ChainReport:
    expected_seq = start_seq + 1
    prev = start_hash
    checked = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(
                False, checked, expected_seq, f"row {expected_seq} is missing (next is {seq})"
            )
        if row["prev_hash"] != prev:
            return ChainReport(False, checked, seq, f"row {seq} does not link to row {seq - 1}")
        if version is not None and row.get("mac_version") != version:
            return ChainReport(
                False,
                checked,
                seq,
                f"row {seq} is not sealed with the audit key (scheme {row.get('mac_version')})",
            )
        if not hmac.compare_digest(seal(row), row["hash"]):
            problem = f"row {seq} was altered after it was written"
            if seq == start_seq + 1 == 1:
                # A wrong key breaks the very first row: say so rather than cry forgery.
                problem += " (or ANJIAN_AUDIT_KEY is not the key that sealed this chain)"
            return ChainReport(False, checked, seq, problem)
        prev = row["hash"]
        expected_seq += 1
        checked += 1
    last = start_seq + checked
    if last != head_seq or prev != head_hash:
        return ChainReport(
            False,
            checked,
            last + 1,
            f"the chain ends at row {last} but its head records row {head_seq}",
        )
    return ChainReport(True, checked)


def verify_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    key: ChainKey,
    head_seq: int,
    head_hash: str,
    start_seq: int = 0,
    start_hash: str = GENESIS_HASH,
) -> ChainReport:
    """Walk rows in seq order, from the row after `start_seq` (whose hash is `start_hash`).
    Rows carry the stored `hash` and `mac_version` besides HASHED_FIELDS.

    Detects: an edited row (its MAC no longer matches; recomputing it needs the key), a
    removed row (a gap in seq or a prev_hash that does not link), removed newest rows (the
    head points further), inserted rows (they cannot link both ways) and rows turned back
    to the unkeyed scheme."""
    return _walk(
        rows,
        seal=lambda row: row_mac(row, key),
        version=MAC_VERSION,
        head_seq=head_seq,
        head_hash=head_hash,
        start_seq=start_seq,
        start_hash=start_hash,
    )


def verify_legacy_rows(
    rows: Iterable[Mapping[str, Any]], *, head_seq: int, head_hash: str
) -> ChainReport:
    """The pre-MAC walk (plain SHA-256), used once before a chain is re-sealed."""
    return _walk(
        rows,
        seal=row_hash,
        version=None,
        head_seq=head_seq,
        head_hash=head_hash,
        start_seq=0,
        start_hash=GENESIS_HASH,
    )


# --- checkpoints -----------------------------------------------------------------------------

CHECKPOINT_FIELDS = ("seq", "hash", "at", "kind", "prev")


def checkpoint_signature(record: Mapping[str, Any], key: ChainKey) -> str:
    # Every field but the signature itself, so notes like the legacy head are covered too.
    payload = {name: value for name, value in record.items() if name != "sig"}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key.checkpoint, text.encode("utf-8"), hashlib.sha256).hexdigest()


def checkpoint_record(
    *,
    seq: int,
    hash: str,
    at: str,
    kind: str,
    prev: str,
    key: ChainKey,
    **notes: Any,
) -> dict[str, Any]:
    """One line of the checkpoint file. `prev` is the previous line's signature, so a line
    cut out of the middle of the file is noticed too."""
    record: dict[str, Any] = {
        "seq": seq,
        "hash": hash,
        "at": at,
        "kind": kind,
        "prev": prev,
        **notes,
    }
    record["sig"] = checkpoint_signature(record, key)
    return record


def checkpoint_line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class CheckpointFile:
    """The checkpoints of a file that verified, or the first problem found in it."""

    records: list[dict[str, Any]]
    problem: str = ""
    bad_line: int | None = None

    @property
    def last(self) -> dict[str, Any] | None:
        return self.records[-1] if self.records else None


def read_checkpoints(lines: Iterable[str], *, key: ChainKey) -> CheckpointFile:
    """Parse and check the checkpoint lines: each signed with the key, each linked to the
    one before, seq never going backwards."""
    records: list[dict[str, Any]] = []
    prev_sig = ""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue

        def bad(problem: str, number: int = number) -> CheckpointFile:
            return CheckpointFile(records, f"checkpoint line {number} {problem}", number)

        try:
            record = json.loads(line)
        except ValueError:
            return bad("is not JSON")
        if (
            not isinstance(record, dict)
            or not all(name in record for name in (*CHECKPOINT_FIELDS, "sig"))
            or not isinstance(record["seq"], int)
            or isinstance(record["seq"], bool)
            or not isinstance(record["hash"], str)
            or not isinstance(record["sig"], str)
        ):
            return bad("is not a checkpoint")
        if not hmac.compare_digest(checkpoint_signature(record, key), record["sig"]):
            return bad("is not signed with the audit key (forged or edited)")
        if record["prev"] != prev_sig:
            return bad("does not follow the line before it (a line was removed or reordered)")
        if records and record["seq"] < records[-1]["seq"]:
            return bad("goes back in the chain")
        records.append(record)
        prev_sig = record["sig"]
    return CheckpointFile(records)


def check_against_checkpoints(
    records: Iterable[Mapping[str, Any]],
    *,
    hash_at: Mapping[int, str],
    head_seq: int,
    checked: int,
) -> ChainReport | None:
    """Compare the chain with the checkpoints (all already verified). `hash_at` holds the
    stored hash of each row a checkpoint names. None when they agree.

    Catches what a walk cannot: a chain rewritten by a holder of the key (the row at a
    checkpoint no longer has the signed hash) and the newest rows removed together with
    the head moved back (the head is behind a checkpoint)."""
    previous_seq = 0
    for record in records:
        seq, signed = record["seq"], record["hash"]
        if seq > head_seq:
            return ChainReport(
                False,
                checked,
                head_seq + 1,
                f"the chain ends at row {head_seq} but the checkpoint of {record['at']} "
                f"recorded row {seq}: rows were removed",
            )
        if seq == 0:
            previous_seq = seq
            continue
        stored = hash_at.get(seq)
        if stored is None or not hmac.compare_digest(stored, signed):
            # Which row was rewritten cannot be told, only the stretch since the last
            # checkpoint that still agrees: name its first row.
            return ChainReport(
                False,
                checked,
                previous_seq + 1,
                f"row {seq} differs from the checkpoint of {record['at']}: a row after "
                f"row {previous_seq} and up to row {seq} was rewritten",
            )
        previous_seq = seq
    return None
