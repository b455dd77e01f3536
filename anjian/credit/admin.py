from django.contrib import admin

from anjian.accounts.models import Role
from anjian.core.admin_base import RoleGatedAdmin

from .models import CreditFile, CreditListEntry


class ReadOnlyCreditAdmin(RoleGatedAdmin):
    # Listing and removal happen only through the evaluation job (rules, audit entries).
    roles = frozenset({Role.PLATFORM_ADMIN})
    read_only = True
    show_full_result_count = False


@admin.register(CreditListEntry)
class CreditListEntryAdmin(ReadOnlyCreditAdmin):
    list_display = ("enterprise", "rule_id", "listed_on", "removed_on")
    list_filter = ("rule_id",)
    list_select_related = ("enterprise",)
    date_hierarchy = "listed_on"


@admin.register(CreditFile)
class CreditFileAdmin(ReadOnlyCreditAdmin):
    list_display = ("enterprise", "evaluated_on", "last_fired_on")
    list_select_related = ("enterprise",)
