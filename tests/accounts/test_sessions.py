"""Sessions end after ANJIAN_SESSION_IDLE_MINUTES without a request, and at the latest
SESSION_COOKIE_AGE after signing in, however active."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.utils import timezone

from anjian.accounts.security import SESSION_SEEN_AT
from anjian.core.models import AuditEntry
from tests.world import PASSWORD


def signed_in(world, name: str = "coordinator_x") -> Client:
    client = Client()
    response = client.post("/login/", {"username": name, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def later(start: dt.datetime, minutes: float):
    return time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False)


def test_given_31_idle_minutes_when_opening_a_page_then_sent_to_login_and_signed_out(world):
    start = timezone.now()
    with later(start, 0):
        client = signed_in(world)
    with later(start, 31):
        response = client.get("/enterprises/?q=x")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not is_signed_in(client)
    entry = AuditEntry.objects.filter(action="session_idle").get()
    assert entry.actor_label == "coordinator_x"
    # The login page tells why.
    page = client.get(response["Location"])
    assert len(list(page.context["messages"])) == 1


def test_given_activity_every_20_minutes_when_an_hour_passes_then_still_signed_in(world):
    start = timezone.now()
    with later(start, 0):
        client = signed_in(world)
    for minutes in (20, 40, 60):
        with later(start, minutes):
            assert client.get("/").status_code == 200
    assert is_signed_in(client)


def test_given_constant_activity_when_the_absolute_age_passes_then_signed_out(world, settings):
    start = timezone.now()
    with later(start, 0):
        client = signed_in(world)
    minutes = 0
    while minutes + 20 < settings.SESSION_COOKIE_AGE / 60:
        minutes += 20
        with later(start, minutes):
            assert client.get("/").status_code == 200
    with later(start, settings.SESSION_COOKIE_AGE / 60 + 1):
        response = client.get("/")
    assert response.status_code == 302 and not is_signed_in(client)
    assert AuditEntry.objects.filter(action="session_expired").exists()


def test_given_an_idle_session_when_calling_the_api_then_401(world):
    start = timezone.now()
    with later(start, 0):
        client = signed_in(world)
        assert client.get("/api/v1/me").status_code == 200
    with later(start, 31):
        assert client.get("/api/v1/me").status_code == 401
    assert not is_signed_in(client)


def test_given_requests_within_a_minute_when_served_then_the_session_is_not_rewritten(world):
    start = timezone.now()
    with later(start, 0):
        client = signed_in(world)
    seen = client.session[SESSION_SEEN_AT]
    with later(start, 0.5):
        client.get("/")
    assert client.session[SESSION_SEEN_AT] == seen
    with later(start, 2):
        client.get("/")
    assert client.session[SESSION_SEEN_AT] > seen


def test_given_a_session_from_before_the_limits_when_used_then_its_clock_starts(world):
    client = Client()
    client.force_login(world.user("coordinator_x"))
    session = client.session
    for key in list(session.keys()):
        if key.startswith("_anjian_"):
            del session[key]
    session.save()
    assert client.get("/").status_code == 200
    assert SESSION_SEEN_AT in client.session


def test_given_the_idle_setting_when_shorter_then_it_applies(world, settings):
    settings.ANJIAN_SESSION_IDLE_MINUTES = 5
    start = timezone.now()
    with later(start, 0):
        client = signed_in(world)
    with later(start, 6):
        assert client.get("/").status_code == 302


def test_given_a_signed_in_user_when_signing_out_then_audited(world):
    client = signed_in(world)
    assert client.post("/logout/").status_code == 302
    entry = AuditEntry.objects.filter(action="logout").get()
    assert entry.actor_label == "coordinator_x" and entry.via == "web"
