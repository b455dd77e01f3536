"""The emergency management overview page (the areas' own pages are in their modules):
what needs attention first (plans overdue for filing, ordered drills, expired or short
supplies, incidents being responded to), then the way into each area."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping
from anjian.core.sections import require_section

from .overview import overview_figures


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (scoping.is_active_user(user) and user.role in ENTERPRISE_ROLES):
        require_section(user, "gaps")  # regulators (and the platform administrator)
    elif not user.enterprise_id:
        require_section(user, "gaps")
    return render(
        request,
        "emergency/overview.html",
        {
            "figures": overview_figures(user),
            "is_enterprise": user.role in ENTERPRISE_ROLES,
            "may_respond": user.role
            in {
                "coordinator",
                "department_officer",
                "enterprise_principal",
                "enterprise_safety_officer",
            },
        },
    )
