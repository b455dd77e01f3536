"""Sign-in, sign-out and the home page; small helpers the other page modules share.

Every queryset comes from `anjian.core.scoping.visible`; pages only decide which sections
a role uses at all (the navigation shows the same sections).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES, Role, User
from anjian.core import scoping
from anjian.core.models import AuditEntry
from anjian.registry.models import (
    Department,
    DisputeStatus,
    Division,
    DutyAssignment,
    DutyDispute,
    DutyRole,
    Enterprise,
    EnterpriseStatus,
    Licence,
)

# Licences that expire within this many days are flagged on the home page.
EXPIRY_WINDOW_DAYS = 90

# Which sections (pages and nav entries) each role uses. Scoping decides the rows.
REGISTRY_ROLES = frozenset(REGULATOR_ROLES | {Role.PLATFORM_ADMIN})
SECTION_ROLES: dict[str, frozenset[str]] = {
    "enterprises": frozenset(REGISTRY_ROLES | ENTERPRISE_ROLES),
    "divisions": REGISTRY_ROLES,
    "departments": REGISTRY_ROLES,
    "gaps": REGISTRY_ROLES,
    "disputes": frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER, Role.PLATFORM_ADMIN}),
    "admin": frozenset({Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}),
}


def may_use(user: User, section: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in SECTION_ROLES[section])


def require_section(user: User, section: str) -> None:
    if not may_use(user, section):
        raise PermissionDenied(_("Your role does not use this page."))


def lead_exists() -> Exists:
    """EXISTS(a lead duty for the outer enterprise): negate it for supervision gaps."""
    return Exists(DutyAssignment.objects.filter(enterprise_id=OuterRef("pk"), role=DutyRole.LEAD))


def two_key_one_major_q() -> Q:
    return Q(has_major_hazard=True) | Q(has_key_process=True) | Q(has_key_chemical=True)


def admin_url(name: str) -> str:
    """A link into the admin when that page is registered, else the admin index."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse("admin:index")


# --- sign-in and sign-out -------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign anybody out."""


# --- home ------------------------------------------------------------------------------------


def _regulator_cards(user: User) -> dict:
    today = timezone.localdate()
    enterprises = scoping.visible(user, Enterprise)
    status_counts = {
        f"status_{value}": Count("id", filter=Q(status=value)) for value in EnterpriseStatus.values
    }
    figures = enterprises.aggregate(
        total=Count("id"),
        two_key=Count("id", filter=two_key_one_major_q()),
        major_hazard=Count("id", filter=Q(has_major_hazard=True)),
        key_process=Count("id", filter=Q(has_key_process=True)),
        key_chemical=Count("id", filter=Q(has_key_chemical=True)),
        gaps=Count("id", filter=~lead_exists()),
        **status_counts,
    )
    by_status = [
        {"value": value, "label": label, "count": figures[f"status_{value}"]}
        for value, label in EnterpriseStatus.choices
    ]
    licences = scoping.visible(user, Licence)
    licence_figures = licences.aggregate(
        expiring=Count(
            "id",
            filter=Q(
                expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
            ),
        ),
        expired=Count("id", filter=Q(expires_on__lt=today)),
    )
    expiring = (
        licences.filter(expires_on__lte=today + dt.timedelta(days=EXPIRY_WINDOW_DAYS))
        .select_related("enterprise")
        .order_by("expires_on")[:8]
    )
    open_disputes = None
    if may_use(user, "disputes"):
        open_disputes = scoping.visible(user, DutyDispute).filter(status=DisputeStatus.OPEN).count()
    return {
        "figures": figures,
        "by_status": by_status,
        "licence_figures": licence_figures,
        "expiring": [{"licence": lic, "days_left": lic.days_left(today)} for lic in expiring],
        "open_disputes": open_disputes,
        "expiry_window": EXPIRY_WINDOW_DAYS,
    }


def _enterprise_card(user: User) -> dict:
    today = timezone.localdate()
    enterprise = (
        scoping.visible(user, Enterprise)
        .select_related("division", "division__parent", "industry")
        .first()
    )
    if enterprise is None:
        return {"enterprise": None}
    licences = scoping.visible(user, Licence).filter(enterprise=enterprise)
    duties = (
        scoping.visible(user, DutyAssignment)
        .filter(enterprise=enterprise)
        .select_related("department")
    )
    from anjian.risks.models import RiskState  # risks builds on core; imported at use

    state = (
        scoping.visible(user, RiskState)
        .filter(enterprise=enterprise)
        .select_related("code")
        .first()
    )
    return {
        "enterprise": enterprise,
        "licences": [{"licence": lic, "days_left": lic.days_left(today)} for lic in licences],
        "duties": duties,
        "risk_state": state,
    }


def _admin_cards(user: User) -> dict:
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
    return {
        "division_count": scoping.visible(user, Division).count(),
        "department_count": scoping.visible(user, Department).count(),
        "admin_index": reverse("admin:index"),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"role": user.role}
    if user.role in REGISTRY_ROLES:
        context["kind"] = "regulator"
        context.update(_regulator_cards(user))
        if user.role == Role.PLATFORM_ADMIN:
            context.update(_admin_cards(user))
    elif user.role in ENTERPRISE_ROLES:
        context["kind"] = "enterprise"
        context.update(_enterprise_card(user))
    elif user.role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        context["kind"] = "admin"
        context.update(_admin_cards(user))
    else:
        context["kind"] = "none"
    if context["kind"] in ("regulator", "enterprise"):
        from anjian.hazards import ledger

        context["hazard_counts"] = ledger.ledger_counts(user)
    return render(request, "core/home.html", context)
