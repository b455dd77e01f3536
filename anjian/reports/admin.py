from django.contrib import admin

from anjian.accounts.models import Role
from anjian.core.admin_base import RoleGatedAdmin

from .models import HazardStatement


@admin.register(HazardStatement)
class HazardStatementAdmin(RoleGatedAdmin):
    # Statements change only through the services (prepare, sign): read-only here.
    roles = frozenset({Role.PLATFORM_ADMIN})
    read_only = True
    list_display = ("enterprise", "year", "quarter", "version", "signed_at", "submitted_at")
    list_filter = ("period_kind", "year", "quarter")
    list_select_related = ("enterprise",)
    search_fields = ("enterprise__name",)
