from django import forms
from django.contrib import admin

from anjian.accounts.models import Role
from anjian.core.admin_base import AuditedAdmin

from . import uscc
from .models import (
    Department,
    Division,
    DutyAssignment,
    DutyDispute,
    DutyRule,
    Enterprise,
    Industry,
    Licence,
)

BACK_OFFICE = frozenset({Role.PLATFORM_ADMIN})


class RegistryAdmin(AuditedAdmin):
    roles = BACK_OFFICE


@admin.register(Division)
class DivisionAdmin(RegistryAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Department)
class DepartmentAdmin(RegistryAdmin):
    list_display = ("name", "kind", "division", "phone")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("division",)


@admin.register(Industry)
class IndustryAdmin(RegistryAdmin):
    list_display = ("code", "name", "category", "parent", "sort")
    list_filter = ("category",)
    search_fields = ("code", "name")


@admin.register(DutyRule)
class DutyRuleAdmin(RegistryAdmin):
    list_display = ("industry", "department_kind", "role", "division", "basis")
    list_filter = ("role", "department_kind")
    raw_id_fields = ("division",)


class EnterpriseAdminForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = "__all__"  # noqa: DJ007 - the admin lays out every field on purpose

    def clean_uscc(self):
        result = uscc.validate(self.cleaned_data["uscc"])
        if not result.valid:
            raise forms.ValidationError(result.reason())
        return result.code


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(RegistryAdmin):
    form = EnterpriseAdminForm
    list_display = ("name", "uscc", "division", "industry", "status")
    list_filter = ("status", "industry", "has_major_hazard")
    search_fields = ("name", "=uscc")
    raw_id_fields = ("division",)
    list_select_related = ("division", "industry")
    inlines = [LicenceInline]
    show_full_result_count = False


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(RegistryAdmin):
    list_display = ("enterprise", "department", "role", "source", "assigned_at")
    list_filter = ("role", "source")
    raw_id_fields = ("enterprise", "department")
    list_select_related = ("enterprise", "department")


@admin.register(DutyDispute)
class DutyDisputeAdmin(RegistryAdmin):
    list_display = ("__str__", "kind", "status", "raised_by_department", "decided_on")
    list_filter = ("status", "kind")
    raw_id_fields = ("enterprise", "jurisdiction")
