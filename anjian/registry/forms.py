"""Forms that render the registry pages. They do not validate the business rules: the
services do (anjian.registry.services), and their errors are put back on these forms, so
the messages a user sees are the same on the pages and in the API."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core import scoping

from .models import (
    Department,
    DisputeKind,
    DisputeStatus,
    Division,
    DivisionLevel,
    Enterprise,
    EnterpriseScale,
    EnterpriseStatus,
    Industry,
    IndustryCategory,
)
from .services import ENTERPRISE_FIELDS, REQUIRED_TEXT

BLANK = [("", "---------")]
REQUIRED_CHOICES = ("division_id", "industry_id", "scale")


def industry_choices(*, blank: str = "---------") -> list:
    """Industries grouped by category; a sub-sector is shown under its sector's name."""
    industries = list(Industry.objects.select_related("parent").order_by("sort", "code"))
    groups: OrderedDict[str, list] = OrderedDict(
        (str(label), []) for _value, label in IndustryCategory.choices
    )
    labels = dict(IndustryCategory.choices)
    for industry in industries:
        name = industry.name
        if industry.parent_id:
            name = f"{industry.parent.name} › {industry.name}"
        if industry.category == IndustryCategory.GBT4754:
            name = f"{industry.code} {name}"
        groups[str(labels[industry.category])].append((str(industry.pk), name))
    return [("", blank), *[(label, rows) for label, rows in groups.items() if rows]]


def creatable_division_choices(user) -> list:
    """Townships/streets and grids the user may register an enterprise in, each grid
    under its township."""
    rows = (
        scoping.visible(user, Division)
        .filter(level__in=[DivisionLevel.TOWNSHIP, DivisionLevel.GRID])
        .select_related("parent")
        .order_by("code")
    )
    groups: OrderedDict[str, list] = OrderedDict()
    whole = _("whole township / street")  # outside the f-string, where makemessages sees it
    for division in rows:
        if not scoping.can_create_enterprise_in(user, division):
            continue
        if division.level == DivisionLevel.TOWNSHIP:
            groups.setdefault(division.name, []).insert(
                0, (str(division.pk), f"{division.name}（{whole}）")
            )
        else:
            parent = division.parent.name if division.parent_id else ""
            groups.setdefault(parent, []).append((str(division.pk), division.name))
    return [*BLANK, *groups.items()]


def group_departments(departments) -> list:
    """Departments as choices, grouped by their jurisdiction when there are several."""
    groups: OrderedDict[str, list] = OrderedDict()
    for dep in departments:
        groups.setdefault(dep.division.name, []).append((str(dep.pk), dep.name))
    if len(groups) == 1:
        return next(iter(groups.values()))
    return list(groups.items())


def department_choices(user, *, blank: bool = True) -> list:
    """Visible departments, grouped by their jurisdiction."""
    choices = group_departments(scoping.visible(user, Department).select_related("division"))
    return [*BLANK, *choices] if blank else choices


def to_int(value: Any) -> int | None:
    """A posted id: None when blank, -1 (never an id) when it is not a number, so the
    service answers "unknown" in its own words."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _as_text(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, bool) else str(value)


def _text_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs=attrs)


class EnterpriseForm(forms.Form):
    """Renders an enterprise record. Every field accepts what the user typed; the service
    decides what is wrong."""

    name = forms.CharField(
        label=_("name"), required=False, widget=_text_input(maxlength=128, required=True)
    )
    uscc = forms.CharField(
        label=_("unified social credit code"),
        required=False,
        help_text=_("18 characters; the last one is the check character (GB 32100)."),
        widget=_text_input(
            maxlength=18,
            required=True,
            autocomplete="off",
            spellcheck="false",
            style="text-transform:uppercase",
        ),
    )
    division_id = forms.CharField(
        label=_("division"), required=False, widget=forms.Select(attrs={"required": True})
    )
    address = forms.CharField(
        label=_("address"), required=False, widget=_text_input(maxlength=255, required=True)
    )
    longitude = forms.CharField(
        label=_("longitude"), required=False, widget=_text_input(inputmode="decimal")
    )
    latitude = forms.CharField(
        label=_("latitude"), required=False, widget=_text_input(inputmode="decimal")
    )
    industry_id = forms.CharField(
        label=_("industry"), required=False, widget=forms.Select(attrs={"required": True})
    )
    scale = forms.CharField(
        label=_("scale"),
        required=False,
        widget=forms.Select(
            choices=BLANK + list(EnterpriseScale.choices), attrs={"required": True}
        ),
    )
    employees = forms.CharField(
        label=_("employees"), required=False, widget=_text_input(inputmode="numeric")
    )
    legal_representative = forms.CharField(
        label=_("legal representative"),
        required=False,
        widget=_text_input(maxlength=64, required=True),
    )
    principal = forms.CharField(
        label=_("principal"), required=False, widget=_text_input(maxlength=64, required=True)
    )
    principal_phone = forms.CharField(
        label=_("principal phone"), required=False, widget=_text_input(maxlength=32, type="tel")
    )
    safety_officer = forms.CharField(
        label=_("safety officer"), required=False, widget=_text_input(maxlength=64)
    )
    safety_officer_phone = forms.CharField(
        label=_("safety officer phone"),
        required=False,
        widget=_text_input(maxlength=32, type="tel"),
    )
    status = forms.CharField(
        label=_("status"),
        required=False,
        initial=EnterpriseStatus.OPERATING,
        widget=forms.Select(choices=list(EnterpriseStatus.choices)),
    )
    has_major_hazard = forms.BooleanField(label=_("major hazard installation"), required=False)
    has_key_process = forms.BooleanField(label=_("key supervised chemical process"), required=False)
    has_key_chemical = forms.BooleanField(
        label=_("key supervised hazardous chemical"), required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    required_names = frozenset((*REQUIRED_TEXT, "uscc", *REQUIRED_CHOICES))
    wide_names = frozenset(
        ("name", "uscc", "division_id", "industry_id", "address", "legal_representative")
    )
    sections = (
        (_("Identity"), ("name", "uscc", "status", "scale", "employees")),
        (
            _("Location and industry"),
            ("division_id", "industry_id", "address", "longitude", "latitude"),
        ),
        (
            _("People"),
            (
                "legal_representative",
                "principal",
                "principal_phone",
                "safety_officer",
                "safety_officer_phone",
            ),
        ),
        (
            _("Two key points, one major hazard"),
            ("has_major_hazard", "has_key_process", "has_key_chemical"),
        ),
    )

    def __init__(self, *args: Any, user, instance: Enterprise | None = None, **kwargs: Any):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            # As text, the way the browser sends it back, so changed_data is exact.
            kwargs["initial"] = {
                **{name: _as_text(getattr(instance, name)) for name in ENTERPRISE_FIELDS},
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["division_id"].widget.choices = creatable_division_choices(user)
        self.fields["industry_id"].widget.choices = industry_choices()
        for name in self.required_names:
            self.fields[name].widget.attrs["required"] = True
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "select")

    def grouped(self) -> list[tuple[str, list]]:
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as the service expects it (keys exactly ENTERPRISE_FIELDS).

        A blank required choice is left out, so that creating says "required"; on an
        update the view reports it (leaving it out would mean "unchanged")."""
        cleaned = self.cleaned_data
        data: dict[str, Any] = {}
        for name in ENTERPRISE_FIELDS:
            value = cleaned.get(name)
            if name.startswith("has_"):
                data[name] = bool(value)
                continue
            value = "" if value is None else str(value).strip()
            if name in REQUIRED_CHOICES and not value:
                continue
            if name == "employees" and not value:
                value = "0"
            if name == "status" and not value:
                value = EnterpriseStatus.OPERATING
            data[name] = value
        return data

    def missing_choices(self) -> list[str]:
        return [name for name in REQUIRED_CHOICES if not str(self.cleaned_data.get(name) or "")]


class EnterpriseFilterForm(forms.Form):
    """The filters of the enterprise list (GET). Choices come from the user's scope."""

    FLAG_CHOICES = [
        ("", _("All")),
        ("two_key_one_major", _("Two key points, one major hazard")),
        ("major_hazard", _("Major hazard installation")),
        ("key_process", _("Key supervised chemical process")),
        ("key_chemical", _("Key supervised hazardous chemical")),
        ("no_lead", _("No lead department (supervision gap)")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or credit code")}),
    )
    division = forms.TypedChoiceField(
        label=_("division"), required=False, coerce=int, empty_value=None
    )
    industry = forms.TypedChoiceField(
        label=_("industry"), required=False, coerce=int, empty_value=None
    )
    department = forms.TypedChoiceField(
        label=_("department"), required=False, coerce=int, empty_value=None
    )
    flag = forms.ChoiceField(label=_("Key supervision"), required=False, choices=FLAG_CHOICES)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *EnterpriseStatus.choices]
    )
    # The current safety code's colour (the home page's red / yellow / blue figures).
    code = forms.ChoiceField(
        label=_("Safety code"),
        required=False,
        choices=[
            ("", _("All")),
            ("red", _("Red code")),
            ("yellow", _("Yellow code")),
            ("blue", _("Blue code")),
        ],
    )

    # Past this many divisions in scope the filter offers townships and above only.
    MAX_DIVISION_CHOICES = 400

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        divisions = list(scoping.visible(user, Division).with_tree_fields())
        # The divisions and departments in scope, for the view to check filters against.
        self.division_ids = {d.pk for d in divisions}
        if len(divisions) > self.MAX_DIVISION_CHOICES:
            divisions = [d for d in divisions if d.level != DivisionLevel.GRID]
        self.fields["division"].choices = [
            ("", _("All")),
            *[(d.pk, "\u3000" * d.tree_depth + d.name) for d in divisions],
        ]
        self.fields["industry"].choices = industry_choices(blank=str(_("All")))
        departments = list(scoping.visible(user, Department).select_related("division"))
        self.department_ids = {d.pk for d in departments}
        self.fields["department"].choices = [("", _("All")), *group_departments(departments)]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "select"


class DisputeRaiseForm(forms.Form):
    kind = forms.CharField(
        label=_("kind"),
        required=False,
        widget=forms.Select(choices=BLANK + list(DisputeKind.choices), attrs={"required": True}),
    )
    enterprise_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    industry_id = forms.CharField(label=_("business type"), required=False, widget=forms.Select())
    proposed_department_id = forms.CharField(
        label=_("proposed lead"), required=False, widget=forms.Select()
    )
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "required": True}),
    )

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["industry_id"].widget.choices = industry_choices()
        self.fields["proposed_department_id"].widget.choices = department_choices(user)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "select"

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "reason": data.get("reason") or "",
            "enterprise_id": to_int(data.get("enterprise_id")),
            "industry_id": to_int(data.get("industry_id")),
            "proposed_department_id": to_int(data.get("proposed_department_id")),
        }


class DisputeDecideForm(forms.Form):
    decided_lead_id = forms.CharField(
        label=_("decided lead department"),
        required=False,
        widget=forms.Select(attrs={"required": True}),
    )
    cooperating_ids = forms.MultipleChoiceField(
        label=_("Cooperating departments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.CharField(
        label=_("decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
    )

    def __init__(self, *args: Any, user, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["decided_lead_id"].widget.choices = department_choices(user)
        self.fields["cooperating_ids"].choices = [
            (str(d.pk), d.name) for d in scoping.visible(user, Department)
        ]
        self.fields["decided_lead_id"].widget.attrs["class"] = "select"

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "decided_lead_id": to_int(self.cleaned_data.get("decided_lead_id")),
            "decision": self.cleaned_data.get("decision") or "",
            "cooperating_ids": [int(v) for v in self.cleaned_data.get("cooperating_ids") or []],
        }


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *DisputeStatus.choices]
    )
