from __future__ import annotations

import pytest
from django.test import Client

from tests.world import EXPECTED_ENTERPRISES

ALL_ENTERPRISES = {"chem_a", "build_b", "ess_d", "chem_c"}
PERSONAS = sorted(EXPECTED_ENTERPRISES)


@pytest.fixture
def client_for(world):
    """A logged-in test client for a persona of the world."""

    def make(persona: str) -> Client:
        client = Client()
        client.force_login(world.user(persona))
        return client

    return make


def names(world, attrs) -> set[str]:
    return {getattr(world, attr).name for attr in attrs}


def out_of_scope(persona: str) -> set[str]:
    return ALL_ENTERPRISES - EXPECTED_ENTERPRISES[persona]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The world creates 14 users: a fast hasher keeps each test quick. Login with the
    real PASSWORD still goes through the same code."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
