"""Sign-in throttling (等保: 5 failures, 30 minutes): per account and per address, on the
login page and the admin's, with the right password too; audited; unlocked by the
security administrator."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone

from anjian.accounts import security
from anjian.core.models import AuditEntry
from tests.world import PASSWORD

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


def attempt(username: str, password: str, *, ip: str = "10.0.0.1", url: str = LOGIN):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(url, {"username": username, "password": password})
    signed_in = "_auth_user_id" in client.session
    return response, signed_in


def fail(times: int, username: str = "coordinator_x", **kw) -> None:
    for _ in range(times):
        _response, signed_in = attempt(username, "wrong-password", **kw)
        assert not signed_in


def test_given_five_wrong_passwords_when_the_right_one_follows_then_refused(world):
    fail(5)
    response, signed_in = attempt("coordinator_x", PASSWORD)
    assert not signed_in
    assert response.status_code == 429
    assert "data-lockout" in response.content.decode()  # the page, not a raw 403
    assert response["Retry-After"] == str(30 * 60)


def test_given_four_wrong_passwords_when_the_right_one_follows_then_signed_in(world):
    fail(4)
    response, signed_in = attempt("coordinator_x", PASSWORD)
    assert signed_in and response.status_code == 302


def test_given_a_lockout_when_the_lockout_time_has_passed_then_signed_in(world):
    fail(5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=29)):
        assert not attempt("coordinator_x", PASSWORD)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert attempt("coordinator_x", PASSWORD)[1]


def test_given_a_lockout_when_attempts_continue_then_they_do_not_extend_it(world):
    fail(5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        fail(3)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert attempt("coordinator_x", PASSWORD)[1]


def test_given_one_account_when_guessed_from_many_addresses_then_locked_everywhere(world):
    for n in range(5):
        fail(1, ip=f"10.0.1.{n}")
    assert not attempt("coordinator_x", PASSWORD, ip="10.0.1.99")[1]
    # Other accounts from those addresses are not affected by the account's lock.
    assert attempt("coordinator_y", PASSWORD, ip="10.0.1.99")[1]


def test_given_one_address_when_guessing_many_accounts_then_the_address_is_locked(world):
    for name in ("coordinator_x", "coordinator_y", "expert_x", "grid_x1", "nobody"):
        fail(1, name, ip="10.0.2.1")
    assert not attempt("principal_a", PASSWORD, ip="10.0.2.1")[1]
    assert attempt("principal_a", PASSWORD, ip="10.0.2.2")[1]


def test_given_a_success_between_failures_when_counting_then_the_count_is_not_reset(world):
    fail(4, ip="10.0.3.1")
    # An attacker's own account signing in from the same address clears nothing.
    assert attempt("coordinator_y", PASSWORD, ip="10.0.3.1")[1]
    fail(1, "expert_x", ip="10.0.3.1")
    assert not attempt("coordinator_y", PASSWORD, ip="10.0.3.1")[1]


def test_given_the_admin_login_when_guessing_then_locked_out_too(staff):
    fail(5, "platform_admin", url=ADMIN_LOGIN)
    response, signed_in = attempt("platform_admin", PASSWORD, url=ADMIN_LOGIN)
    assert not signed_in and response.status_code == 429
    # One count for both doors: the login page is locked for that account as well.
    assert not attempt("platform_admin", PASSWORD)[1]


def test_given_failures_when_signing_in_then_the_audit_chain_has_them(world):
    fail(5, ip="10.0.4.1")
    attempt("coordinator_x", PASSWORD, ip="10.0.4.1")  # refused while locked: not chained
    failed = AuditEntry.objects.filter(action="login_failed").order_by("seq")
    assert failed.count() == 5
    last = failed.last()
    assert last.changes == {"username": "coordinator_x", "ip": "10.0.4.1", "failures": 5}
    assert last.object_id == str(world.user("coordinator_x").pk)
    assert last.via == "web" and last.actor_id is None
    lockout = AuditEntry.objects.get(action="lockout")
    assert lockout.changes["username"] == "coordinator_x" and lockout.changes["minutes"] == 30


def test_given_an_unknown_username_when_failing_then_audited_without_an_account(world):
    fail(1, "ghost")
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.changes["username"] == "ghost" and entry.object_id == ""


def test_given_a_success_when_signing_in_then_audited_with_the_address(world):
    assert attempt("coordinator_x", PASSWORD, ip="10.0.5.1")[1]
    entry = AuditEntry.objects.filter(action="login").latest("seq")
    assert entry.actor_label == "coordinator_x" and entry.changes == {"ip": "10.0.5.1"}


# --- unlock by the security administrator --------------------------------------------------


def test_given_a_lockout_when_the_security_admin_unlocks_the_account_then_signed_in(
    admin_client, staff
):
    fail(5)
    user = staff.user("coordinator_x")
    response = admin_client("security_admin").post(
        "/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    assert attempt("coordinator_x", PASSWORD)[1]
    entry = AuditEntry.objects.get(action="unlock")
    assert entry.actor_label == "security_admin" and entry.changes["username"] == "coordinator_x"


def test_given_an_address_lockout_when_the_security_admin_deletes_its_records_then_unlocked(
    admin_client, staff
):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        fail(1, name, ip="10.0.6.1")
    assert not attempt("coordinator_x", PASSWORD, ip="10.0.6.1")[1]
    client = admin_client("security_admin")
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    ids = list(AccessAttempt.objects.filter(ip_address="10.0.6.1").values_list("pk", flat=True))
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert attempt("coordinator_x", PASSWORD, ip="10.0.6.1")[1]
    assert AuditEntry.objects.filter(action="unlock", actor_label="security_admin").count() == 5


@pytest.mark.parametrize("persona", ["platform_admin", "audit_admin"])
def test_given_other_admins_when_unlocking_then_refused(admin_client, staff, persona):
    fail(5)
    user = staff.user("coordinator_x")
    client = admin_client(persona)
    client.post(
        "/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [user.pk]}
    )
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert not attempt("coordinator_x", PASSWORD)[1]


# --- pieces ------------------------------------------------------------------------------------


def test_given_failures_when_computing_the_delay_then_it_doubles_up_to_two_seconds(settings):
    settings.ANJIAN_LOGIN_DELAY_SECONDS = 0.25
    assert [security.failure_delay(n) for n in range(7)] == [0, 0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    settings.ANJIAN_LOGIN_DELAY_SECONDS = 0
    assert security.failure_delay(3) == 0


def test_given_a_delay_when_a_sign_in_fails_then_the_request_waits(world, settings, monkeypatch):
    settings.ANJIAN_LOGIN_DELAY_SECONDS = 0.1
    slept: list[float] = []
    monkeypatch.setattr(security.time, "sleep", slept.append)
    fail(3)
    assert slept == [0.1, 0.2, 0.4]


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "192.0.2.1"),  # no proxy: the header is the client's own words
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # a spoofed entry on the left is ignored
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.9", "1.2.3.4"),
        (1, "", "192.0.2.1"),
        (1, "not-an-ip", "192.0.2.1"),
    ],
)
def test_given_trusted_proxies_when_reading_the_client_address_then_the_right_hop(
    settings, count, forwarded, expected
):
    settings.ANJIAN_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert security.client_ip(request) == expected


def test_given_a_spoofed_forwarded_header_when_guessing_behind_a_proxy_then_still_locked(
    world, settings
):
    settings.ANJIAN_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"7.7.7.{n}, 1.2.3.4")
        client.post(LOGIN, {"username": f"u{n}", "password": "x"})
    client = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="8.8.8.8, 1.2.3.4")
    client.post(LOGIN, {"username": "coordinator_x", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_given_a_failure_when_recorded_then_the_password_tried_is_not_stored(world):
    attempt("coordinator_x", "my-secret-guess")
    stored = AccessAttempt.objects.get()
    assert "my-secret-guess" not in stored.post_data
