"""API tokens expire, show when they were last used, and are revoked from the command line
or the admin (never brought back or moved to another user)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from anjian import cli
from anjian.accounts.models import ApiToken
from anjian.core.models import AuditEntry
from tests.api.conftest import ApiClient


def issue(*args: str) -> tuple[str, ApiToken]:
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    return raw, ApiToken.objects.get(prefix=raw[:8])


def test_given_a_new_token_when_issued_then_it_expires_after_the_default_days(world, settings):
    settings.ANJIAN_API_TOKEN_DAYS = 90
    raw, token = issue("coordinator_x", "sync")
    expected = timezone.now() + dt.timedelta(days=90)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    assert ApiClient(raw).get("/me").status_code == 200
    entry = AuditEntry.objects.filter(object_type="accounts.apitoken").latest("seq")
    assert entry.via == "cli" and "expires_at" in entry.changes


def test_given_a_token_of_one_day_when_two_days_pass_then_401(world):
    raw, _token = issue("coordinator_x", "short", "--days", "1")
    assert ApiClient(raw).get("/me").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert ApiClient(raw).get("/me").status_code == 401


def test_given_a_token_made_without_an_expiry_when_saved_then_it_gets_the_default(world):
    raw = world.token("coordinator_x")
    token = ApiToken.objects.get(prefix=raw[:8])
    assert token.expires_at > timezone.now() + dt.timedelta(days=80)


def test_given_zero_days_when_issuing_then_refused(world):
    with pytest.raises(CommandError):
        issue("coordinator_x", "none", "--days", "0")


def test_given_a_prefix_when_revoking_then_the_token_stops_working(world):
    raw, token = issue("coordinator_x", "sync")
    call_command("revoke_token", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked
    assert ApiClient(raw).get("/me").status_code == 401
    assert AuditEntry.objects.filter(action="revoke", object_id=str(token.pk)).count() == 1


def test_given_an_unknown_token_when_revoking_then_an_error(world):
    with pytest.raises(CommandError):
        call_command("revoke_token", "aj_nope", stdout=io.StringIO())


def test_given_tokens_when_listing_then_state_and_last_use_without_the_secret(world):
    raw, token = issue("coordinator_x", "sync")
    ApiClient(raw).get("/me")
    issue("expert_x", "other")
    out = io.StringIO()
    call_command("list_tokens", "coordinator_x", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["name"] for line in lines] == ["sync"]
    assert lines[0]["state"] == "active" and lines[0]["last_used_at"]
    assert token.key_hash not in out.getvalue() and raw not in out.getvalue()


def test_given_the_cli_when_creating_listing_revoking_then_the_commands_get_the_arguments(
    monkeypatch,
):
    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "_django", lambda argv: calls.append(argv) or 0)
    cli.main(["token", "create", "svc", "sync", "--days", "7"])
    cli.main(["token", "create", "svc", "sync"])
    cli.main(["token", "list"])
    cli.main(["token", "list", "svc"])
    cli.main(["token", "revoke", "aj_abcde"])
    assert calls == [
        ["issue_token", "svc", "sync", "--days", "7"],
        ["issue_token", "svc", "sync"],
        ["list_tokens"],
        ["list_tokens", "svc"],
        ["revoke_token", "aj_abcde"],
    ]


# --- the admin: revoke only -------------------------------------------------------------------


def admin_token_post(client: Client, token: ApiToken, **data) -> int:
    return client.post(f"/admin/accounts/apitoken/{token.pk}/change/", data).status_code


def test_given_security_admin_when_revoking_in_the_admin_then_revoked_and_audited(
    admin_client, staff
):
    raw, token = issue("coordinator_x", "sync")
    assert admin_token_post(admin_client("security_admin"), token, revoked="on") == 302
    token.refresh_from_db()
    assert token.revoked
    entry = AuditEntry.objects.get(action="revoke")
    assert entry.actor_label == "security_admin"
    assert ApiClient(raw).get("/me").status_code == 401


def test_given_a_revoked_token_when_the_admin_tries_to_restore_it_then_refused(admin_client, staff):
    _raw, token = issue("coordinator_x", "sync")
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert admin_token_post(admin_client("security_admin"), token) == 403
    token.refresh_from_db()
    assert token.revoked


def test_given_security_admin_when_forging_the_owner_of_a_token_then_it_stays(admin_client, staff):
    _raw, token = issue("coordinator_x", "sync")
    auditor = staff.user("audit_admin")
    admin_token_post(
        admin_client("security_admin"),
        token,
        user=auditor.pk,
        name="x",
        expires_at="2099-01-01 00:00:00",
    )
    token.refresh_from_db()
    assert token.user.username == "coordinator_x" and token.name == "sync"
    assert token.expires_at < timezone.now() + dt.timedelta(days=91)
