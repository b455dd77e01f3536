import pytest
from django.test import Client

from anjian.core.models import AuditEntry


@pytest.fixture
def staff(world):
    for name in ("platform_admin", "security_admin", "audit_admin"):
        user = world.user(name)
        user.is_staff = True
        user.save()
    return world


def client_for(world, name):
    client = Client()
    client.force_login(world.user(name))
    return client


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("platform_admin", "/admin/registry/enterprise/", 200),
        ("platform_admin", "/admin/accounts/user/", 403),
        ("platform_admin", "/admin/core/auditentry/", 403),
        ("security_admin", "/admin/accounts/user/", 200),
        ("security_admin", "/admin/registry/enterprise/", 403),
        ("security_admin", "/admin/core/auditentry/", 403),
        ("audit_admin", "/admin/core/auditentry/", 200),
        ("audit_admin", "/admin/registry/enterprise/", 403),
        ("audit_admin", "/admin/accounts/user/", 403),
    ],
)
def test_given_three_separate_admins_when_opening_admin_then_only_their_own_part(
    staff, persona, url, status
):
    assert client_for(staff, persona).get(url).status_code == status


def test_given_audit_admin_when_trying_to_change_an_entry_then_refused(staff):
    client = client_for(staff, "audit_admin")
    entry = AuditEntry.objects.create(
        seq=999,
        at="2026-01-01T00:00:00Z",
        actor_label="x",
        via="web",
        action="x",
        object_type="x",
        object_id="1",
        prev_hash="0" * 64,
        hash="f" * 64,
    )
    assert client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/core/auditentry/add/").status_code == 403


def test_given_platform_admin_when_saving_in_admin_then_change_is_audited(staff):
    client = client_for(staff, "platform_admin")
    department = staff.fire_x
    response = client.post(
        f"/admin/registry/department/{department.pk}/change/",
        {
            "division": staff.county_x.pk,
            "kind": "fire",
            "name": "东县消防救援大队（新）",
            "phone": "0571-1",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(object_type="registry.department").latest("seq")
    assert entry.via == "admin" and entry.actor_label == "platform_admin"
    assert entry.changes["name"] == ["东县消防救援大队", "东县消防救援大队（新）"]


def test_given_regulator_when_opening_admin_then_sent_to_login(staff):
    response = client_for(staff, "coordinator_x").get("/admin/registry/enterprise/")
    assert response.status_code == 302
