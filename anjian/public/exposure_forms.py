"""Forms of the exposure board's regulator pages: they parse, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExposureGround, ExposureState


class ProposeForm(forms.Form):
    ground = forms.ChoiceField(label=_("ground"), choices=ExposureGround.choices)
    link_id = forms.IntegerField(
        label=_("id of the grounding record"),
        min_value=1,
        help_text=_("The penalty, major hazard or accident the entry rests on."),
    )
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("public summary"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Facts about the enterprise only: no person's name, phone or ID number."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("state"),
        choices=[("", _("all")), *ExposureState.choices],
        required=False,
    )
