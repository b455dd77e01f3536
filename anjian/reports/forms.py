"""Forms of the report pages: which period, how to group, the enterprise's analysis."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from . import periods
from .queries import GROUP_BY, STATUSES


def period_label(period: periods.Period) -> str:
    if period.quarter:
        return _("%(year)d Q%(quarter)d") % {"year": period.year, "quarter": period.quarter}
    return _("%(year)d (whole year)") % {"year": period.year}


def period_choices(
    today: dt.date, *, running: bool, count: int = 12, asked: object = None
) -> list[tuple[str, str]]:
    """Ended periods, newest first; with `running`, the current quarter and year too; and
    the period asked for, when it is valid and older."""
    out: list[periods.Period] = []
    if running:
        out += [periods.quarter_of(today), periods.year_of(today)]
    out += periods.recent(today, count)
    try:
        extra = periods.parse(asked) if asked else None
    except periods.PeriodError:
        extra = None
    if extra is not None and extra not in out:
        out.append(extra)
    return [(p.key, period_label(p)) for p in out]


class PeriodField(forms.ChoiceField):
    """A select of recent periods that also takes any other valid period key (a link to
    an older quarter); the services decide whether the period may be used."""

    def valid_value(self, value) -> bool:  # type: ignore[override]
        try:
            periods.parse(value)
        except periods.PeriodError:
            return False
        return True

    def clean(self, value):  # type: ignore[override]
        key = super().clean(value)
        return periods.parse(key)


class StatementForm(forms.Form):
    period = PeriodField(label=_("period"))
    analysis = forms.CharField(
        label=_("analysis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The enterprise's own analysis: what was found, what was fixed, why anything is "
            "overdue, what will be done next. The principal signs the table with it."
        ),
    )
    reason = forms.CharField(
        label=_("reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the period's table is already signed: why it is corrected."),
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(
            today, running=False, asked=self.data.get("period") or self.initial.get("period")
        )


class FiguresForm(forms.Form):
    period = PeriodField(label=_("period"), required=True)
    group_by = forms.ChoiceField(
        label=_("group by"),
        choices=[
            ("division", _("Division")),
            ("industry", _("Industry")),
            ("department", _("Lead department")),
        ],
        required=False,
    )
    within = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(
            today, running=True, asked=self.data.get("period")
        )

    def clean_group_by(self) -> str:
        value = self.cleaned_data.get("group_by") or "division"
        return value if value in GROUP_BY else "division"


class DueForm(forms.Form):
    period = PeriodField(label=_("period"))
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            ("", _("All")),
            ("submitted", _("Submitted on time")),
            ("late", _("Submitted late")),
            ("missing", _("Not submitted, overdue")),
            ("pending", _("Not submitted, not yet due")),
        ],
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(
            today, running=False, asked=self.data.get("period") or self.initial.get("period")
        )

    def clean_status(self) -> str:
        value = self.cleaned_data.get("status") or ""
        return value if value in STATUSES else ""
