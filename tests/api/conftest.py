"""API test helpers: a JSON client per persona, authenticated with a bearer token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

BASE = "/api/v1"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # The world creates a dozen users per test; the production hasher (by design slow)
    # would spend most of the suite's time hashing their passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class ApiClient:
    """Django's test client (so the whole middleware stack runs) speaking JSON to /api/v1."""

    def __init__(self, token: str | None = None, *, language: str | None = None, **kw: Any):
        self.client = Client(**kw)
        self.headers: dict[str, str] = {}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"
        if language is not None:
            self.headers["Accept-Language"] = language

    def get(self, path: str, **params: Any):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: str | bytes | None = None):
        return self._send("post", path, body, raw)

    def patch(self, path: str, body: Any = None, *, raw: str | bytes | None = None):
        return self._send("patch", path, body, raw)

    def _send(self, method: str, path: str, body: Any, raw: str | bytes | None):
        data = raw if raw is not None else json.dumps(body)
        return getattr(self.client, method)(
            BASE + path, data, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(world) -> Callable[..., ApiClient]:
    """api("coordinator_x") → a client holding a fresh token of that persona."""

    def for_persona(name: str, **kw: Any) -> ApiClient:
        return ApiClient(world.token(name), **kw)

    return for_persona


def fields(response) -> dict[str, list[str]]:
    """A 422 body as {field: [messages]}."""
    out: dict[str, list[str]] = {}
    for error in response.json()["detail"]:
        out.setdefault(error["field"], []).append(error["message"])
    return out
