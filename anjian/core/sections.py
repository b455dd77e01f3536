"""Which sections of the site (pages and navigation entries) each role uses.

Scoping (anjian.core.scoping) decides the rows a user sees; this decides whether a role
uses a page at all, so that the navigation and the pages agree."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES, Role

REGISTRY_ROLES = frozenset(REGULATOR_ROLES | {Role.PLATFORM_ADMIN})
ADMIN_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
SECTION_ROLES: dict[str, frozenset[str]] = {
    "enterprises": frozenset(REGISTRY_ROLES | ENTERPRISE_ROLES),
    "divisions": REGISTRY_ROLES,
    "departments": REGISTRY_ROLES,
    "gaps": REGISTRY_ROLES,
    "disputes": frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER, Role.PLATFORM_ADMIN}),
    "admin": ADMIN_ROLES,
}


def may_use(user, section: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in SECTION_ROLES[section])


def require_section(user, section: str) -> None:
    if not may_use(user, section):
        raise PermissionDenied(_("Your role does not use this page."))
