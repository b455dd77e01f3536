from django.contrib import admin

from anjian.accounts.models import Role
from anjian.core.admin_base import AuditedAdmin, RoleGatedAdmin

from .models import (
    Assessment,
    CheckTask,
    CouplingRule,
    MajorHazardInstallation,
    RiskUnit,
    SafetyCode,
)

BACK_OFFICE = frozenset({Role.PLATFORM_ADMIN})


@admin.register(CouplingRule)
class CouplingRuleAdmin(AuditedAdmin):
    """Coupling rules are configuration: the platform administrator keeps them."""

    roles = BACK_OFFICE
    list_display = ("name", "factors", "raise_levels", "enabled", "basis")
    list_filter = ("enabled",)


class ReadOnlyRegistryAdmin(RoleGatedAdmin):
    # Risk records are the enterprise's; they change through the pages and the API
    # (services with their checks), never by hand in the admin.
    roles = BACK_OFFICE
    read_only = True
    show_full_result_count = False


@admin.register(RiskUnit)
class RiskUnitAdmin(ReadOnlyRegistryAdmin):
    list_display = ("name", "enterprise", "colour", "inherent_colour", "control_level")
    list_filter = ("colour", "control_level")
    list_select_related = ("enterprise",)
    search_fields = ("name",)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyRegistryAdmin):
    list_display = ("unit", "method", "score", "level", "colour", "profile", "assessed_at")
    list_filter = ("method", "colour", "profile")
    list_select_related = ("unit",)


@admin.register(MajorHazardInstallation)
class MajorHazardInstallationAdmin(ReadOnlyRegistryAdmin):
    list_display = ("name", "enterprise", "total", "r_value", "grade", "reassess_by")
    list_filter = ("grade",)
    list_select_related = ("enterprise",)


@admin.register(CheckTask)
class CheckTaskAdmin(ReadOnlyRegistryAdmin):
    list_display = (
        "content",
        "enterprise",
        "cycle",
        "cycle_unit",
        "responsible_person",
        "next_due",
    )
    list_select_related = ("enterprise",)


@admin.register(SafetyCode)
class SafetyCodeAdmin(ReadOnlyRegistryAdmin):
    list_display = ("enterprise", "colour", "score", "policy", "computed_at", "trigger")
    list_filter = ("colour", "policy")
    list_select_related = ("enterprise",)
