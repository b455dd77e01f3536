"""The regulators' accident statistics (issue 13 item 2): figures for a period against the
same days last year, grouped by division, industry, lead department, GB 6441 type or
grade, with charts (ECharts from a json_script, static/accidents/figures.js), the same
figures as a table that becomes cards on a phone, a 24-month trend and an Excel download.

Reads go through anjian.accidents.statistics.accident_figures (scoped). Enterprise staff
and anyone without a regulator's role get 403.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from anjian.core import scoping, xlsx
from anjian.core.sections import REGISTRY_ROLES
from anjian.reports import periods
from anjian.reports.forms import PeriodField, period_choices, period_label

from . import statistics as st

GROUP_CHOICES = (
    ("division", gettext_lazy("Division")),
    ("industry", gettext_lazy("Industry")),
    ("department", gettext_lazy("Lead department")),
    ("type", gettext_lazy("Accident type (GB 6441)")),
    ("grade", gettext_lazy("Accident grade")),
)

# (metric, column heading): the page's, the chart's and the workbook's order.
COLUMNS = (
    ("accidents", gettext_lazy("Accidents")),
    ("deaths", gettext_lazy("Deaths")),
    ("serious_injuries", gettext_lazy("Serious injuries")),
    ("minor_injuries", gettext_lazy("Minor injuries")),
    ("missing", gettext_lazy("Missing")),
    ("direct_loss_yuan", gettext_lazy("Direct loss (yuan)")),
    ("larger_plus", gettext_lazy("较大及以上 accidents")),
    ("larger_plus_deaths", gettext_lazy("Deaths in 较大及以上 accidents")),
)
RATE_COLUMNS = (
    ("workforce", gettext_lazy("Registered employees")),
    ("per_thousand_deaths", gettext_lazy("Deaths per 1,000 employees")),
    ("per_thousand_serious", gettext_lazy("Serious injuries per 1,000 employees")),
)
TILES = ("accidents", "deaths", "serious_injuries", "direct_loss_yuan", "larger_plus")


class AccidentFiguresForm(forms.Form):
    period = PeriodField(label=gettext_lazy("period"), required=True)
    group_by = forms.ChoiceField(
        label=gettext_lazy("group by"), choices=GROUP_CHOICES, required=False
    )
    within = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(
            today, running=True, asked=self.data.get("period")
        )

    def clean_group_by(self) -> str:
        value = self.cleaned_data.get("group_by") or "division"
        return value if value in st.GROUP_BY else "division"


def _require(user: Any) -> None:
    if not (scoping.is_active_user(user) and user.role in REGISTRY_ROLES):
        raise PermissionDenied(_("Your role does not use this page."))


def _figures(request: HttpRequest) -> tuple[AccidentFiguresForm, st.Figures]:
    user = request.user
    _require(user)
    today = timezone.localdate()
    default = {"period": periods.year_of(today).key, "group_by": "division"}
    form = AccidentFiguresForm(request.GET or default, today=today)
    if not form.is_valid():
        form = AccidentFiguresForm(default, today=today)
        form.is_valid()
    data = form.cleaned_data
    figures = st.accident_figures(
        user, data["period"], data["group_by"], within=data.get("within"), today=today
    )
    return form, figures


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _signed(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:+,.2f}"
    return f"{value:+d}"


def _cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, label in COLUMNS:
        pct = data[f"{key}_pct"]
        out.append(
            {
                "key": key,
                "label": str(label),
                "value": _number(data[key]),
                "prev": _number(data[f"{key}_prev"]),
                "change": _signed(data[f"{key}_change"]),
                "pct": None if pct is None else f"{pct:+}%",
                "up": data[f"{key}_change"] > 0,
            }
        )
    return out


def _tiles(cells: list[dict[str, Any]], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The total's tiles; the loss in 10,000 yuan (万元) so that it fits a tile."""
    tiles = []
    for c in cells:
        if c["key"] not in TILES:
            continue
        if c["key"] == "direct_loss_yuan":
            c = dict(
                c,
                tile=f"{data['direct_loss_yuan'] / 10000:,.1f}",
                tile_label=_("Direct loss (10,000 yuan)"),
            )
        tiles.append(c)
    return tiles


def _rate_cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, label in RATE_COLUMNS:
        value = data[key]
        out.append({"key": key, "label": str(label), "value": "—" if value is None else value})
    return out


def _chart(figures: st.Figures) -> dict[str, Any]:
    groups = figures.groups
    return {
        "labels": [g.label for g in groups],
        "series": [
            {"name": _("Accidents"), "data": [g.current.accidents for g in groups]},
            {"name": _("Accidents last year"), "data": [g.previous.accidents for g in groups]},
            {"name": _("Deaths"), "data": [g.current.deaths for g in groups]},
            {"name": _("Deaths last year"), "data": [g.previous.deaths for g in groups]},
        ],
        "trend": {
            "months": [m["month"] for m in figures.trend],
            "accidents": {"name": _("Accidents"), "data": [m["accidents"] for m in figures.trend]},
            "deaths": {"name": _("Deaths"), "data": [m["deaths"] for m in figures.trend]},
        },
    }


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    form, figures = _figures(request)
    total = figures.total.figures
    with_rates = figures.group_by in st.WITH_WORKFORCE
    groups = [
        {
            "group": g,
            "cells": _cells(data := g.figures),
            "rates": _rate_cells(data) if with_rates else [],
        }
        for g in figures.groups
    ]
    total_cells = _cells(total)
    drill = figures.group_by == "division" and figures.root is not None
    user = request.user
    up = None
    if drill and figures.root.pk != user.division_id and figures.root.parent_id:
        up = figures.root.parent_id
    return render(
        request,
        "accidents/figures.html",
        {
            "form": form,
            "figures": figures,
            "label": period_label(figures.period),
            "group_title": dict(GROUP_CHOICES)[figures.group_by],
            "columns": [str(label) for _key, label in COLUMNS],
            "rate_columns": [str(label) for _key, label in RATE_COLUMNS] if with_rates else [],
            "groups": groups,
            "total": total_cells,
            "total_rates": _rate_cells(total),
            "tiles": _tiles(total_cells, total),
            "chart": _chart(figures),
            "drill": drill,
            "up": up,
            "xlsx_url": reverse("accidents:figures-xlsx") + "?" + request.GET.urlencode(),
        },
    )


# --- Excel ---------------------------------------------------------------------------------


def _excel_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return "—" if value is None else value


def figures_xlsx(figures: st.Figures) -> bytes:
    """The figures as a workbook: a row per group and the total, each metric this period,
    last year and the change, then the workforce and the per-thousand rates."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Accident figures")[:31]
    title = _("Accident figures") + " · " + str(period_label(figures.period))
    xlsx.append(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx.append(
        ws,
        [
            _("This period"),
            f"{figures.current.start.isoformat()} – {figures.current.end.isoformat()}",
        ],
    )
    xlsx.append(
        ws,
        [
            _("Last year"),
            f"{figures.previous.start.isoformat()} – {figures.previous.end.isoformat()}",
        ],
    )
    if figures.root is not None:
        xlsx.append(ws, [_("Within"), figures.root.name])
    xlsx.append(ws, [])
    head = [str(dict(GROUP_CHOICES)[figures.group_by])]
    for _key, label in COLUMNS:
        head += [str(label), _("%(figure)s last year") % {"figure": label}, _("Change")]
    head += [str(label) for _key, label in RATE_COLUMNS]
    xlsx.append(ws, head)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for group in [*figures.groups, figures.total]:
        data = group.figures
        values: list[Any] = [group.label]
        for key, _label in COLUMNS:
            values += [
                _excel_value(data[key]),
                _excel_value(data[f"{key}_prev"]),
                _excel_value(data[f"{key}_change"]),
            ]
        values += [_excel_value(data[key]) for key, _label in RATE_COLUMNS]
        xlsx.append(ws, values)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    xlsx.append(ws, [])
    xlsx.append(ws, [_("Month"), _("Accidents"), _("Deaths")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for month in figures.trend:
        xlsx.append(ws, [month["month"], month["accidents"], month["deaths"]])
    xlsx.append(ws, [])
    xlsx.append(ws, [str(RATES_NOTE)])
    ws.column_dimensions["A"].width = 26
    for i in range(2, len(head) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 12
    return xlsx.save(wb)


RATES_NOTE = gettext_lazy(
    "Rates per 1,000 use the employees registered for the enterprises (not the average "
    "workforce) and only accidents at registered enterprises. Hours worked are not "
    "collected yet, so the GB 6441 frequency and severity rates and the OSHA rates "
    "cannot be shown."
)


@login_required
@require_GET
def figures_download(request: HttpRequest) -> HttpResponse:
    _form, figures = _figures(request)
    response = HttpResponse(
        figures_xlsx(figures),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"accident-figures-{figures.period.key}-{figures.group_by}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
