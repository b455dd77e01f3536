"""Appending to and verifying the audit chain. Every service that writes calls
`audit_append` inside its own transaction, so the entry lands with the change or not at all.

Each row is sealed with an HMAC under the audit key (settings.ANJIAN_AUDIT_KEY, never in
the database); `audit_checkpoint` appends a signed record of the chain's head to a file
outside the database, and `audit_verify` checks the rows, the head and every checkpoint."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from .chain import (
    GENESIS_HASH,
    MAC_VERSION,
    ChainKey,
    ChainReport,
    CheckpointFile,
    check_against_checkpoints,
    checkpoint_line,
    checkpoint_record,
    read_checkpoints,
    row_mac,
    verify_legacy_rows,
    verify_rows,
)
from .models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from anjian.accounts.models import User


@lru_cache(maxsize=4)
def _derive(secret: str) -> ChainKey:
    return ChainKey.from_secret(secret)


def chain_key() -> ChainKey:
    # Read on each call (cached per value) so that override_settings in tests takes effect.
    return _derive(settings.ANJIAN_AUDIT_KEY)


@dataclass(frozen=True)
class Actor:
    """Who does a write: a signed-in user, a machine client (a token of a service
    account) or the system itself (jobs, demo loader)."""

    user: User | None
    via: str  # web, api, admin, cli, job, demo
    label: str = ""

    @classmethod
    def for_user(cls, user: User, via: str) -> Actor:
        return cls(user=user, via=via, label=user.get_username())

    @classmethod
    def system(cls, via: str, label: str = "system") -> Actor:
        return cls(user=None, via=via, label=label)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


def _jsonable(value: Any) -> Any:
    # Store exactly what is hashed: a JSON round trip fixes dates, decimals and ids to text.
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def audit_append(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: their checks (which
            # share-lock the referenced rows) would run at COMMIT, i.e. while this
            # transaction holds the chain head — and a writer holding such a row and
            # waiting for the head would deadlock with us. Checking them now, before the
            # head is taken, orders every lock before the head.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        # Microseconds survive both SQLite and PostgreSQL, so the stored time hashes the same.
        at = timezone.now().astimezone(dt.UTC)
        row = {
            "seq": head.last_seq + 1,
            "at": at.isoformat(),
            "actor_id": actor.user_id,
            "actor_label": actor.label[:128],
            "via": actor.via,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "summary": summary[:255],
            "changes": _jsonable(changes or {}),
            "prev_hash": head.last_hash,
        }
        digest = row_mac(row, chain_key())
        entry = AuditEntry.objects.create(
            **{**row, "at": at, "hash": digest, "mac_version": MAC_VERSION}
        )
        head.last_seq = entry.seq
        head.last_hash = digest
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level changes as {field: [old, new]} for the audit entry."""
    return {
        key: [before.get(key), after.get(key)]
        for key in after
        if _jsonable(before.get(key)) != _jsonable(after.get(key))
    }


_ROW_FIELDS = (
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
    "hash",
    "mac_version",
)


def _rows(
    queryset: models.QuerySet, *, after: int = 0, upto: int | None = None, chunk_size: int = 5000
) -> Iterator[dict[str, Any]]:
    """The stored rows as the chain functions read them, in seq order."""
    queryset = queryset.filter(seq__gt=after).order_by("seq")
    if upto is not None:
        queryset = queryset.filter(seq__lte=upto)
    for row in queryset.values(*_ROW_FIELDS).iterator(chunk_size=chunk_size):
        row["at"] = row["at"].astimezone(dt.UTC).isoformat()
        yield row


def _head(model: type[models.Model] = AuditHead, using: str = "default") -> tuple[int, str]:
    head = model.objects.using(using).filter(id=1).first()
    return (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)


def checkpoint_path() -> Path:
    return Path(settings.ANJIAN_AUDIT_CHECKPOINT_FILE)


def _read_checkpoint_file(path: Path) -> CheckpointFile:
    try:
        with path.open(encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)  # never half a line being appended
            return read_checkpoints(handle, key=chain_key())
    except FileNotFoundError:
        return CheckpointFile([])
    except (OSError, UnicodeDecodeError) as exc:
        return CheckpointFile([], f"the checkpoint file cannot be read ({exc})")


def audit_verify(*, chunk_size: int = 5000, checkpoint_file: Path | None = None) -> ChainReport:
    """Walk the whole chain, then hold it against every signed checkpoint.

    The extra keys of the report: how many checkpoints verified, the newest one, and how
    many rows are newer than it (those are protected by the MAC alone)."""
    # Read in this order on a live system: every checkpoint read is at or behind the head
    # read next, and every row up to that head is committed with it. Rows appended during
    # the walk lie beyond the head and are looked at separately below.
    path = checkpoint_file or checkpoint_path()
    checkpoints = _read_checkpoint_file(path)
    head_seq, head_hash = _head()
    wanted = {record["seq"] for record in checkpoints.records}
    hash_at: dict[int, str] = {}

    def rows() -> Iterator[dict[str, Any]]:
        for row in _rows(AuditEntry.objects.all(), upto=head_seq, chunk_size=chunk_size):
            if row["seq"] in wanted:
                hash_at[row["seq"]] = row["hash"]
            yield row

    report = verify_rows(rows(), key=chain_key(), head_seq=head_seq, head_hash=head_hash)
    if report.ok:
        beyond = AuditEntry.objects.filter(seq__gt=head_seq).aggregate(last=Max("seq"))["last"]
        if beyond is not None and beyond > _head()[0]:
            report = ChainReport(
                False,
                report.checked,
                head_seq + 1,
                f"row {beyond} lies beyond the chain's head (row {head_seq})",
            )
    last = checkpoints.last
    extra = {
        "checkpoints": len(checkpoints.records),
        "last_checkpoint_seq": last["seq"] if last else None,
        "last_checkpoint_at": last["at"] if last else None,
        "rows_after_last_checkpoint": max(head_seq - (last["seq"] if last else 0), 0),
        "checkpoint_file": str(path),
    }
    if report.ok and checkpoints.problem:
        report = ChainReport(False, report.checked, None, checkpoints.problem)
    if report.ok:
        report = (
            check_against_checkpoints(
                checkpoints.records, hash_at=hash_at, head_seq=head_seq, checked=report.checked
            )
            or report
        )
    return ChainReport(report.ok, report.checked, report.first_broken_seq, report.problem, extra)


def _append_checkpoint(handle: Any, record: dict[str, Any]) -> None:
    handle.seek(0, os.SEEK_END)
    handle.write(checkpoint_line(record))
    handle.flush()
    os.fsync(handle.fileno())


def _open_locked(path: Path) -> Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    # Two schedulers firing at once must not both append after the same last line.
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def audit_checkpoint(*, kind: str = "scheduled", checkpoint_file: Path | None = None) -> dict:
    """Append a signed checkpoint of the chain's head to the checkpoint file.

    Only the rows since the previous checkpoint are walked (the previous one vouches for
    the rest), and nothing is signed when they do not verify: a checkpoint must never
    bless a chain that was already tampered with. Running it again with no new rows
    writes nothing."""
    path = checkpoint_file or checkpoint_path()
    key = chain_key()
    with _open_locked(path) as handle:
        handle.seek(0)
        existing = read_checkpoints(handle, key=key)
        result: dict[str, Any] = {"ok": False, "written": False, "file": str(path)}
        if existing.problem:
            return {**result, "problem": existing.problem}
        head_seq, head_hash = _head()
        last = existing.last
        start_seq, start_hash = (last["seq"], last["hash"]) if last else (0, GENESIS_HASH)
        if last and (head_seq, head_hash) == (start_seq, start_hash):
            return {**result, "ok": True, "seq": head_seq, "hash": head_hash, "verified": 0}
        if head_seq < start_seq:
            return {
                **result,
                "first_broken_seq": head_seq + 1,
                "problem": f"the chain ends at row {head_seq} but the last checkpoint "
                f"recorded row {start_seq}: rows were removed",
            }
        if start_seq:
            anchor = AuditEntry.objects.filter(seq=start_seq).values_list("hash", flat=True)
            if list(anchor) != [start_hash]:
                return {
                    **result,
                    "first_broken_seq": start_seq,
                    "problem": f"row {start_seq} differs from the last checkpoint",
                }
        report = verify_rows(
            _rows(AuditEntry.objects.all(), after=start_seq, upto=head_seq),
            key=key,
            head_seq=head_seq,
            head_hash=head_hash,
            start_seq=start_seq,
            start_hash=start_hash,
        )
        if not report.ok:
            return {**result, **report.as_dict(), "written": False}
        record = checkpoint_record(
            seq=head_seq,
            hash=head_hash,
            at=timezone.now().astimezone(dt.UTC).isoformat(),
            kind=kind,
            prev=last["sig"] if last else "",
            key=key,
        )
        _append_checkpoint(handle, record)
    return {
        **result,
        "ok": True,
        "written": True,
        "seq": head_seq,
        "hash": head_hash,
        "verified": report.checked,
    }


class BrokenLegacyChain(RuntimeError):
    pass


def audit_reseal_legacy(
    *,
    entry_model: type[models.Model],
    head_model: type[models.Model],
    using: str = "default",
    batch_size: int = 2000,
) -> dict[str, Any] | None:
    """Seal a chain written before issue 9 (plain SHA-256) with the audit key, once, from
    migration core 0003; on commit the sealed head becomes the first checkpoint.

    The old chain is verified first: re-sealing a broken chain would launder the damage,
    so that stops the migration unless ANJIAN_AUDIT_RESEAL_BROKEN is set (then the
    breakage is recorded in the checkpoint)."""
    entries = entry_model.objects.using(using)
    if not entries.exists():
        return None
    head_seq, head_hash = _head(head_model, using)
    legacy = verify_legacy_rows(_rows(entries.all()), head_seq=head_seq, head_hash=head_hash)
    if not legacy.ok and not settings.ANJIAN_AUDIT_RESEAL_BROKEN:
        raise BrokenLegacyChain(
            f"The audit chain is broken before it is sealed with the audit key: "
            f"{legacy.problem}. Restore the database from a backup, or set "
            f"ANJIAN_AUDIT_RESEAL_BROKEN=1 to seal it as it is (the breakage is recorded)."
        )
    key = chain_key()
    prev, last_seq = GENESIS_HASH, 0
    connection = connections[using]
    update = (
        f"UPDATE {connection.ops.quote_name(entry_model._meta.db_table)} "  # noqa: S608 - the model's own table
        "SET prev_hash = %s, hash = %s, mac_version = %s WHERE seq = %s"
    )
    while True:
        # Pages by seq rather than one open cursor: the rows read are being rewritten.
        page = list(
            entries.filter(seq__gt=last_seq).order_by("seq").values(*_ROW_FIELDS)[:batch_size]
        )
        if not page:
            break
        sealed = []
        for row in page:
            row["at"] = row["at"].astimezone(dt.UTC).isoformat()
            row["prev_hash"] = prev
            prev = row_mac(row, key)
            sealed.append((row["prev_hash"], prev, MAC_VERSION, row["seq"]))
        # One plain statement per row: bulk_update's CASE grows with the batch.
        with connection.cursor() as cursor:
            cursor.executemany(update, sealed)
        last_seq = page[-1]["seq"]
    head_model.objects.using(using).update_or_create(
        id=1, defaults={"last_seq": last_seq, "last_hash": prev}
    )
    notes: dict[str, Any] = {"legacy_head": head_hash, "legacy_ok": legacy.ok}
    if not legacy.ok:
        notes["legacy_problem"] = legacy.problem
    sealed_head = (last_seq, prev)
    # Only once the re-sealed rows are committed: a checkpoint of a rolled-back
    # migration would later accuse an intact chain.
    transaction.on_commit(lambda: _write_reseal_checkpoint(*sealed_head, notes), using=using)
    return {"seq": last_seq, "hash": prev, **notes}


def _write_reseal_checkpoint(seq: int, hash_: str, notes: dict[str, Any]) -> None:
    path = checkpoint_path()
    if path.exists() and path.stat().st_size:
        # No checkpoints existed before the chain was keyed: a file there belongs to some
        # other database. Kept aside, not deleted.
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        path.rename(path.with_name(f"{path.name}.before-reseal-{stamp}"))
    with _open_locked(path) as handle:
        record = checkpoint_record(
            seq=seq,
            hash=hash_,
            at=timezone.now().astimezone(dt.UTC).isoformat(),
            kind="reseal",
            prev="",
            key=chain_key(),
            **notes,
        )
        _append_checkpoint(handle, record)
