"""Who may call the API at all: bearer tokens, browser sessions with CSRF, and refusals."""

from __future__ import annotations

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from anjian.accounts.models import ApiToken
from tests.api.conftest import BASE, ApiClient
from tests.world import PASSWORD

PROTECTED = ["/enterprises", "/divisions", "/departments", "/industries", "/me"]


@pytest.mark.parametrize("path", PROTECTED)
def test_given_no_credentials_when_calling_then_401_with_a_message(world, path):
    response = ApiClient().get(path)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_given_an_unknown_token_when_calling_then_401(world):
    assert ApiClient("aj_not-a-real-token").get("/enterprises").status_code == 401


def test_given_an_empty_bearer_value_when_calling_then_401(world):
    client = ApiClient()
    client.headers["Authorization"] = "Bearer "
    assert client.get("/me").status_code == 401


def test_given_another_auth_scheme_when_calling_then_401(world):
    client = ApiClient()
    client.headers["Authorization"] = "Basic Y29vcmRpbmF0b3JfeDpwdw=="
    assert client.get("/me").status_code == 401


def test_given_a_revoked_token_when_calling_then_401(world):
    raw = world.token("coordinator_x")
    assert ApiClient(raw).get("/me").status_code == 200
    ApiToken.objects.filter(user=world.user("coordinator_x")).update(revoked=True)
    assert ApiClient(raw).get("/me").status_code == 401


def test_given_the_token_of_an_inactive_user_when_calling_then_401(world):
    raw = world.token("coordinator_x")
    user = world.user("coordinator_x")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert ApiClient(raw).get("/enterprises").status_code == 401


def test_given_a_valid_token_when_calling_then_its_last_use_is_recorded(world):
    raw = world.token("coordinator_x")
    token = ApiToken.objects.get(user=world.user("coordinator_x"))
    assert token.last_used_at is None
    response = ApiClient(raw).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "coordinator_x"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_given_a_token_when_writing_then_no_csrf_token_is_needed(world):
    client = ApiClient(world.token("coordinator_x"), enforce_csrf_checks=True)
    response = client.patch(f"/enterprises/{world.build_b.pk}", {"employees": 80})
    assert response.status_code == 200, response.content


def test_given_a_bad_token_and_a_valid_session_when_calling_then_the_token_decides_401(world):
    client = ApiClient("aj_wrong")
    client.client.force_login(world.user("coordinator_x"))
    assert client.get("/me").status_code == 401


# --- browser sessions -------------------------------------------------------------------


def _session_client(world, name: str, *, csrf: bool) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    assert client.login(username=name, password=PASSWORD)
    return client


def test_given_a_signed_in_browser_when_reading_then_the_session_is_enough(world):
    client = _session_client(world, "coordinator_x", csrf=True)
    response = client.get(f"{BASE}/enterprises")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_given_a_session_without_csrf_token_when_writing_then_403(world):
    client = _session_client(world, "coordinator_x", csrf=True)
    response = client.patch(
        f"{BASE}/enterprises/{world.build_b.pk}",
        '{"employees": 80}',
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.build_b.refresh_from_db()
    assert world.build_b.employees == 50


def test_given_a_session_with_csrf_token_when_writing_then_it_succeeds(world):
    client = _session_client(world, "coordinator_x", csrf=True)
    # What a page would have set: the CSRF cookie, echoed by the page's script in a header.
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.patch(
        f"{BASE}/enterprises/{world.build_b.pk}",
        '{"employees": 80}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.content
    assert response.json()["employees"] == 80


def test_given_a_session_of_a_deactivated_user_when_calling_then_401(world):
    client = _session_client(world, "coordinator_x", csrf=False)
    user = world.user("coordinator_x")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(f"{BASE}/me").status_code == 401


def test_given_an_unauthenticated_post_when_csrf_is_enforced_then_401_not_403(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{BASE}/enterprises", "{}", content_type="application/json")
    assert response.status_code == 401
