"""Set-up of the dispatch tests: county X's township office (a coordinator of 东镇), a
second township without enterprises, the fire department's officer, and November 2026
opened on the 5th (due on the 25th by the shipped policy)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from anjian.accounts.models import Role, User
from anjian.core.audit import Actor
from anjian.dispatch import services
from anjian.dispatch.models import DispatchForm
from tests.world import division

NOV = dt.date(2026, 11, 1)


def at(day: int, hour: int = 10, month: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


FULL = {
    "meetings": "3",
    "campaigns": "2",
    "campaign_enterprises": "41",
    "investment": "125000.50",
    "trainings": "4",
    "trained_persons": "260",
    "publicity_events": "5",
    "notes": "开展燃气安全专项整治",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def dworld(world):
    world.town_x2 = division("330101002", "南镇", "township", world.county_x)

    def user(name: str, role: str, **where) -> None:
        world.users[name] = User.objects.create_user(
            username=name, password="x", role=role, display_name=name, **where
        )

    user("town_coord_x", Role.COORDINATOR, division=world.town_x)
    user("town_coord_y", Role.COORDINATOR, division=world.town_y)
    user(
        "officer_fire_x", Role.DEPARTMENT_OFFICER, division=world.county_x, department=world.fire_x
    )
    user("coordinator_city", Role.COORDINATOR, division=world.city)
    return world


@pytest.fixture
def opened(dworld):
    with time_machine.travel(at(5), tick=False):
        services.dispatch_open_month(actor=actor(dworld, "coordinator_x"), month="2026-11")
    return dworld


def town_form(world, township=None) -> DispatchForm:
    return DispatchForm.objects.get(month=NOV, division=township or world.town_x)


def dept_form(world, department=None) -> DispatchForm:
    return DispatchForm.objects.get(month=NOV, department=department or world.emergency_x)


def submit(world, who: str, form: DispatchForm, day: int = 20, **over) -> DispatchForm:
    data = {**FULL, **over}
    with time_machine.travel(at(day), tick=False):
        return services.dispatch_submit(
            actor=actor(world, who), form_id=form.pk, version=form.version, data=data
        )
