"""The documents of the periodic reports, as Excel workbooks (openpyxl): the enterprise's
signed hazard statistics table and the regulators' figures."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from anjian.core import xlsx
from anjian.hazards.models import Category, Level, Source

from .forms import period_label
from .models import HazardStatement
from .queries import Figures

THIN = Side(style="thin", color="888888")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def rate_text(value: str | None) -> str:
    return "—" if value is None else f"{value}%"


def figure_rows(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) of the table's figures, in the order the page and workbook show."""
    return [
        (_("Hazards found"), figures.get("found", 0)),
        (_("of which major"), figures.get("major_found", 0)),
        (_("Found and fixed"), figures.get("found_fixed", 0)),
        (_("Rectification rate"), rate_text(figures.get("rectification_rate"))),
        (_("Hazards fixed in the period"), figures.get("fixed", 0)),
        (_("of which on time"), figures.get("on_time", 0)),
        (_("On-time rate"), rate_text(figures.get("on_time_rate"))),
        (_("Major hazards fixed"), figures.get("major_fixed", 0)),
        (_("Overdue and still open"), figures.get("overdue_open", 0)),
        (_("Major hazards still open"), figures.get("major_open", 0)),
        (
            _("Major hazards cleared (清零)"),
            _("yes") if figures.get("major_cleared") else _("no"),
        ),
        (_("Rectification funds (yuan)"), figures.get("funds", "0.00")),
    ]


def breakdown_rows(figures: dict[str, Any]) -> list[tuple[str, list[tuple[str, int]]]]:
    def labelled(key: str, choices: Any) -> list[tuple[str, int]]:
        names = dict(choices.choices)
        return [(str(names.get(k, k)), n) for k, n in (figures.get(key) or {}).items()]

    return [
        (_("Found by level"), labelled("by_level", Level)),
        (_("Found by category"), labelled("by_category", Category)),
        (_("Found by source"), labelled("by_source", Source)),
    ]


def _save(wb: Workbook) -> bytes:
    return xlsx.save(wb)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def statement_xlsx(statement: HazardStatement) -> bytes:
    """The statistics table (隐患排查治理情况统计分析表) as signed."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Statistics table")[:31]
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 60
    ws.append([_("Hazard identification and remediation statistics table")])
    ws["A1"].font = TITLE
    ws.merge_cells("A1:B1")
    head = [
        (_("Enterprise"), statement.enterprise.name),
        (_("Unified social credit code"), statement.enterprise.uscc),
        (_("Period"), str(period_label(statement.period))),
        (_("Version"), statement.version),
        (_("Figures as of"), statement.figures.get("as_of", "")),
        (_("Due by"), statement.due_on.isoformat()),
    ]
    for row in head:
        ws.append(list(row))
    ws.append([])
    ws.append([_("Figure"), _("Value")])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for label, value in figure_rows(statement.figures):
        ws.append([label, value])
    for title, rows in breakdown_rows(statement.figures):
        ws.append([])
        ws.append([title])
        ws.cell(ws.max_row, 1).font = BOLD
        for label, n in rows:
            ws.append([label, n])
    ws.append([])
    ws.append([_("Analysis"), statement.analysis])
    ws.cell(ws.max_row, 2).alignment = WRAP
    if statement.corrects_id:
        ws.append([_("Corrects version"), statement.corrects.version])
        ws.append([_("Reason for the correction"), statement.correction_reason])
    ws.append([_("Prepared by"), str(statement.prepared_by)])
    ws.append([_("Signed by the principal"), str(statement.signed_by or "")])
    ws.append([_("Signed at"), _local(statement.signed_at)])
    ws.append([_("Submitted at"), _local(statement.submitted_at)])
    if statement.is_late:
        ws.append([_("Submission"), _("Submitted late")])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.value not in (None, ""):
                cell.border = BOX
    return _save(wb)


FIGURE_COLUMNS = (
    ("found", gettext_lazy("Found")),
    ("major_found", gettext_lazy("Major found")),
    ("found_fixed", gettext_lazy("Found and fixed")),
    ("rectification_rate", gettext_lazy("Rectification rate (%)")),
    ("fixed", gettext_lazy("Fixed")),
    ("on_time", gettext_lazy("Fixed on time")),
    ("on_time_rate", gettext_lazy("On-time rate (%)")),
    ("overdue_open", gettext_lazy("Overdue open")),
    ("major_fixed", gettext_lazy("Major fixed")),
    ("major_open", gettext_lazy("Major open")),
    ("major_cleared", gettext_lazy("Major cleared (清零)")),
    ("funds", gettext_lazy("Funds (yuan)")),
)


def column_labels() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in FIGURE_COLUMNS]


def _cell(key: str, value: Any) -> Any:
    if key == "major_cleared":
        return _("yes") if value else _("no")
    if key in ("rectification_rate", "on_time_rate"):
        return "—" if value is None else float(value)
    if key == "funds":
        return float(value)
    return value


GROUP_TITLES = {
    "division": gettext_lazy("Division"),
    "industry": gettext_lazy("Industry"),
    "department": gettext_lazy("Lead department"),
}


def figures_xlsx(figures: Figures) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Hazard figures")[:31]
    ws.append([_("Hazard figures") + " · " + str(period_label(figures.period))])
    ws["A1"].font = TITLE
    ws.append([_("Figures as of"), figures.as_of.isoformat()])
    ws.append([])
    columns = column_labels()
    ws.append([str(GROUP_TITLES[figures.group_by])] + [label for _key, label in columns])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.alignment = WRAP
    for group in [*figures.groups, figures.total]:
        data = group.figures
        ws.append([group.label] + [_cell(key, data[key]) for key, _label in columns])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    ws.column_dimensions["A"].width = 28
    for i in range(2, len(columns) + 2):
        ws.column_dimensions[get_column_letter(i)].width = 12
    return _save(wb)
