"""Admin building blocks: role-gated access (三员分立) and audited writes."""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import model_to_dict

from anjian.core.audit import Actor, audit_append, diff


class RoleGatedAdmin(admin.ModelAdmin):
    """Only the roles in `roles` see this model in the admin; `read_only` makes it view-only
    for them. Superusers keep Django's break-glass access."""

    roles: frozenset[str] = frozenset()
    read_only = False

    def _allowed(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.role in self.roles)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request) and not self.read_only

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and not self.read_only

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and not self.read_only


class AuditedAdmin(RoleGatedAdmin):
    """Every save and delete in the admin lands in the audit chain, in the same
    transaction as the change (the admin wraps each request in one)."""

    def save_model(self, request, obj, form, change):
        before = model_to_dict(obj.__class__.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj)
        after.pop("password", None)
        before.pop("password", None)
        audit_append(
            actor=Actor.for_user(request.user, "admin"),
            action="change" if change else "create",
            obj=obj,
            summary=str(obj)[:200],
            changes=diff(before, after) if change else after,
        )

    def delete_model(self, request, obj):
        label, pk = obj._meta.label_lower, obj.pk
        summary = str(obj)[:200]
        super().delete_model(request, obj)
        audit_append(
            actor=Actor.for_user(request.user, "admin"),
            action="delete",
            object_type=label,
            object_id=str(pk),
            summary=summary,
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
