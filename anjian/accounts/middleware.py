"""Idle and absolute session limits (等保: a session ends after a time without activity).

Django's SESSION_COOKIE_AGE alone slides whenever the session is saved; here the sign-in
time caps a session at SESSION_COOKIE_AGE however active it is, and the last activity
ends it after ANJIAN_SESSION_IDLE_MINUTES without a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from .security import SESSION_AUTH_AT, SESSION_SEEN_AT

# Recording every request would write the session on every request; a minute's precision
# is plenty for a 30-minute limit.
SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request)
            if expired:
                return self._end(request, expired)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> str:
        session = request.session
        now = time.time()
        auth_at = session.get(SESSION_AUTH_AT)
        seen_at = session.get(SESSION_SEEN_AT)
        if auth_at is None or seen_at is None:
            # A session from before these limits: its clock starts now.
            session[SESSION_AUTH_AT] = auth_at if auth_at is not None else now
            session[SESSION_SEEN_AT] = now
            return ""
        if now - float(auth_at) > settings.SESSION_COOKIE_AGE:
            return "session_expired"
        if now - float(seen_at) > settings.ANJIAN_SESSION_IDLE_MINUTES * 60:
            return "session_idle"
        if now - float(seen_at) >= SEEN_RESOLUTION_SECONDS:
            session[SESSION_SEEN_AT] = now
        return ""

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        request.anjian_logout_reason = reason  # the sign-out's audit entry says why
        logout(request)
        if request.path.startswith("/api/"):
            # The API answers as for any request without a session: 401, unless a
            # bearer token rides along and decides on its own.
            return self.get_response(request)
        if reason == "session_idle":
            text = _(
                "You were signed out after %(minutes)d minutes without activity. "
                "Please sign in again."
            ) % {"minutes": settings.ANJIAN_SESSION_IDLE_MINUTES}
        else:
            text = _("Your session has ended. Please sign in again.")
        messages.info(request, text)
        login_url = resolve_url(settings.LOGIN_URL)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(f"{login_url}?{query}" if query else login_url)
