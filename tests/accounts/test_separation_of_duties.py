"""三员分立 in the admin: what each administrator may do with accounts, forged POSTs
included. The security administrator manages business accounts and grants no privilege."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

from anjian.accounts.models import Role, User
from anjian.core.models import AuditEntry
from tests.world import PASSWORD

USERS = "/admin/accounts/user/"
NEW_PASSWORD = "Xq7-lantern-orbit-52"


def change_data(user: User, **extra) -> dict:
    """What the change form posts for `user` unchanged, plus `extra` (forged or edited)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "display_name": user.display_name,
        "phone": user.phone,
        "division": user.division_id or "",
        "department": user.department_id or "",
        "enterprise": user.enterprise_id or "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v != ""}


def add_data(username: str, role: str, **extra) -> dict:
    return {
        "username": username,
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "role": role,
        **extra,
    }


FORGED_PRIVILEGES = {"is_superuser": "on", "is_staff": "on"}


def forged_m2m() -> dict:
    group = Group.objects.create(name="everything")
    permission = Permission.objects.get(codename="view_auditentry")
    group.permissions.add(permission)
    return {"groups": [group.pk], "user_permissions": [permission.pk]}


# --- the security administrator ---------------------------------------------------------


def test_given_security_admin_when_forging_privileges_on_a_business_account_then_none_stick(
    admin_client, staff
):
    expert = staff.user("expert_x")
    response = admin_client("security_admin").post(
        f"{USERS}{expert.pk}/change/",
        change_data(expert, phone="0571-9", **FORGED_PRIVILEGES, **forged_m2m()),
    )
    assert response.status_code == 302, response.content[:500]
    expert.refresh_from_db()
    assert expert.phone == "0571-9"  # the legitimate edit went through
    assert not expert.is_superuser and not expert.is_staff
    assert not expert.groups.exists() and not expert.user_permissions.exists()


def test_given_security_admin_when_opening_a_change_form_then_no_privilege_fields(
    admin_client, staff
):
    expert = staff.user("expert_x")
    form = admin_client("security_admin").get(f"{USERS}{expert.pk}/change/").context["adminform"]
    names = set(form.form.fields)
    assert "role" in names and "is_active" in names
    assert not names & {"is_superuser", "is_staff", "groups", "user_permissions"}


def test_given_security_admin_when_creating_an_account_with_forged_privileges_then_plain(
    admin_client, staff
):
    response = admin_client("security_admin").post(
        f"{USERS}add/",
        add_data(
            "new_expert",
            Role.EXPERT,
            division=staff.county_x.pk,
            **FORGED_PRIVILEGES,
            **forged_m2m(),
        ),
    )
    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(username="new_expert")
    assert user.role == Role.EXPERT and user.check_password(NEW_PASSWORD)
    assert not user.is_superuser and not user.is_staff
    assert not user.groups.exists() and not user.user_permissions.exists()
    entry = AuditEntry.objects.filter(object_type="accounts.user", action="create").latest("seq")
    assert entry.actor_label == "security_admin" and entry.via == "admin"


@pytest.mark.parametrize("role", [Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_given_security_admin_when_creating_an_administrator_account_then_refused(
    admin_client, staff, role
):
    response = admin_client("security_admin").post(f"{USERS}add/", add_data("sneaky", role))
    assert response.status_code == 200  # the form comes back: not a valid choice
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="sneaky").exists()


@pytest.mark.parametrize("role", [Role.AUDIT_ADMIN, Role.SECURITY_ADMIN, Role.PLATFORM_ADMIN])
def test_given_security_admin_when_raising_a_business_account_to_an_administrator_then_refused(
    admin_client, staff, role
):
    expert = staff.user("expert_x")
    response = admin_client("security_admin").post(
        f"{USERS}{expert.pk}/change/", change_data(expert, role=role)
    )
    assert response.status_code == 200
    expert.refresh_from_db()
    assert expert.role == Role.EXPERT and not expert.is_staff


def test_given_security_admin_when_editing_their_own_account_then_refused(admin_client, staff):
    me = staff.user("security_admin")
    client = admin_client("security_admin")
    response = client.post(
        f"{USERS}{me.pk}/change/", change_data(me, display_name="x", **FORGED_PRIVILEGES)
    )
    assert response.status_code == 403
    assert (
        client.post(
            f"{USERS}{me.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        ).status_code
        == 403
    )
    assert client.post(f"{USERS}{me.pk}/delete/", {"post": "yes"}).status_code == 403
    me.refresh_from_db()
    assert me.display_name == "security_admin" and not me.is_superuser
    assert me.check_password(PASSWORD)


def test_given_security_admin_when_viewing_their_own_account_then_read_only(admin_client, staff):
    me = staff.user("security_admin")
    response = admin_client("security_admin").get(f"{USERS}{me.pk}/change/")
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


@pytest.mark.parametrize("target", ["audit_admin", "platform_admin"])
def test_given_security_admin_when_touching_another_administrator_then_refused(
    admin_client, staff, target
):
    other = staff.user(target)
    client = admin_client("security_admin")
    assert (
        client.post(f"{USERS}{other.pk}/change/", change_data(other, display_name="x")).status_code
        == 403
    )
    # A password reset is the shortest way into another administrator's role.
    assert (
        client.post(
            f"{USERS}{other.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        ).status_code
        == 403
    )
    assert client.post(f"{USERS}{other.pk}/delete/", {"post": "yes"}).status_code == 403
    other.refresh_from_db()
    assert other.check_password(PASSWORD) and other.display_name == target


def test_given_security_admin_when_touching_a_superuser_then_refused(
    admin_client, staff, superuser
):
    client = admin_client("security_admin")
    assert (
        client.post(
            f"{USERS}{superuser.pk}/change/", change_data(superuser, is_active="")
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{USERS}{superuser.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        ).status_code
        == 403
    )
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.check_password(PASSWORD)


def test_given_security_admin_when_bulk_deleting_themselves_with_others_then_nothing_goes(
    admin_client, staff
):
    me, expert = staff.user("security_admin"), staff.user("expert_x")
    response = admin_client("security_admin").post(
        USERS,
        {"action": "delete_selected", "_selected_action": [me.pk, expert.pk], "post": "yes"},
    )
    assert response.status_code in (200, 403)
    assert User.objects.filter(pk__in=[me.pk, expert.pk]).count() == 2


def test_given_security_admin_when_resetting_a_business_password_then_it_changes(
    admin_client, staff
):
    expert = staff.user("expert_x")
    response = admin_client("security_admin").post(
        f"{USERS}{expert.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.check_password(NEW_PASSWORD)


# --- the platform and audit administrators --------------------------------------------------


@pytest.mark.parametrize("persona", ["platform_admin", "audit_admin"])
def test_given_platform_or_audit_admin_when_touching_accounts_then_refused(
    admin_client, staff, persona
):
    expert = staff.user("expert_x")
    client = admin_client(persona)
    assert client.get(USERS).status_code == 403
    assert client.post(f"{USERS}add/", add_data("x", Role.EXPERT)).status_code == 403
    response = client.post(f"{USERS}{expert.pk}/change/", change_data(expert, **FORGED_PRIVILEGES))
    assert response.status_code == 403
    me = staff.user(persona)
    assert (
        client.post(f"{USERS}{me.pk}/change/", change_data(me, **FORGED_PRIVILEGES)).status_code
        == 403
    )
    expert.refresh_from_db()
    me.refresh_from_db()
    assert not expert.is_superuser and not me.is_superuser
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("persona", ["platform_admin", "security_admin"])
def test_given_other_admins_when_opening_the_audit_log_then_refused(admin_client, persona):
    assert admin_client(persona).get("/admin/core/auditentry/").status_code == 403


def test_given_audit_admin_when_reading_then_only_the_audit_log(admin_client):
    client = admin_client("audit_admin")
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/accounts/apitoken/").status_code == 403
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/registry/enterprise/").status_code == 403


# --- superusers: only from the command line -------------------------------------------------


def test_given_a_superuser_when_creating_one_on_the_web_then_it_is_no_superuser(superuser):
    client = Client()
    client.force_login(superuser)
    response = client.post(
        f"{USERS}add/", add_data("another_root", Role.EXPERT, **FORGED_PRIVILEGES)
    )
    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(username="another_root")
    assert not user.is_superuser and not user.is_staff


def test_given_a_superuser_when_creating_an_administrator_on_the_web_then_staff_follows_role(
    superuser,
):
    client = Client()
    client.force_login(superuser)
    response = client.post(f"{USERS}add/", add_data("auditor2", Role.AUDIT_ADMIN))
    assert response.status_code == 302
    user = User.objects.get(username="auditor2")
    assert user.is_staff and not user.is_superuser


def test_given_the_command_line_when_creating_an_administrator_then_staff_without_password(
    db, capsys
):
    call_command("admin_account", "sec2", "security_admin", "--name", "安全管理员")
    user = User.objects.get(username="sec2")
    assert user.role == Role.SECURITY_ADMIN and user.is_staff and not user.is_superuser
    assert not user.has_usable_password()  # set with changepassword, never echoed
    entry = AuditEntry.objects.latest("seq")
    assert entry.via == "cli" and entry.object_id == str(user.pk)


def test_given_the_command_line_when_naming_a_superuser_then_refused(superuser):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("admin_account", superuser.username, "audit_admin")
