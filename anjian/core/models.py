"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One create / change / transition, by a user, a machine client or the system.

    `seq` is assigned by the appender while it holds the chain head lock, so the chain
    has no gaps; `hash` covers every other column and the previous row's hash. The actor
    is kept as plain values (not a foreign key) so that nothing can rewrite a row later.
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=128)
    via = models.CharField(_("channel"), max_length=16)
    action = models.CharField(_("action"), max_length=32)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row that serialises appenders and remembers the chain's tip, so that
    removing the newest rows is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
