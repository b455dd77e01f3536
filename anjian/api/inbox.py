"""The caller's own in-app notifications. Nobody reads another user's inbox: a
notification id that is not the caller's answers 404 exactly like an unknown one."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from anjian.core import notify
from anjian.core.errors import NotFound
from anjian.core.models import Notification

from .common import caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Offset, ValidationErrorOut

router = Router(tags=["inbox"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    object_label: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxPage(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class InboxFilters(Schema):
    unread: bool = Field(False, description="Only unread notifications.")
    kind: Literal["assignment", "deadline", "escalation", "decision", "other"] | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


@router.get(
    "/inbox",
    response={200: InboxPage, 422: ValidationErrorOut},
    summary="The caller's notifications, newest first, with the unread count",
)
def inbox_list(request: HttpRequest, filters: Query[InboxFilters]) -> dict[str, Any]:
    user = caller(request)
    qs = notify.inbox(user)
    if filters.unread:
        qs = qs.filter(read_at__isnull=True)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return {**page(qs, filters.limit, filters.offset), "unread": notify.unread_count(user)}


@router.post(
    "/inbox/{notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Mark one of the caller's notifications read (the first read time stays)",
)
def inbox_read(request: HttpRequest, notification_id: Id) -> Notification:
    row = notify.mark_read(caller(request), notification_id)
    if row is None:
        raise NotFound(_("No such notification."))
    return row


@router.post(
    "/inbox/read-all",
    response={200: dict[str, int]},
    summary="Mark all the caller's notifications read",
)
def inbox_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": notify.mark_all_read(caller(request))}
