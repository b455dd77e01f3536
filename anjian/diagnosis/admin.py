from django.contrib import admin

from anjian.accounts.models import Role
from anjian.core.admin_base import RoleGatedAdmin

from .models import Diagnosis


@admin.register(Diagnosis)
class DiagnosisAdmin(RoleGatedAdmin):
    # Diagnoses are evidence: recorded through the pages and the API (the service with its
    # checks and audit entry), never written or changed in the admin.
    roles = frozenset({Role.PLATFORM_ADMIN})
    read_only = True
    show_full_result_count = False
    list_display = ("enterprise", "diagnosed_on", "score", "colour", "self_assessment")
    list_filter = ("colour", "self_assessment")
    list_select_related = ("enterprise",)
