"""Small helpers every endpoint module shares."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from anjian.accounts.models import User
from anjian.core.audit import Actor


def caller(request: HttpRequest) -> User:
    """The authenticated user (set by whichever auth scheme accepted the request)."""
    return request.auth  # type: ignore[attr-defined]


def actor(request: HttpRequest) -> Actor:
    return Actor.for_user(caller(request), "api")


def page(qs: QuerySet[Any], limit: int, offset: int) -> dict[str, Any]:
    """One limit/offset page with the total, in two queries (plus the queryset's prefetches)."""
    return {"count": qs.count(), "items": list(qs[offset : offset + limit])}
