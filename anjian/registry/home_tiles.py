"""The registry's home tiles: key figures and licences for regulators, the enterprise's
own card for its staff, registry administration for the platform administrator."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.models import ENTERPRISE_ROLES, Role
from anjian.core import scoping, tiles
from anjian.core.policy import EXPIRY_WINDOW_DAYS
from anjian.core.sections import REGISTRY_ROLES, may_use
from anjian.registry.models import (
    Department,
    DisputeStatus,
    Division,
    DutyAssignment,
    DutyDispute,
    Enterprise,
    EnterpriseStatus,
    Licence,
)
from anjian.registry.queries import lead_exists, two_key_one_major_q
from anjian.registry.tally import tally_figures


@tiles.register("registry.figures", order=30, template="registry/home/figures.html")
def figures(user) -> dict | None:
    if user.role not in REGISTRY_ROLES:
        return None
    today = timezone.localdate()
    # From the enterprise rollup (anjian.registry.tally): counting the scope itself cost
    # an aggregate over every enterprise in it on each home page view.
    counted = tally_figures(user)
    if counted is None:
        counted = _counted(user)
    by_status = [
        {"value": value, "label": label, "count": counted[f"status_{value}"]}
        for value, label in EnterpriseStatus.choices
    ]
    window_end = today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    licences = scoping.visible(user, Licence)
    # Both figures lie before the window's end: said outright, the expires_on index finds
    # the few licences concerned instead of a join over every licence in scope.
    licence_figures = licences.filter(expires_on__lte=window_end).aggregate(
        expiring=Count("id", filter=Q(expires_on__gte=today, expires_on__lte=window_end)),
        expired=Count("id", filter=Q(expires_on__lt=today)),
    )
    expiring = (
        licences.filter(expires_on__lte=window_end)
        .select_related("enterprise")
        .order_by("expires_on")[:8]
    )
    open_disputes = None
    if may_use(user, "disputes"):
        open_disputes = scoping.visible(user, DutyDispute).filter(status=DisputeStatus.OPEN).count()
    return {
        "figures": counted,
        "by_status": by_status,
        "licence_figures": licence_figures,
        "expiring": [{"licence": lic, "days_left": lic.days_left(today)} for lic in expiring],
        "open_disputes": open_disputes,
        "expiry_window": EXPIRY_WINDOW_DAYS,
    }


def _counted(user) -> dict[str, int]:
    """The figures counted from the enterprise table (the rollup's reference; scopes that
    are not a union of its groups)."""
    status_counts = {
        f"status_{value}": Count("id", filter=Q(status=value)) for value in EnterpriseStatus.values
    }
    return scoping.visible(user, Enterprise).aggregate(
        total=Count("id"),
        two_key=Count("id", filter=two_key_one_major_q()),
        major_hazard=Count("id", filter=Q(has_major_hazard=True)),
        key_process=Count("id", filter=Q(has_key_process=True)),
        key_chemical=Count("id", filter=Q(has_key_chemical=True)),
        gaps=Count("id", filter=~lead_exists()),
        **status_counts,
    )


@tiles.register("registry.enterprise", order=60, template="registry/home/enterprise.html")
def enterprise_card(user) -> dict | None:
    if user.role not in ENTERPRISE_ROLES:
        return None
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
    return {
        "enterprise": enterprise,
        "licences": [{"licence": lic, "days_left": lic.days_left(today)} for lic in licences],
        "duties": duties,
    }


@tiles.register("registry.admin", order=90, template="registry/home/admin.html")
def registry_admin(user) -> dict | None:
    if user.role != Role.PLATFORM_ADMIN:
        return None
    return {
        "division_count": scoping.visible(user, Division).count(),
        "department_count": scoping.visible(user, Department).count(),
        "admin_index": reverse("admin:index"),
    }
