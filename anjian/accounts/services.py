"""Writes on accounts outside the admin's forms: API tokens and sign-in unlocks.

Each runs in one transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anjian.core.audit import Actor, audit_append

from .models import ApiToken, User, hash_token


def token_issue(
    *, actor: Actor, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its raw value (shown once; only the hash is kept)."""
    days = settings.ANJIAN_API_TOKEN_DAYS if days is None else days
    if days < 1:
        raise ValueError("a token is valid for at least one day")
    raw = ApiToken.new_raw_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_hash=hash_token(raw),
            prefix=raw[:8],
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit_append(
            actor=actor,
            action="create",
            obj=token,
            summary=f"token {name} for {user.get_username()}"[:255],
            changes={"user": user.get_username(), "expires_at": token.expires_at.isoformat()},
        )
    return token, raw


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        # update() first: a concurrent revoke of the same row writes one audit entry.
        changed = ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True)
        token.refresh_from_db()
        if changed:
            audit_append(
                actor=actor,
                action="revoke",
                obj=token,
                summary=str(token)[:255],
                changes={"revoked": [False, True]},
            )
    return token


def login_unlock(*, actor: Actor, username: str = "", ip_address: str = "") -> int:
    """Lift a sign-in lockout of an account and/or an address; returns the records
    cleared."""
    if not username and not ip_address:
        raise ValueError("unlock needs a username or an address")
    with transaction.atomic():
        count = axes_reset(username=username or None, ip=ip_address or None)
        audit_append(
            actor=actor,
            action="unlock",
            object_type="accounts.user" if username else "",
            object_id=str(
                User.objects.filter(username=username).values_list("pk", flat=True).first() or ""
            )
            if username
            else "",
            summary=f"unlock sign-in: {username or ip_address}"[:255],
            changes={"username": username, "ip": ip_address, "cleared": count},
        )
    return count


def login_attempt_clear(*, actor: Actor, attempt) -> None:
    """Delete one counted failure record (axes' AccessAttempt): the lock it caused lifts."""
    with transaction.atomic():
        username, ip = attempt.username or "", attempt.ip_address or ""
        failures = attempt.failures_since_start
        attempt.delete()
        audit_append(
            actor=actor,
            action="unlock",
            object_type="axes.accessattempt",
            object_id="",
            summary=f"unlock sign-in: {username} {ip}".strip()[:255],
            changes={"username": username, "ip": ip, "failures": failures},
        )
