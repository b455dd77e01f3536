from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def client_for(world):
    """A logged-in test client for a persona of the world."""

    def make(persona: str) -> Client:
        client = Client()
        client.force_login(world.user(persona))
        return client

    return make
