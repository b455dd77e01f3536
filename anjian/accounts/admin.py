"""Accounts in the admin under 三员分立 (separation of duties).

The security administrator manages the accounts of the business roles (regulators,
enterprise staff) and their roles, resets their passwords, revokes API tokens and lifts
sign-in lockouts. They can grant no privileges: superuser, staff status, permissions and
groups are in no form, staff status follows the role, and the administrator-role accounts
(platform, security, audit administrator), superusers and their own account are
view-only to them: otherwise a security administrator could make themselves an audit
administrator, or set the audit administrator's password and sign in as them.
Administrator accounts come from the command line (`anjian manage admin_account`);
superusers from `anjian manage createsuperuser` only.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anjian.core.admin_base import AuditedAdmin, RoleGatedAdmin
from anjian.core.audit import Actor

from . import services
from .models import ADMIN_ROLES, ApiToken, Role, User

SECURITY = frozenset({Role.SECURITY_ADMIN})

PLACE_FIELDS = ("role", "display_name", "phone", "division", "department", "enterprise")


def is_privileged(user: User) -> bool:
    """An account only the command line (or a superuser's break-glass session) manages."""
    return bool(user.is_superuser or user.role in ADMIN_ROLES)


class UserCreationForm(AdminUserCreationForm):
    """Django's add form, with help its zh-hans catalogue lacks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = _(
                "Without a password the account can sign in only through another sign-in "
                "service (single sign-on), if one is configured."
            )


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
    # No is_staff, is_superuser, groups or user_permissions: a field that is not in the
    # form cannot be set by a forged POST either (the model form ignores it).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and place"), {"fields": PLACE_FIELDS}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_form = UserCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Role and place"), {"fields": PLACE_FIELDS}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["unlock_sign_in"]

    def _may_manage(self, request, obj: User | None) -> bool:
        if obj is None:
            return True
        if obj.pk == request.user.pk:
            return False  # nobody raises or rewrites their own account
        return request.user.is_superuser or not is_privileged(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            # A forged POST with an administrator role fails validation as an invalid choice.
            kwargs["choices"] = [("", "---------")] + [
                (value, label) for value, label in Role.choices if value not in ADMIN_ROLES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form already keeps these out; this is the rule itself, whatever the form.
        if change:
            stored = User.objects.get(pk=obj.pk)
            if not self._may_manage(request, stored):
                raise PermissionDenied
            obj.is_superuser = stored.is_superuser
        else:
            obj.is_superuser = False  # superusers come from createsuperuser only
        if not request.user.is_superuser and obj.role in ADMIN_ROLES:
            raise PermissionDenied
        obj.is_staff = is_privileged(obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        if not self._may_manage(request, obj):
            raise PermissionDenied
        super().delete_model(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Django checks has_change_permission(obj) here too; kept explicit because a
        # password reset of an administrator is the shortest way into their role.
        user = self.get_object(request, id)
        if user is not None and not self._may_manage(request, user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Lift the sign-in lockout of the selected accounts"))
    def unlock_sign_in(self, request, queryset):
        actor = Actor.for_user(request.user, "admin")
        for user in queryset:
            services.login_unlock(actor=actor, username=user.get_username())
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Sign-in unlocked for %(count)d account.",
                "Sign-in unlocked for %(count)d accounts.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(RoleGatedAdmin):
    """Tokens are issued with `anjian token create` (which shows the raw key once) and
    only ever revoked here: a token is never moved to another user or brought back."""

    roles = SECURITY
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked")
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: its last use stays on record

    def save_model(self, request, obj, form, change):
        stored = ApiToken.objects.get(pk=obj.pk)
        if stored.revoked and not obj.revoked:
            raise PermissionDenied
        if obj.revoked and not stored.revoked:
            services.token_revoke(actor=Actor.for_user(request.user, "admin"), token=stored)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        actor = Actor.for_user(request.user, "admin")
        for token in queryset:
            services.token_revoke(actor=actor, token=token)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(RoleGatedAdmin):
    """Failed sign-ins counted for the lockout; deleting a row lifts that lock."""

    roles = SECURITY
    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "path_info")
    search_fields = ("username", "ip_address")
    fields = (*list_display, "user_agent")
    readonly_fields = fields
    date_hierarchy = "attempt_time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.login_attempt_clear(actor=Actor.for_user(request.user, "admin"), attempt=obj)

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            self.delete_model(request, attempt)
