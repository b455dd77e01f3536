from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from anjian.core.admin_base import AuditedAdmin

from .models import ApiToken, Role, User

SECURITY = frozenset({Role.SECURITY_ADMIN})


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    roles = SECURITY
    list_display = (
        "username",
        "display_name",
        "role",
        "division",
        "department",
        "enterprise",
        "is_active",
    )
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    raw_id_fields = ("division", "department", "enterprise")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Role and place"),
            {"fields": ("role", "display_name", "phone", "division", "department", "enterprise")},
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    roles = SECURITY
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    fields = ("user", "name", "revoked")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return False  # issued with `anjian token create`, which shows the raw key once
