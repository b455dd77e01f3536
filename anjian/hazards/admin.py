from django.contrib import admin

from anjian.accounts.models import Role
from anjian.core.admin_base import RoleGatedAdmin

from .models import AccountabilityReview, Hazard, HazardCounter, HazardEvent, HazardPhoto

BACK_OFFICE = frozenset({Role.PLATFORM_ADMIN})


class ReadOnlyHazardAdmin(RoleGatedAdmin):
    # The ledger is evidence: it changes only through the workflow (services with their
    # checks, events and audit entries), never by hand in the admin.
    roles = BACK_OFFICE
    read_only = True
    show_full_result_count = False


@admin.register(Hazard)
class HazardAdmin(ReadOnlyHazardAdmin):
    list_display = ("number", "enterprise", "level", "state", "hazard_type", "deadline")
    list_filter = ("level", "state", "hazard_type", "source")
    list_select_related = ("enterprise",)
    search_fields = ("number",)


@admin.register(HazardEvent)
class HazardEventAdmin(ReadOnlyHazardAdmin):
    list_display = ("hazard", "action", "from_state", "to_state", "actor_label", "at")
    list_filter = ("action",)
    list_select_related = ("hazard",)


@admin.register(HazardPhoto)
class HazardPhotoAdmin(ReadOnlyHazardAdmin):
    list_display = ("hazard", "kind", "original_name", "image_format", "size", "uploaded_at")
    list_filter = ("kind", "image_format")
    list_select_related = ("hazard",)


@admin.register(AccountabilityReview)
class AccountabilityReviewAdmin(ReadOnlyHazardAdmin):
    list_display = ("hazard", "reviewed_by", "reviewed_on")
    list_select_related = ("hazard", "reviewed_by")


@admin.register(HazardCounter)
class HazardCounterAdmin(ReadOnlyHazardAdmin):
    list_display = ("division", "year", "last")
    list_select_related = ("division",)
