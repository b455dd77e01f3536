"""Who is calling: a machine client with a bearer token, or a signed-in browser session.

A token is looked up by its sha256 hash (only the hash is stored). A presented but unknown,
revoked or expired token is refused outright (401) rather than falling back to a session cookie
that may ride along, so a client always learns that its token is bad.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from anjian.accounts.models import ApiToken, User, hash_token

# Writing last_used_at on every request would turn each read into a write (and take the
# SQLite write lock); once a minute is precise enough to tell live tokens from dead ones.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            raise AuthenticationError()
        now = timezone.now()
        # Scoping and /me read where the user sits; fetch it with the token, not one by one.
        row = (
            ApiToken.objects.select_related(
                "user__division", "user__department", "user__enterprise"
            )
            .filter(key_hash=hash_token(token), revoked=False, expires_at__gt=now)
            .first()
        )
        if row is None or not row.user.is_active:
            raise AuthenticationError()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            # update() rather than save(): no race with a concurrent revoke of the same row.
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        # Code further down (and Django's own helpers) look at request.user.
        request.user = row.user
        return row.user


class SessionCsrfAuth(APIKeyCookie):
    """Django's session login, with the CSRF check enforced on unsafe methods.

    Unlike ninja's stock SessionAuth, CSRF is checked only once a session user is found,
    so an unauthenticated POST gets 401 (not a confusing 403 about CSRF).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        # Django's session backend already drops inactive users; the check is cheap insurance.
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        # Not used: __call__ above reads the user that the session middleware attached.
        return None
