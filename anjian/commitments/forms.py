"""The notice form: the principal's name and commitment, the day's counts, and one
running / stopped / under-maintenance choice per unit (fields `unit_<kind>_<pk>`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import DailyCommitment, UnitState
from .services import NoticeData, Unit, field_name


class NoticeForm(forms.Form):
    principal_name = forms.CharField(label=_("Principal"), max_length=64)
    commitment = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 3}))
    judgement = forms.CharField(
        label=_("Risk judgement notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: what was judged today (high-risk work, weather, changes)."),
    )

    def __init__(self, *args, units: list[Unit], correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for name in rules.COUNT_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=DailyCommitment._meta.get_field(name).verbose_name,
                min_value=0,
                max_value=rules.COUNT_MAX,
                initial=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )
        for unit in units:
            self.fields[field_name(unit.key)] = forms.ChoiceField(
                label=unit.name,
                choices=UnitState.choices,
                widget=forms.RadioSelect,
            )
        if correcting:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the correction"), max_length=255
            )
        for f in self.fields.values():
            if not isinstance(f.widget, forms.RadioSelect):
                # Inputs at least 16 px on every screen (phones zoom into smaller ones).
                f.widget.attrs.setdefault("style", "font-size:16px")

    def unit_rows(self):
        return [(unit, self[field_name(unit.key)]) for unit in self.units]

    def special_work_fields(self):
        return [self[name] for name in rules.SPECIAL_WORK_FIELDS]

    def operation_fields(self):
        return [self[name] for name in rules.OPERATION_FIELDS]

    def notice_data(self) -> NoticeData:
        d = self.cleaned_data
        return NoticeData(
            principal_name=d["principal_name"],
            commitment=d["commitment"],
            judgement=d.get("judgement") or "",
            counts={name: d[name] for name in rules.COUNT_FIELDS},
            states={u.key: d[field_name(u.key)] for u in self.units},
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


def initial_from(notice: DailyCommitment | None, prefill: dict) -> dict:
    """Initial values: from `notice` (a correction starts from the current version) or
    from the prefill (yesterday's states)."""
    initial: dict = {}
    if notice is not None:
        initial.update(
            principal_name=notice.principal_name,
            commitment=notice.commitment,
            judgement=notice.judgement,
            **{name: getattr(notice, name) for name in rules.COUNT_FIELDS},
        )
        states = {u.key: u.state for u in notice.units.all()}
        states = rules.prefill_states([u.key for u in prefill["units"]], states)
    else:
        initial.update(principal_name=prefill["principal_name"], commitment=prefill["commitment"])
        states = prefill["states"]
    for key, state in states.items():
        initial[field_name(key)] = state
    return initial
