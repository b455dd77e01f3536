"""The administrators' home tiles (三员分立: each sees what it manages) and the page of an
account that has no role yet."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from anjian.accounts.models import Role, User
from anjian.core import scoping, tiles
from anjian.core.models import AuditEntry


def admin_url(name: str) -> str:
    """A link into the admin when that page is registered, else the admin index."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse("admin:index")


@tiles.register("accounts.admin", order=30, template="accounts/home/admin.html")
def administration(user) -> dict | None:
    if user.role == Role.SECURITY_ADMIN:
        return {
            "users_count": scoping.visible(user, User).count(),
            "users_url": admin_url("admin:accounts_user_changelist"),
        }
    if user.role == Role.AUDIT_ADMIN:
        return {
            "audit_count": scoping.visible(user, AuditEntry).count(),
            "audit_url": admin_url("admin:core_auditentry_changelist"),
        }
    return None


@tiles.register("accounts.no_role", order=99, template="accounts/home/no_role.html")
def no_role(user) -> dict | None:
    return {} if not user.role else None
