"""The drill pages' forms: they parse; anjian.emergency.drill_services checks and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.registry.models import Enterprise

from . import drill_rules as rules
from .models import DrillKind, DrillLevel, FindingOutcome, Plan

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_TEXTAREA = forms.Textarea(attrs={"rows": 3})
FINDING_ROWS = 3


class DrillPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("drill type"), choices=DrillKind.choices)
    level = forms.ChoiceField(label=_("drill level"), choices=DrillLevel.choices)
    plan = forms.ModelChoiceField(
        label=_("plan drilled"), queryset=Plan.objects.none(), required=False
    )
    risk_unit = forms.ModelChoiceField(
        label=_("risk unit"), queryset=Plan.objects.none(), required=False
    )
    scenario = forms.CharField(label=_("scenario"), max_length=4000, widget=_TEXTAREA)
    planned_for = forms.DateTimeField(label=_("planned for"), required=False, widget=_DATETIME)

    def __init__(self, plans: Any, units: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["risk_unit"].queryset = units


class DrillOrderForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=Enterprise.objects.none())
    kind = forms.ChoiceField(
        label=_("drill type"), choices=DrillKind.choices, initial=DrillKind.FUNCTIONAL
    )
    scenario = forms.CharField(label=_("scenario"), max_length=4000, widget=_TEXTAREA)

    def __init__(self, enterprises: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises


class EmptyForm(forms.Form):
    """Acknowledge and start: nothing to fill in, one big button."""


class FinishForm(forms.Form):
    participants = forms.IntegerField(
        label=_("participants"), min_value=1, widget=forms.NumberInput(attrs={"min": 1})
    )
    # Choices are the drilling enterprise's workers, set by the view (drill_views).
    workers = forms.TypedMultipleChoiceField(
        label=_("registered workers who took part"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each earns the drill's safety points."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=4000, widget=_TEXTAREA)


class EvaluateForm(forms.Form):
    evaluation = forms.CharField(label=_("evaluation"), max_length=4000, widget=_TEXTAREA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, FINDING_ROWS + 1):
            self.fields[f"finding_{i}"] = forms.CharField(
                label=_("finding %(n)s") % {"n": i},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"outcome_{i}"] = forms.ChoiceField(
                label=_("outcome"),
                choices=FindingOutcome.choices,
                initial=FindingOutcome.NOTE,
                required=False,
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"finding_{i}"], self[f"outcome_{i}"]) for i in range(1, FINDING_ROWS + 1)]

    def findings(self) -> list[dict[str, str]]:
        d = self.cleaned_data
        return [
            {"text": d[f"finding_{i}"], "outcome": d.get(f"outcome_{i}") or FindingOutcome.NOTE}
            for i in range(1, FINDING_ROWS + 1)
            if (d.get(f"finding_{i}") or "").strip()
        ]


class ProfileForm(forms.Form):
    profile = forms.ChoiceField(
        label=_("reading of the frequency rule"),
        choices=[(rules.NATIONAL, rules.NATIONAL), (rules.EACH_ONSITE, rules.EACH_ONSITE)],
        required=False,
    )

    def __init__(self, labels: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = list(labels.items())
