"""Diagnosis test helpers: logged-in page clients and bearer-token API clients per persona
of the shared world (tests/world.py), and valid form data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from anjian.core.audit import Actor
from anjian.diagnosis import scoring
from tests.api.conftest import ApiClient


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for(world):
    def make(persona: str) -> Client:
        client = Client()
        client.force_login(world.user(persona))
        return client

    return make


@pytest.fixture
def api(world):
    def for_persona(name: str, **kw) -> ApiClient:
        return ApiClient(world.token(name), **kw)

    return for_persona


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "test")


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def deductions_for(score: str) -> dict[str, str]:
    """Deductions that give exactly `score` points, filled item by item in the guide's order."""
    left = scoring.load_guide().total - scoring.parse_points(score, "score")
    out = {}
    for item in scoring.load_guide().scored_items:
        take = min(left, item.max_deduction)
        out[item.code] = scoring.number_text(take)
        left -= take
    assert left == 0
    return out
