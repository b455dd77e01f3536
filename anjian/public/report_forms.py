"""Forms of whistleblower report pages: parsing only, the rules are report_services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.hazards.models import Category, Handling, HazardType

from .models import Conclusion, Matter, ReportState


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SubmitForm(forms.Form):
    matter = forms.ChoiceField(label=_("What are you reporting?"), choices=Matter.choices)
    division = forms.TypedChoiceField(label=_("Township"), coerce=int, choices=())
    enterprise_name = forms.CharField(
        label=_("Unit reported (name or unified social credit code)"),
        max_length=200,
        required=False,
    )
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    content = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}))
    photos = forms.FileField(
        label=_("Photos"),
        required=False,
        widget=MultiFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}
        ),
    )
    latitude = forms.CharField(label=_("Latitude"), required=False, max_length=20)
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    anonymous = forms.TypedChoiceField(
        label=_("Report"),
        choices=(("1", _("anonymously")), ("0", _("with my name (needed for a reward)"))),
        widget=forms.RadioSelect,
        initial="1",
        coerce=str,
    )
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    id_number = forms.CharField(label=_("ID card number (optional)"), max_length=30, required=False)
    address = forms.CharField(label=_("Contact address (optional)"), max_length=200, required=False)
    insider = forms.BooleanField(label=_("I work at this unit"), required=False)
    # The honeypot: hidden from people by CSS and aria-hidden; robots fill it.
    website = forms.CharField(required=False, label="website")

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [("", "---------")] + [(d.pk, d.name) for d in townships]


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=32)
    secret = forms.CharField(
        label=_("Secret"), max_length=32, widget=forms.PasswordInput(render_value=True)
    )


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))


class IdentifyForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    id_number = forms.CharField(label=_("ID card number (optional)"), max_length=30, required=False)
    address = forms.CharField(label=_("Contact address (optional)"), max_length=200, required=False)


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("state"), choices=[("", "---------"), *ReportState.choices], required=False
    )
    matter = forms.ChoiceField(
        label=_("matter reported"), choices=[("", "---------"), *Matter.choices], required=False
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)


class TriageForm(forms.Form):
    department_id = forms.TypedChoiceField(label=_("handling department"), coerce=int, choices=())
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [(d.pk, d.name) for d in departments]


class DuplicateForm(forms.Form):
    duplicate_of = forms.IntegerField(label=_("earlier report number"))
    note = forms.CharField(label=_("note"), required=False)


class VerifyForm(forms.Form):
    hazard_id = forms.IntegerField(label=_("hazard number"), required=False)
    inspection_id = forms.IntegerField(label=_("inspection number"), required=False)
    accident_id = forms.IntegerField(label=_("accident number"), required=False)
    # Or a new hazard of the reported enterprise, entered in its ledger (anjian.hazards)
    # with the source "report from the public".
    new_hazard = forms.BooleanField(
        label=_("register what was found as a new hazard of the reported enterprise"),
        required=False,
    )
    hazard_description = forms.CharField(
        label=_("hazard found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What was found on site. The enterprise sees its hazards: write nothing that "
            "could point to the reporter."
        ),
    )
    hazard_location = forms.CharField(label=_("location"), required=False, max_length=255)
    hazard_type = forms.ChoiceField(
        label=_("hazard type"), required=False, choices=[("", "—"), *HazardType.choices]
    )
    hazard_category = forms.ChoiceField(
        label=_("hazard category"), required=False, choices=[("", "—"), *Category.choices]
    )
    hazard_handling = forms.ChoiceField(
        label=_("handling"), required=False, choices=Handling.choices, initial=Handling.BY_DEADLINE
    )
    note = forms.CharField(label=_("note"), required=False)

    HAZARD_FIELDS = ("description", "location", "hazard_type", "category", "handling")

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as report_verify takes it: the new hazard's fields gathered."""
        d = dict(self.cleaned_data)
        new = d.pop("new_hazard", False)
        hazard = {
            "description": d.pop("hazard_description", ""),
            "location": d.pop("hazard_location", ""),
            "hazard_type": d.pop("hazard_type", ""),
            "category": d.pop("hazard_category", ""),
            "handling": d.pop("hazard_handling", "") or Handling.BY_DEADLINE,
        }
        if new:
            d["hazard"] = hazard
        return d


class ConcludeForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("conclusion"), choices=Conclusion.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    accident_id = forms.IntegerField(label=_("accident number"), required=False)
    mark_concealed = forms.BooleanField(label=_("flag the accident as concealed"), required=False)


class RewardForm(forms.Form):
    fine_yuan = forms.CharField(label=_("fine imposed (yuan)"), required=False)
    grade = forms.ChoiceField(
        label=_("accident grade"),
        required=False,
        choices=[
            ("", "---------"),
            ("一般", "一般"),
            ("较大", "较大"),
            ("重大", "重大"),
            ("特别重大", "特别重大"),
        ],
    )
    deaths = forms.IntegerField(label=_("concealed deaths"), required=False, min_value=0)
    note = forms.CharField(label=_("note"), required=False)


class PayForm(forms.Form):
    payment_ref = forms.CharField(label=_("payment reference"), max_length=64)
    note = forms.CharField(label=_("note"), required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("days (at most 30)"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 2}))


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("question to the reporter"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for reading the identity"), widget=forms.Textarea(attrs={"rows": 2})
    )
