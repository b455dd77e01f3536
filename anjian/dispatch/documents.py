"""The county dispatch table as an Excel workbook (openpyxl, through anjian.core.xlsx so
that typed text never becomes a formula)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from anjian.core import xlsx

from . import policy
from .models import DispatchForm
from .queries import PLATFORM_ITEMS, Table


def reported_labels() -> list[tuple[str, str]]:
    return [(k, str(DispatchForm._meta.get_field(k).verbose_name)) for k in policy.ITEMS]


def platform_labels() -> list[tuple[str, str]]:
    names = {
        "hazards_found": _("Hazards found (platform)"),
        "hazards_fixed": _("Hazards fixed (platform)"),
        "inspections": _("Inspections done (platform)"),
        "penalties": _("Penalties decided (platform)"),
        "fines": _("Fines (yuan, platform)"),
    }
    return [(k, names[k]) for k in PLATFORM_ITEMS]


def status_labels() -> dict[str, str]:
    return {
        "submitted": _("Submitted on time"),
        "late": _("Submitted late"),
        "returned": _("Returned for correction"),
        "missing": _("Not submitted, overdue"),
        "pending": _("Not submitted yet"),
    }


def _num(value: Any) -> Any:
    return "" if value is None else value


def table_xlsx(table: Table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.month_key
    bold = Font(bold=True)
    xlsx.append(
        ws,
        [_("Monthly dispatch %(month)s") % {"month": table.month_key} + " · " + table.county.name],
    )
    ws["A1"].font = Font(bold=True, size=14)
    rep, plat, marks = reported_labels(), platform_labels(), status_labels()
    header = (
        [_("Respondent"), _("Status"), _("Submitted at")]
        + [label for _k, label in rep]
        + [label for _k, label in plat]
        + [str(DispatchForm._meta.get_field("notes").verbose_name)]
    )
    xlsx.append(ws, header)
    for c in ws[2]:
        c.font = bold
    for row in table.rows:
        f = row.form
        xlsx.append(
            ws,
            [
                f.respondent_name,
                marks[row.status],
                timezone.localtime(f.submitted_at).strftime("%Y-%m-%d %H:%M")
                if f.submitted_at
                else "",
            ]
            + [_num(row.reported[k]) for k, _l in rep]
            + [row.platform[k] for k, _l in plat]
            + [f.notes if f.state == "submitted" else ""],
        )
    xlsx.append(
        ws,
        [_("Total"), f"{table.progress['done']}/{table.progress['total']}", ""]
        + [table.total_reported[k] for k, _l in rep]
        + [table.total_platform[k] for k, _l in plat],
    )
    for c in ws[ws.max_row]:
        c.font = bold
    ws.freeze_panes = "B3"
    ws.column_dimensions["A"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
