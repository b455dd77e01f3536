"""Notifications: the in-app inbox and pluggable external senders (SMS, mail).

`notify(...)` writes one inbox row per recipient in the caller's transaction and, once
that transaction commits, hands each message to every configured sender. A rolled-back
step therefore leaves no inbox row and sends nothing.

Senders are named by dotted path in the setting ``ANJIAN_NOTIFY_SENDERS`` (a list; the
default is the LoggingSender, which sends nothing: it logs "SMS/mail not sent" to the
``anjian.notify`` logger). Whatever a sender does is recorded as a SentMessage row, so a
regulator can see what went out (or, with the default, what would have). A sender is any
object with ``send(message: Message) -> None`` that raises on failure; see
docs/notifications.md for plugging in an SMS gateway.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification, NotificationKind, SentMessage, SentMessageStatus
from .scoping import is_active_user

if TYPE_CHECKING:
    from anjian.accounts.models import User

logger = logging.getLogger("anjian.notify")

DEFAULT_SENDERS = ("anjian.core.notify.LoggingSender",)
TITLE_LIMIT = 200
LINK_LIMIT = 500
LABEL_LIMIT = 128


@dataclass(frozen=True)
class Message:
    """What a sender gets: one notification for one person, with the addresses we hold."""

    notification_id: int | None
    recipient_id: int
    recipient_label: str
    phone: str
    email: str
    kind: str
    title: str
    body: str
    link: str = ""

    @property
    def text(self) -> str:
        """Title and body as one short text (an SMS)."""
        return f"{self.title} {self.body}".strip()


@runtime_checkable
class Sender(Protocol):
    """An external channel. `send` delivers one message or raises; it must not write to
    the inbox (that is done already). Set `delivers = False` on a sender that only
    records (the status is then "logged, not sent")."""

    def send(self, message: Message) -> None: ...


class LoggingSender:
    """The default: sends nothing, logs what would have been sent."""

    delivers = False

    def send(self, message: Message) -> None:
        logger.info(
            "SMS/mail not sent (no gateway configured): to %s (phone %s, email %s): %s",
            message.recipient_label,
            message.phone or "-",
            message.email or "-",
            message.text,
        )


@cache
def _load(path: str) -> Sender:
    sender = import_string(path)
    if isinstance(sender, type):
        sender = sender()
    if not callable(getattr(sender, "send", None)):
        raise TypeError(f"{path} is not a notification sender (it has no send method)")
    return sender


def senders() -> list[tuple[str, Sender]]:
    paths = getattr(settings, "ANJIAN_NOTIFY_SENDERS", DEFAULT_SENDERS)
    return [(path, _load(path)) for path in paths]


def _label(user: Any) -> str:
    return (getattr(user, "display_name", "") or user.get_username())[:LABEL_LIMIT]


def deliver(messages: Iterable[Message]) -> int:
    """Hand each message to each sender and record the outcome; a failing sender is
    logged and recorded, never raised (the step it reports on is already committed)."""
    rows = []
    for path, sender in senders():
        delivers = getattr(sender, "delivers", True)
        for message in messages:
            status, error = (SentMessageStatus.SENT if delivers else SentMessageStatus.LOGGED), ""
            try:
                sender.send(message)
            except Exception as exc:
                logger.exception(
                    "notification sender %s failed for %s", path, message.recipient_label
                )
                status, error = SentMessageStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500]
            rows.append(
                SentMessage(
                    notification_id=message.notification_id,
                    recipient_id=message.recipient_id,
                    recipient_label=message.recipient_label,
                    phone=message.phone[:32],
                    email=message.email[:254],
                    sender=path[:200],
                    kind=message.kind,
                    title=message.title,
                    body=message.body,
                    status=status,
                    error=error,
                )
            )
    SentMessage.objects.bulk_create(rows)
    return len(rows)


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    object_label: str = "",
) -> list[Notification]:
    """Tell these people: one inbox row each (inactive users, users without a role and
    repeats are skipped), in the current transaction; external senders run on commit."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    people: dict[int, Any] = {}
    for user in recipients:
        if user is not None and is_active_user(user):
            people.setdefault(user.pk, user)
    if not people:
        return []
    now = timezone.now()
    title, link, object_label = title[:TITLE_LIMIT], link[:LINK_LIMIT], object_label[:LABEL_LIMIT]
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            title=title,
            body=body,
            link=link,
            object_label=object_label,
            created_at=now,
        )
        for pk in people
    ]
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        messages = [
            Message(
                notification_id=row.pk,
                recipient_id=row.recipient_id,
                recipient_label=_label(people[row.recipient_id]),
                phone=getattr(people[row.recipient_id], "phone", "") or "",
                email=getattr(people[row.recipient_id], "email", "") or "",
                kind=kind,
                title=title,
                body=body,
                link=link,
            )
            for row in created
        ]
        transaction.on_commit(lambda: deliver(messages), robust=True)
    return created


# --- the inbox ------------------------------------------------------------------------------


def inbox(user: Any) -> QuerySet[Notification]:
    """A user's own notifications, newest first; nobody else's, ever."""
    if not is_active_user(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


# What the home page lists as the user's to-dos: unread notifications that ask them to
# act (a step waits for them, a deadline, an escalation), not news.
TODO_KINDS: tuple[str, ...] = (
    NotificationKind.ASSIGNMENT.value,
    NotificationKind.DEADLINE.value,
    NotificationKind.ESCALATION.value,
)


def todo(user: Any, limit: int = 5) -> tuple[list[Notification], int]:
    """The user's newest unread to-dos (at most `limit`) and how many there are; reading
    one (or opening it from the inbox or the home page) takes it off the list."""
    qs = inbox(user).filter(read_at__isnull=True, kind__in=TODO_KINDS)
    rows = list(qs[:limit])
    return rows, (len(rows) if len(rows) < limit else qs.count())


def mark_read(user: Any, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read (once: the first read time stays).
    Returns None when it is not theirs or does not exist."""
    inbox(user).filter(pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())
    return inbox(user).filter(pk=notification_id).first()


def mark_all_read(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).update(read_at=timezone.now())


__all__ = [
    "LoggingSender",
    "Message",
    "Sender",
    "deliver",
    "inbox",
    "mark_all_read",
    "mark_read",
    "notify",
    "senders",
    "todo",
    "unread_count",
]
