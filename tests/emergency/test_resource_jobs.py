"""The supplies warning job: the keepers are told once per supply and warning; a second
run sends nothing; a changed fact is a new warning; the command prints its counts."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from anjian.core.models import Notification
from anjian.emergency import resource_services as services
from anjian.emergency.resource_jobs import keepers, supplies_check_run
from tests.emergency.test_resource_support import (
    TODAY,
    act,
    enterprise_warehouse,
    government_warehouse,
    supply,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def inbox(world, name):
    return list(Notification.objects.filter(recipient=world.user(name)).order_by("pk"))


def test_given_an_enterprise_warehouse_then_its_principal_and_safety_officer_keep_it(world):
    house = enterprise_warehouse(world)
    assert {u.username for u in keepers(house)} == {"principal_a", "safety_a"}


def test_given_a_township_warehouse_then_the_nearest_coordinators_above_keep_it(world):
    house = services.warehouse_create(
        actor=act(world, "coordinator_x"), data={"name": "东镇物资点", "division": world.town_x.pk}
    )
    assert [u.username for u in keepers(house)] == ["coordinator_x"]


def test_given_expired_and_short_supplies_when_the_job_runs_twice_then_told_once(world):
    ent = enterprise_warehouse(world)
    gov = government_warehouse(world)
    supply(world, ent, who="safety_a", expires_on=TODAY - dt.timedelta(days=1))
    supply(world, gov, quantity=1, minimum=10)
    supply(world, gov, expires_on=TODAY + dt.timedelta(days=90))  # nothing to say

    first = supplies_check_run(today=TODAY)
    assert first == {"supplies": 2, "warned": 2, "failed": 0}
    assert len(inbox(world, "principal_a")) == 1 and len(inbox(world, "safety_a")) == 1
    assert len(inbox(world, "coordinator_x")) == 1
    assert inbox(world, "coordinator_y") == [] and inbox(world, "principal_c") == []
    assert inbox(world, "coordinator_x")[0].kind == "other"
    assert inbox(world, "principal_a")[0].kind == "deadline"

    second = supplies_check_run(today=TODAY)
    assert second["warned"] == 0
    assert Notification.objects.count() == 3


def test_given_expiring_then_expired_then_a_new_warning_each(world):
    gov = government_warehouse(world)
    row = supply(world, gov, expires_on=TODAY + dt.timedelta(days=10))
    assert supplies_check_run(today=TODAY)["warned"] == 1
    assert supplies_check_run(today=TODAY + dt.timedelta(days=5))["warned"] == 0
    assert supplies_check_run(today=TODAY + dt.timedelta(days=11))["warned"] == 1  # expired now
    # Restocked with a new batch's date, which expires soon too: told again.
    services.supply_update(
        actor=act(world, "coordinator_x"),
        pk=row.pk,
        data={"expires_on": (TODAY + dt.timedelta(days=40)).isoformat()},
    )
    assert supplies_check_run(today=TODAY + dt.timedelta(days=11))["warned"] == 1
    assert len(inbox(world, "coordinator_x")) == 3


def test_given_a_scrapped_supply_or_retired_warehouse_then_nothing(world):
    gov = government_warehouse(world)
    row = supply(world, gov, quantity=0)
    services.supply_retire(actor=act(world, "coordinator_x"), pk=row.pk)
    other = government_warehouse(world, "西库")
    supply(world, other, quantity=0)
    services.warehouse_retire(actor=act(world, "coordinator_x"), pk=other.pk)
    assert supplies_check_run(today=TODAY) == {"supplies": 0, "warned": 0, "failed": 0}


def test_given_the_command_then_it_prints_the_counts_and_is_idempotent(world):
    gov = government_warehouse(world)
    supply(world, gov, state="maintenance")
    out = io.StringIO()
    call_command("emergency_supplies_check", "--today", TODAY.isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {"supplies": 1, "warned": 1, "failed": 0}
    out = io.StringIO()
    call_command("emergency_supplies_check", "--today", TODAY.isoformat(), stdout=out)
    assert json.loads(out.getvalue())["warned"] == 0


def test_given_a_longer_notice_then_more_warnings(world):
    gov = government_warehouse(world)
    supply(world, gov, expires_on=TODAY + dt.timedelta(days=45))
    assert supplies_check_run(today=TODAY)["warned"] == 0
    assert supplies_check_run(today=TODAY, days=60)["warned"] == 1
