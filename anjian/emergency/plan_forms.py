"""The plan pages' forms: they parse; anjian.emergency.plan_services checks and writes.

Response levels and roles are typed one per line, fields separated by "|" (a phone has
no room for a grid of inputs): "Ⅰ级 | 泄漏量大于… | 全厂撤离…" and "总指挥 | 李四 | 138…".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core import scoping
from anjian.risks.models import MajorHazardInstallation, RiskUnit

from .models import GB6441_TYPES, PlanKind, PlanState, RevisionReason

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TYPE_CHOICES = [(code, f"{code} {name}") for code, name in GB6441_TYPES]


def _lines(text: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        # Extra separators stay in the last field (an action text may contain "|").
        head, tail = parts[: len(fields) - 1], parts[len(fields) - 1 :]
        parts = [*head, " | ".join(tail)] if tail else head
        rows.append({f: (parts[i] if i < len(parts) else "") for i, f in enumerate(fields)})
    return rows


def rows_text(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> str:
    return "\n".join(" | ".join(str(r.get(f, "")) for f in fields).rstrip(" |") for r in rows)


LEVEL_FIELDS = ("level", "condition", "actions")
ROLE_FIELDS = ("role", "name", "phone")


class PlanFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("state"), required=False, choices=[("", "—"), *PlanState.choices]
    )
    kind = forms.ChoiceField(
        label=_("plan type"), required=False, choices=[("", "—"), *PlanKind.choices]
    )
    overdue = forms.ChoiceField(
        label=_("overdue"),
        required=False,
        choices=[
            ("", "—"),
            ("filing", _("filing overdue")),
            ("evaluation", _("evaluation overdue")),
        ],
    )


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("plan type"), choices=PlanKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    post = forms.CharField(
        label=_("post (disposal card)"),
        max_length=100,
        required=False,
        help_text=_("Only for a disposal card: the post it is made for."),
    )
    summary = forms.CharField(
        label=_("content"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    accident_types = forms.MultipleChoiceField(
        label=_("accident types covered"),
        choices=TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "plan-types"}),
    )
    response_levels = forms.CharField(
        label=_("response levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: level | condition | actions."),
    )
    roles = forms.CharField(
        label=_("roles and contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: role | name | phone."),
    )
    risk_units = forms.ModelMultipleChoiceField(
        label=_("risk units"), queryset=RiskUnit.objects.none(), required=False
    )
    installations = forms.ModelMultipleChoiceField(
        label=_("major hazard installations"),
        queryset=MajorHazardInstallation.objects.none(),
        required=False,
    )

    def __init__(self, user: Any, enterprise_id: int, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["risk_units"].queryset = scoping.visible(user, RiskUnit).filter(
            enterprise_id=enterprise_id
        )
        self.fields["installations"].queryset = scoping.visible(
            user, MajorHazardInstallation
        ).filter(enterprise_id=enterprise_id)

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "title": d["title"],
            "post": d.get("post", ""),
            "summary": d.get("summary", ""),
            "accident_types": list(d.get("accident_types") or []),
            "response_levels": _lines(d.get("response_levels", ""), LEVEL_FIELDS),
            "roles": _lines(d.get("roles", ""), ROLE_FIELDS),
            "risk_unit_ids": [u.pk for u in d.get("risk_units") or []],
            "installation_ids": [i.pk for i in d.get("installations") or []],
        }


class EmptyForm(forms.Form):
    pass


class SignForm(forms.Form):
    issued_on = forms.DateField(
        label=_("issued on"),
        required=False,
        widget=_DATE,
        help_text=_("Leave empty for today. Filing is due 20 working days later."),
    )


class SubmitForm(forms.Form):
    department = forms.ChoiceField(label=_("file with (department)"), choices=())

    def __init__(self, departments: list[Any], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            (str(d.pk), f"{d.division.name} · {d.name}") for d in departments
        ]


class FileForm(forms.Form):
    filing_number = forms.CharField(label=_("filing number"), max_length=64)


class ReturnForm(forms.Form):
    missing = forms.CharField(
        label=_("materials missing"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("List every missing material at once."),
    )


class EvaluateForm(forms.Form):
    evaluated_on = forms.DateField(
        label=_("evaluated on"), required=False, widget=_DATE, help_text=_("Empty: today.")
    )
    conclusion = forms.CharField(
        label=_("conclusion"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs_revision = forms.BooleanField(label=_("the plan needs revision"), required=False)


class TriggerForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason"), choices=RevisionReason.choices)
    note = forms.CharField(
        label=_("note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
