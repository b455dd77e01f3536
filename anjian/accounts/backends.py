"""The lockout check in front of the password backends."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, which needs the request to know the client address.

    Every sign-in the site offers (the login page, the admin's login) passes the request.
    A call without one cannot come from a browser (the test client's `login()`, a shell):
    axes would raise there, so it is let through to the password backend unthrottled.
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
