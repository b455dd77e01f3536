from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.world import PASSWORD


def test_given_anonymous_when_opening_any_page_then_redirected_to_login(world):
    client = Client()
    for name in (
        "home",
        "enterprise-list",
        "division-list",
        "department-list",
        "gaps",
        "dispute-list",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_given_login_page_when_rendered_then_shows_brand_in_chinese(world):
    response = Client().get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "安监" in html and "anjian" in html
    assert "登录" in html


def test_given_right_password_when_signing_in_then_lands_on_home(world):
    client = Client()
    response = client.post(reverse("login"), {"username": "coordinator_x", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_given_wrong_password_when_signing_in_then_stays_with_error(world):
    response = Client().post(reverse("login"), {"username": "coordinator_x", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_given_signed_in_when_logout_by_get_then_refused_and_by_post_then_signed_out(world):
    client = Client()
    assert client.login(username="coordinator_x", password=PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_given_english_chosen_when_switching_language_then_pages_are_english(client_for):
    client = client_for("coordinator_x")
    assert "企业" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "Enterprises in scope" in html
    assert 'lang="en"' in html
