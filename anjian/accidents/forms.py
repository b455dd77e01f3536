"""The accident pages' forms: they parse; anjian.accidents.services checks and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping
from anjian.registry.models import Division, Industry

from . import grading
from .models import CHECKLIST, Grade, State

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_COUNT = {"min_value": 0, "required": False, "widget": forms.NumberInput(attrs={"min": 0})}
_TEXTAREA = forms.Textarea(attrs={"rows": 3})
TYPE_CHOICES = [(code, f"{code} {name}") for code, name in grading.GB6441_TYPES]


class FiguresMixin(forms.Form):
    deaths = forms.IntegerField(label=_("deaths"), **_COUNT)
    serious_injuries = forms.IntegerField(
        label=_("serious injuries"),
        help_text=_("Including acute industrial poisoning."),
        **_COUNT,
    )
    minor_injuries = forms.IntegerField(label=_("minor injuries"), **_COUNT)
    missing = forms.IntegerField(label=_("missing persons"), **_COUNT)
    direct_loss_yuan = forms.DecimalField(
        label=_("direct economic loss (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("An estimate is enough in the quick report."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit_overview = forms.CharField(
        label=_("the unit"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who the unit is: name, kind, size (where there is one)."),
    )
    course = forms.CharField(label=_("course of events"), max_length=4000, widget=_TEXTAREA)
    measures = forms.CharField(
        label=_("measures taken"), required=False, max_length=4000, widget=_TEXTAREA
    )
    other = forms.CharField(
        label=_("other"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuickReportForm(FiguresMixin):
    """The quick report from a phone: when, where, what kind, the figures, the course."""

    occurred_at = forms.DateTimeField(label=_("occurred at"), widget=_DATETIME)
    learned_at = forms.DateTimeField(
        label=_("learned of by the unit's head at"),
        widget=_DATETIME,
        help_text=_("The quick report is due within one hour of this time."),
    )
    place = forms.CharField(label=_("place"), max_length=255)
    division = forms.ModelChoiceField(
        label=_("division"), queryset=Division.objects.none(), required=False
    )
    enterprise_uscc = forms.CharField(
        label=_("enterprise's unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("Leave empty for an accident outside any registered enterprise."),
    )
    industry = forms.ModelChoiceField(
        label=_("industry"), queryset=Industry.objects.none(), required=False
    )
    gb6441_type = forms.ChoiceField(label=_("accident type (GB 6441)"), choices=TYPE_CHOICES)
    road_or_fire = forms.BooleanField(
        label=_("road traffic or fire accident"),
        required=False,
        help_text=_("Casualty changes are then reported within 7 days instead of 30."),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = [
        "occurred_at",
        "learned_at",
        "place",
        "division",
        "enterprise_uscc",
        "industry",
        "gb6441_type",
        "road_or_fire",
        "deaths",
        "serious_injuries",
        "minor_injuries",
        "missing",
        "direct_loss_yuan",
        "course",
        "measures",
        "unit_overview",
        "other",
        "latitude",
        "longitude",
    ]

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.for_enterprise = user.role in ENTERPRISE_ROLES
        if self.for_enterprise:
            # Staff report for their own enterprise, where it is (the default division).
            for name in ("division", "enterprise_uscc", "industry"):
                del self.fields[name]
            return
        self.fields["division"].queryset = Division.objects.filter(
            pk__in=scoping.subtree_ids(user.division)
        ).order_by("code")
        self.fields["division"].required = True
        self.fields["industry"].queryset = Industry.objects.order_by("sort", "code")


class FollowupForm(FiguresMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("extension (days)"),
        min_value=1,
        max_value=grading.INVESTIGATION_MAX_EXTENSION_DAYS,
        widget=forms.NumberInput(attrs={"min": 1, "max": 60}),
    )
    reason = forms.CharField(label=_("reason for the extension"), max_length=4000, widget=_TEXTAREA)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AccountableForm(forms.Form):
    name = forms.CharField(label=_("person's name"), max_length=64)
    position = forms.CharField(label=_("role or position"), max_length=128)
    measure = forms.CharField(label=_("measure taken"), max_length=4000, widget=_TEXTAREA)
    basis = forms.CharField(
        label=_("basis"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    findings = forms.CharField(
        label=_("investigation findings"), required=False, max_length=4000, widget=_TEXTAREA
    )
    causes = forms.CharField(label=_("causes"), max_length=4000, widget=_TEXTAREA)
    lessons = forms.CharField(label=_("lessons"), required=False, max_length=4000, widget=_TEXTAREA)
    measures = forms.CharField(
        label=_("corrective measures"), required=False, max_length=4000, widget=_TEXTAREA
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, labels: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The four boxes (四不放过), each with its note; the service refuses an open box.
        for box in CHECKLIST:
            self.fields[box] = forms.BooleanField(label=labels[box], required=False)
            self.fields[f"{box}_note"] = forms.CharField(
                label=_("note"), required=False, max_length=1000
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=4000, widget=_TEXTAREA)
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("how it was found"), max_length=4000, widget=_TEXTAREA)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FilterForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("accident grade"), required=False, choices=[("", "—"), *Grade.choices]
    )
    gb6441_type = forms.ChoiceField(
        label=_("accident type (GB 6441)"), required=False, choices=[("", "—"), *TYPE_CHOICES]
    )
    state = forms.ChoiceField(label=_("state"), required=False, choices=[("", "—"), *State.choices])
