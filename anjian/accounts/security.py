"""Sign-in security: the client address, the lockout page, the delay after failures, and
sign-ins, failures, lockouts and sign-outs in the audit chain.

django-axes counts the failures and refuses a locked-out account or address (see the
AXES_* settings); this module is what the platform adds around it.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anjian.core.audit import Actor, audit_append

# The delay after a failure doubles with each one and stops growing here.
MAX_DELAY_SECONDS = 2.0
# Session keys the idle and absolute timeouts read (anjian.accounts.middleware).
SESSION_AUTH_AT = "_anjian_auth_at"
SESSION_SEEN_AT = "_anjian_seen_at"


def client_ip(request: HttpRequest) -> str | None:
    """The browser's address: the peer, or behind ANJIAN_TRUSTED_PROXY_COUNT proxies the
    entry the outermost of them appended to X-Forwarded-For. Entries further left are
    whatever the client sent and are never trusted."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.ANJIAN_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out account or address sees instead of the login page (axes calls it
    whether or not the password was right)."""
    minutes = settings.ANJIAN_LOGIN_LOCKOUT_MINUTES
    response = render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.ANJIAN_LOGIN_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def _via(request: HttpRequest | None) -> str:
    if request is None:
        return "cli"
    return "admin" if request.path.startswith("/admin/") else "web"


def _account_id(username: str) -> str:
    from .models import User

    pk = User.objects.filter(username=username).values_list("pk", flat=True).first()
    return str(pk) if pk is not None else ""


def failure_delay(failures: int) -> float:
    base = settings.ANJIAN_LOGIN_DELAY_SECONDS
    if base <= 0 or failures <= 0:
        return 0.0
    return min(MAX_DELAY_SECONDS, base * 2 ** (failures - 1))


def on_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **kw: Any):
    # Runs after axes' receiver (axes comes first in INSTALLED_APPS), so the request
    # carries the count axes just recorded.
    refused = (
        request is not None
        and getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", None) is None
    )
    if refused:
        # Refused while locked out: axes did not count it and no password was checked.
        # Not chained either, so nobody can grow the audit trail without limit.
        return
    username = str(credentials.get("username") or "")[:150]
    ip = client_ip(request) if request is not None else None
    failures = getattr(request, "axes_failures_since_start", None) or 0
    account_id = _account_id(username)
    actor = Actor.system(_via(request), username or "?")
    audit_append(
        actor=actor,
        action="login_failed",
        object_type="accounts.user" if account_id else "",
        object_id=account_id,
        summary=f"login failed: {username}"[:255],
        changes={"username": username, "ip": ip, "failures": failures},
    )
    if request is not None and getattr(request, "axes_locked_out", False):
        audit_append(
            actor=actor,
            action="lockout",
            object_type="accounts.user" if account_id else "",
            object_id=account_id,
            summary=f"locked out: {username} from {ip}"[:255],
            changes={
                "username": username,
                "ip": ip,
                "failures": failures,
                "minutes": settings.ANJIAN_LOGIN_LOCKOUT_MINUTES,
            },
        )
        return
    # A growing pause makes guessing slower still before the lockout comes.
    delay = failure_delay(failures)
    if delay:
        time.sleep(delay)


def _over_http(request: HttpRequest | None) -> bool:
    # login() and logout() also run without a browser behind them: the test client's
    # force_login builds a bare HttpRequest (no method), a shell passes none. Nobody signed
    # in or out over the network there, so the audit chain leaves those out.
    return request is not None and request.method is not None


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_SEEN_AT] = now
    if not _over_http(request):
        return
    audit_append(
        actor=Actor.for_user(user, _via(request)),
        action="login",
        obj=user,
        summary=f"login: {user.get_username()}"[:255],
        changes={"ip": client_ip(request) if request is not None else None},
    )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    if user is None or not _over_http(request):
        return
    reason = getattr(request, "anjian_logout_reason", "") if request is not None else ""
    audit_append(
        actor=Actor.for_user(user, _via(request)),
        action=reason or "logout",
        obj=user,
        summary=f"{reason or 'logout'}: {user.get_username()}"[:255],
        changes={"ip": client_ip(request) if request is not None else None},
    )


def connect() -> None:
    user_login_failed.connect(on_login_failed, dispatch_uid="anjian.accounts.login_failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="anjian.accounts.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="anjian.accounts.logged_out")
