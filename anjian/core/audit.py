"""Appending to and verifying the audit chain. Every service that writes calls
`audit_append` inside its own transaction, so the entry lands with the change or not at all."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from .chain import ChainReport, row_hash, verify_rows
from .models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from anjian.accounts.models import User


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
        digest = row_hash(row)
        entry = AuditEntry.objects.create(**{**row, "at": at, "hash": digest})
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


def audit_verify(*, chunk_size: int = 5000) -> ChainReport:
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "0" * 64)

    def rows():
        for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
            yield {
                "seq": entry.seq,
                "at": entry.at.astimezone(dt.UTC).isoformat(),
                "actor_id": entry.actor_id,
                "actor_label": entry.actor_label,
                "via": entry.via,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "summary": entry.summary,
                "changes": entry.changes,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }

    return verify_rows(rows(), head_seq=head_seq, head_hash=head_hash)
