"""Pages of the enforcement figures (issue 12 item 11): the table per group with totals and
a bar chart, and the same table in Excel. Who reads which rows, and what each figure
counts, is anjian.inspections.figures; this module parses the filter, calls it once and
renders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from anjian.core import xlsx

from . import figures
from .document_models import DocumentKind

# A longer period is refused: the month grouping would make a table no one reads.
MAX_DAYS = 366 * 5


def grouping_labels() -> dict[str, str]:
    return {
        figures.DIVISION: _("division"),
        figures.DEPARTMENT: _("department"),
        figures.INDUSTRY: _("industry"),
        figures.MONTH: _("month"),
    }


def figure_labels() -> dict[str, str]:
    return {
        "inspections": _("inspections (enterprise-visits)"),
        "enterprises": _("enterprises inspected"),
        "hazards_found": _("hazards found"),
        "hazards_fixed": _("hazards fixed"),
        "suspended": _("enterprises ordered to suspend"),
        "revoked": _("licences revoked"),
        "persons": _("persons penalised"),
        "fines": _("fines (yuan)"),
    }


class FiguresFilter(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("period", "from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    group = forms.ChoiceField(label=gettext_lazy("group by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(grouping_labels().items())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start of the period is after its end."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of at most five years."))
        return data


def _read(request: HttpRequest) -> tuple[FiguresFilter, figures.Figures]:
    if not figures.may_read(request.user):
        raise PermissionDenied(_("Only department officers and coordinators read the figures."))
    today = timezone.localdate()
    form = FiguresFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    # Default (and on an invalid filter): this year to date, by division.
    start = data.get("start") or dt.date(today.year, 1, 1)
    end = data.get("end") or max(today, start)
    grouping = data.get("group") or figures.DIVISION
    if not form.is_bound:
        form = FiguresFilter(initial={"start": start, "end": end, "group": grouping})
    return form, figures.compute(request.user, start=start, end=end, grouping=grouping)


def _query(result: figures.Figures) -> str:
    return urlencode(
        {"start": result.start.isoformat(), "end": result.end.isoformat(), "group": result.grouping}
    )


def _none_label(result: figures.Figures) -> str:
    return _("(no enterprise)") if result.grouping != figures.MONTH else "—"


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    form, result = _read(request)
    none = _none_label(result)
    labels = [row.label or none for row in result.rows]
    names = figure_labels()
    chart = {
        "labels": labels,
        "series": [
            {"name": names[name], "data": [getattr(row, name) for row in result.rows]}
            for name in ("inspections", "hazards_found", "hazards_fixed")
        ],
    }
    kinds = [(kind, label) for kind, label in DocumentKind.choices]

    def cells(row: figures.Row) -> list[tuple[str, int]]:
        return [(label, row.documents.get(kind, 0)) for kind, label in kinds]

    return render(
        request,
        "inspections/figures/figures.html",
        {
            "form": form,
            "result": result,
            "rows": list(zip(labels, result.rows, strict=True)),
            "kinds": kinds,
            "document_rows": [
                (label, row, cells(row)) for label, row in zip(labels, result.rows, strict=True)
            ],
            "document_total": cells(result.total),
            "names": names,
            "group_label": grouping_labels()[result.grouping],
            "chart": chart,
            "q": _query(result),
        },
    )


@login_required
@require_GET
def figures_export(request: HttpRequest) -> HttpResponse:
    _form, result = _read(request)
    response = HttpResponse(
        export_workbook(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="enforcement-figures-{result.start:%Y%m%d}-{result.end:%Y%m%d}'
        f'-{result.grouping}.xlsx"'
    )
    return response


def _values(row: figures.Row) -> list[Any]:
    # Counts as int, fines as Decimal yuan with two places (formatted "0.00" below).
    return [
        *(getattr(row, name) for name in figures.FIGURES),
        *row.document_counts(),
        row.documents_total,
    ]


def export_workbook(result: figures.Figures) -> bytes:
    """The page's table: a title line, the header, one line per group, the total line."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("enforcement figures")[:31]
    xlsx.append(
        sheet,
        [_("Enforcement figures"), result.start.isoformat(), result.end.isoformat()],
    )
    header = [
        grouping_labels()[result.grouping],
        *figure_labels().values(),
        *(str(label) for _kind, label in DocumentKind.choices),
        _("documents in all"),
    ]
    xlsx.append(sheet, header)
    none = _none_label(result)
    for row in result.rows:
        xlsx.append(sheet, [row.label or none, *_values(row)])
    xlsx.append(sheet, [_("Total"), *_values(result.total)])
    fines_column = 1 + figures.FIGURES.index("fines") + 1
    for (cell,) in sheet.iter_rows(min_row=3, min_col=fines_column, max_col=fines_column):
        if isinstance(cell.value, Decimal):
            cell.number_format = "0.00"
    return xlsx.save(book)
