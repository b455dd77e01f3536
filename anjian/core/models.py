"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditEntry(models.Model):
    """One create / change / transition, by a user, a machine client or the system.

    `seq` is assigned by the appender while it holds the chain head lock, so the chain
    has no gaps; `hash` is a MAC with the audit key (kept outside the database) over every
    other column and the previous row's hash; `mac_version` names the scheme (2: HMAC-
    SHA256; 1 was plain SHA-256, re-sealed by migration 0003). The actor is kept as plain
    values (not a foreign key) so that nothing can rewrite a row later. Triggers refuse
    UPDATE and DELETE (migration 0004).
    """

    seq = models.BigIntegerField(_("sequence number"), primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=128)
    via = models.CharField(_("channel"), max_length=16)
    action = models.CharField(_("action"), max_length=32)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous entry's MAC"), max_length=64)
    hash = models.CharField(_("MAC"), max_length=64, unique=True)
    mac_version = models.PositiveSmallIntegerField(_("MAC scheme"), default=2)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        # Shown as the admin's page title and breadcrumb: no internal codes there.
        return _("audit entry #%(seq)s") % {"seq": self.seq}


class AuditHead(models.Model):
    """The single row that serialises appenders and remembers the chain's tip, so that
    removing the newest rows is detected too. A trigger lets it move forward only
    (migration 0004); signed checkpoints outside the database pin it as well."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.last_seq}"


# --- notifications ----------------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    ASSIGNMENT = "assignment", pgettext_lazy("notification kind", "Assignment")
    DEADLINE = "deadline", pgettext_lazy("notification kind", "Deadline")
    ESCALATION = "escalation", pgettext_lazy("notification kind", "Escalation")
    DECISION = "decision", pgettext_lazy("notification kind", "Decision")
    OTHER = "other", _("Other")


class Notification(models.Model):
    """One message in a user's in-app inbox (written by anjian.core.notify.notify). Only
    its recipient ever sees it; reading it sets `read_at` once."""

    recipient = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    object_label = models.CharField(_("about"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SentMessageStatus(models.TextChoices):
    LOGGED = "logged", _("logged, not sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class SentMessage(models.Model):
    """What an external sender (SMS gateway, mail) did with one notification: the record
    of what went out, or with the default LoggingSender what would have gone out."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_label = models.CharField(_("recipient"), max_length=128)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    sender = models.CharField(_("sender"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=SentMessageStatus.choices)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return f"{self.recipient_label} · {self.title}"


class AppendOnly(models.Model):
    """Rows that are evidence (events, findings, signatures, issued documents): written
    once, never changed or deleted by the application. Corrections are new rows."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted")
