from django.contrib import admin

from anjian.accounts.models import Role
from anjian.core.admin_base import RoleGatedAdmin

from .models import DailyCommitment, MissingNotice


class ReadOnlyCommitmentAdmin(RoleGatedAdmin):
    # Evidence: a notice is submitted and corrected only through the services (versions,
    # audit entries); missing ones are flagged only by the job.
    roles = frozenset({Role.PLATFORM_ADMIN})
    read_only = True
    show_full_result_count = False


@admin.register(DailyCommitment)
class DailyCommitmentAdmin(ReadOnlyCommitmentAdmin):
    list_display = ("enterprise", "date", "version", "is_current", "late", "submitted_at")
    list_filter = ("late", "is_current")
    list_select_related = ("enterprise",)
    date_hierarchy = "date"


@admin.register(MissingNotice)
class MissingNoticeAdmin(ReadOnlyCommitmentAdmin):
    list_display = ("enterprise", "date", "flagged_at")
    list_select_related = ("enterprise",)
