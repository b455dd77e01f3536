"""The password policy: Django's four checks, shown as one sentence on every password form."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from anjian.accounts.models import User
from anjian.accounts.passwords import PasswordPolicyValidator
from anjian.core.models import AuditEntry
from tests.world import PASSWORD


@pytest.mark.parametrize(
    "password",
    ["short-1", "12345678901234", "password1234", "coordinator_x1"],
    ids=["too-short", "all-digits", "common", "like-the-username"],
)
def test_given_a_weak_password_when_validating_then_refused(db, password):
    user = User(username="coordinator_x", display_name="x")
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, user)


def test_given_a_password_breaking_several_rules_when_validating_then_every_reason(db):
    with pytest.raises(ValidationError) as caught:
        password_validation.validate_password("123456", User(username="u"))
    assert len(caught.value.messages) >= 3  # short, common, all digits


def test_given_a_good_password_when_validating_then_accepted(db):
    password_validation.validate_password("Xq7-lantern-orbit-52", User(username="u"))


def test_given_the_validators_when_asked_for_help_then_one_policy_sentence():
    texts = password_validation.password_validators_help_text_html()
    assert texts.count("<li>") == 1
    assert "10" in PasswordPolicyValidator(min_length=10).get_help_text()


@pytest.mark.parametrize("page", ["add/", "{pk}/password/"])
def test_given_the_admin_password_forms_when_opened_then_they_show_the_policy(
    admin_client, staff, page
):
    url = "/admin/accounts/user/" + page.format(pk=staff.user("expert_x").pk)
    html = admin_client("security_admin").get(url).content.decode()
    with translation.override("zh-hans"):
        policy = PasswordPolicyValidator(min_length=10).get_help_text()
    assert policy in html


# --- one's own password ------------------------------------------------------------------------


def own_password_client(world):
    client = Client()
    client.force_login(world.user("coordinator_x"))
    return client


def test_given_the_password_page_when_opened_then_it_shows_the_policy(world):
    html = own_password_client(world).get("/password/").content.decode()
    with translation.override("zh-hans"):
        assert PasswordPolicyValidator(min_length=10).get_help_text() in html


def test_given_a_weak_new_password_when_changing_then_refused(world):
    client = own_password_client(world)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "1234567890", "new_password2": "1234567890"},
    )
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    assert User.objects.get(username="coordinator_x").check_password(PASSWORD)


def test_given_a_good_new_password_when_changing_then_changed_audited_and_still_signed_in(world):
    client = own_password_client(world)
    new = "Xq7-lantern-orbit-52"
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert User.objects.get(username="coordinator_x").check_password(new)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="password_change").get().actor_label == "coordinator_x"


def test_given_anonymous_when_opening_the_password_page_then_sent_to_login(world):
    assert Client().get("/password/")["Location"].startswith("/login/")


def test_given_a_short_password_in_chinese_then_every_reason_is_chinese(db):
    # Django 5.2's own "too short" wording has no zh_Hans translation yet.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        password_validation.validate_password("123456", User(username="u"))
    assert "密码长度太短。密码必须包含至少 10 个字符。" in caught.value.messages
    assert all(not m.isascii() for m in caught.value.messages)
