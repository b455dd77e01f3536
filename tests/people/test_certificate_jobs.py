"""The certificate warning job: the principal and safety officers are told 30 days ahead
and on the day, once each (a second run sends nothing), a new date is a new warning, a
revoked certificate or another enterprise's people are not told; the command."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from anjian.core.audit import Actor
from anjian.core.models import Notification
from anjian.people import training_services as ts
from anjian.people import worker_services as ws
from anjian.people.models import Certificate
from anjian.people.training_jobs import certificates_check_run

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def inbox(world, name):
    return list(Notification.objects.filter(recipient=world.user(name)).order_by("pk"))


def cert(world, expires_on, review_due=None, number="A1"):
    actor = Actor.for_user(world.user("safety_a"), "test")
    w = ws.worker_create(actor=actor, data={"name": f"王{number}"})
    return ts.certificate_create(
        actor=actor,
        worker_id=w.pk,
        data={
            "kind": "principal",
            "number": number,
            "issued_on": "2024-01-01",
            "expires_on": expires_on.isoformat(),
            **({"review_due": review_due.isoformat()} if review_due else {}),
        },
    )


def test_given_expiring_certificates_when_the_job_runs_twice_then_told_once(world):
    cert(world, TODAY + dt.timedelta(days=30), number="A1")
    cert(world, TODAY, number="A2")
    cert(world, TODAY + dt.timedelta(days=31), number="A3")  # nothing yet
    first = certificates_check_run(today=TODAY)
    assert first == {"certificates": 2, "warned": 2, "failed": 0}
    assert len(inbox(world, "principal_a")) == 2 and len(inbox(world, "safety_a")) == 2
    assert inbox(world, "employee_a") == [] and inbox(world, "principal_c") == []
    assert inbox(world, "coordinator_x") == []
    assert inbox(world, "safety_a")[0].kind == "deadline"
    second = certificates_check_run(today=TODAY)
    assert second["warned"] == 0 and len(inbox(world, "safety_a")) == 2


def test_given_a_notice_then_the_day_itself_is_a_second_warning_and_a_new_date_a_third(world):
    c = cert(world, TODAY + dt.timedelta(days=10))
    assert certificates_check_run(today=TODAY)["warned"] == 1
    assert certificates_check_run(today=TODAY + dt.timedelta(days=10))["warned"] == 1
    assert certificates_check_run(today=TODAY + dt.timedelta(days=11))["warned"] == 0
    Certificate.objects.filter(pk=c.pk).update(expires_on=TODAY + dt.timedelta(days=20))
    assert certificates_check_run(today=TODAY + dt.timedelta(days=11))["warned"] == 1
    assert len(inbox(world, "principal_a")) == 3


def test_given_a_review_date_or_a_revoked_certificate_then_review_warned_revoked_not(world):
    cert(
        world, TODAY + dt.timedelta(days=900), review_due=TODAY + dt.timedelta(days=5), number="R1"
    )
    revoked = cert(world, TODAY, number="R2")
    Certificate.objects.filter(pk=revoked.pk).update(state="revoked")
    assert certificates_check_run(today=TODAY) == {"certificates": 1, "warned": 1, "failed": 0}


def test_given_the_command_then_it_prints_the_counts_and_refuses_a_bad_day(world):
    cert(world, TODAY)
    out = io.StringIO()
    call_command("certificates_check", "--today", TODAY.isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {"certificates": 1, "warned": 1, "failed": 0}
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("certificates_check", "--today", "2026-13-01")
