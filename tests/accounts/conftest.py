"""Admin personas for the account tests: the three administrators with staff status, as
`anjian manage admin_account` leaves them, and a superuser as createsuperuser does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from anjian.accounts.models import User
from tests.world import PASSWORD

ADMINS = ("platform_admin", "security_admin", "audit_admin")


@pytest.fixture
def staff(world):
    for name in ADMINS:
        user = world.user(name)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return world


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", "root@example.invalid", PASSWORD)


@pytest.fixture
def admin_client(staff) -> Callable[[str], Client]:
    def for_persona(name: str) -> Client:
        client = Client()
        client.force_login(staff.user(name))
        return client

    return for_persona
