"""The county dispatch table as a Word document (月度安全生产工作调度情况, python-docx through
anjian.core.wordoc): the title with the county and the month, who submitted (on time,
late, returned, overdue, not yet due), the table of anjian.dispatch.queries.dispatch_table
exactly as the page and the Excel show it (each respondent's reported figures beside the
platform's own, the totals row) and an appendix naming where each column comes from: in
plain words first (translated), then the query (table, fields, conditions) smaller and grey.

Every number is a value of the Table it is given: nothing is counted again here, so the
page, the Excel and the Word cannot disagree. A month without forms gives a short
document that says so (no table)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt, RGBColor

from anjian.core import wordoc
from anjian.inspections import penalties as rules
from anjian.penalties import workflow as pwf

from . import documents, queries
from .queries import Table

# Fourteen columns on A4 landscape: 小五 in the table, narrower side margins.
GRID_SIZE = Pt(9)
RESPONDENT_MM, STATUS_MM, NUMBER_MM = 34, 19, 17
NOT_REPORTED = "—"
QUERY_SIZE = Pt(7.5)
QUERY_COLOR = RGBColor(0x6E, 0x6E, 0x6E)

_IN_FORCE = "、".join(sorted(pwf.IN_FORCE))
_FINES = "、".join(sorted(rules.FINE_KINDS))


def platform_sources() -> dict[str, str]:
    """Where each platform column's numbers come from (technical, like the indicators'
    sources in anjian.reports.indicators: the table and the condition, not translated)."""
    local = f"（按本地日期 {settings.TIME_ZONE} 计月）"
    return {
        "hazards_found": f"隐患台账 (hazards.Hazard)：上报时间 reported_at 在本月内{local}；"
        "乡镇为其辖区（含网格）内企业的隐患，部门为其牵头监管（DutyAssignment role=lead）"
        "企业的隐患",
        "hazards_fixed": f"隐患台账 (hazards.Hazard)：销号时间 closed_at 在本月内{local}；"
        "乡镇、部门的归属同“发现隐患数”",
        "inspections": "执法检查 (inspections.Inspection)：状态为已办结 (concluded)、办结时间 "
        f"concluded_at 在本月内{local}；乡镇为对其辖区内企业的检查，部门为由其牵头 "
        "(lead_department) 的检查",
        "penalties": f"行政处罚 (penalties.Penalty)：决定日期 decided_on 在本月内、状态为 "
        f"{_IN_FORCE}（已决定或已执行）；乡镇为对其辖区内企业的处罚，部门为本部门作出的处罚",
        "fines": "行政处罚 (penalties.Penalty)：同“行政处罚数”所计处罚中罚款类 "
        f"({_FINES}) 的金额 amount 之和，单位元",
    }


def platform_readable() -> dict[str, str]:
    """What each platform column counts, in plain words (translated): printed before its
    technical source."""
    return {
        "hazards_found": _(
            "Hazards reported in the month: for a township, those of the enterprises in its "
            "area; for a department, those of the enterprises it leads the supervision of"
        ),
        "hazards_fixed": _(
            "Hazards fixed and closed in the month, attributed to townships and departments "
            "as the hazards found"
        ),
        "inspections": _(
            "Enforcement inspections concluded in the month: for a township, those of the "
            "enterprises in its area; for a department, those it led"
        ),
        "penalties": _(
            "Administrative penalties decided in the month and in force: for a township, "
            "those on the enterprises in its area; for a department, those it decided"
        ),
        "fines": _("Total amount in yuan of the fines among those penalties"),
    }


def reported_readable() -> str:
    return _(
        "The figure each unit wrote in its submitted form for the month; a form not "
        "submitted or returned for correction shows “—” and is not added to the total"
    )


def status_readable() -> str:
    return _(
        "The state of each unit's form; a form first submitted after the due date is late "
        "(submitting again after a return does not change that); a form not submitted is "
        "compared with the due date on the day the table is made"
    )


REPORTED_SOURCE = (
    "各单位填报 (dispatch.DispatchForm)：已报送（submitted）的本月调度表中该项数字；"
    "未报送、退回修改的显示为“—”，不计入合计"
)
STATUS_SOURCE = (
    "月调度表 (dispatch.DispatchForm)：状态 state，首次报送时间 first_submitted_at 与截止日期 "
    "due_on 比较（退回后重报不改变是否逾期）；未报送的以出表日期与 due_on 比较"
)


def month_zh(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def document_title(table: Table) -> str:
    return _("%(county)s monthly work safety dispatch, %(month)s") % {
        "county": table.county.name,
        "month": month_zh(table.month),
    }


def number(value: Any) -> str:
    """A figure as the document prints it: counts as they are, amounts with two
    decimals, a figure not reported as —."""
    if value is None:
        return NOT_REPORTED
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    return str(value)


def header() -> tuple[list[str], list[str]]:
    """The two header rows: the column groups, then the columns of the page."""
    rep, plat = documents.reported_labels(), documents.platform_labels()
    first = [_("Respondent"), _("Status")]
    groups = (
        first + [_("Reported by the units")] * len(rep) + [_("Counted by the platform")] * len(plat)
    )
    columns = first + [label for _k, label in rep] + [label for _k, label in plat]
    return groups, columns


def rows(table: Table) -> list[list[str]]:
    """The body rows and the totals row, as text, in the page's order."""
    rep, plat, marks = (
        documents.reported_labels(),
        documents.platform_labels(),
        documents.status_labels(),
    )
    out = [
        [row.form.respondent_name, marks[row.status]]
        + [number(row.reported[k]) for k, _l in rep]
        + [number(row.platform[k]) for k, _l in plat]
        for row in table.rows
    ]
    out.append(
        [_("Total"), f"{table.progress['done']}/{table.progress['total']}"]
        + [number(table.total_reported[k]) for k, _l in rep]
        + [number(table.total_platform[k]) for k, _l in plat]
    )
    return out


def submissions_text(table: Table, today: dt.date) -> list[str]:
    """The paragraph on who submitted, then one line per mark naming the units."""
    p = table.progress
    towns = sum(1 for r in table.rows if r.form.division_id)
    lines = [
        _(
            "%(total)d units are due to report this month (%(townships)d townships, "
            "%(departments)d departments). As of %(day)s: %(on_time)d submitted on time, "
            "%(late)d submitted late, %(returned)d returned for correction, %(missing)d not "
            "submitted and overdue, %(pending)d not submitted and not yet due."
        )
        % {
            "total": p["total"],
            "townships": towns,
            "departments": p["total"] - towns,
            "day": wordoc.date_zh(today),
            "on_time": p[queries.SUBMITTED],
            "late": p[queries.LATE],
            "returned": p[queries.RETURNED],
            "missing": p[queries.MISSING],
            "pending": p[queries.PENDING],
        }
    ]
    marks = documents.status_labels()
    for mark in (queries.LATE, queries.RETURNED, queries.MISSING, queries.PENDING):
        names = [r.form.respondent_name for r in table.rows if r.status == mark]
        if names:
            lines.append(
                _("%(status)s: %(names)s.") % {"status": marks[mark], "names": "、".join(names)}
            )
    return lines


def _cell(cell: Any, text: str, width: int, *, bold: bool = False, center: bool = True) -> None:
    cell.width = Mm(width)
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    wordoc.fonts(paragraph.add_run(text), size=GRID_SIZE, bold=bold)


def _widths(n: int) -> list[int]:
    return [RESPONDENT_MM, STATUS_MM] + [NUMBER_MM] * (n - 2)


def _table(doc: Any, table: Table) -> Any:
    groups, columns = header()
    widths = _widths(len(columns))
    grid = doc.add_table(rows=2, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    for row in grid.rows[:2]:  # the header rows repeat on every page
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    top, second = grid.rows[0].cells, grid.rows[1].cells
    for i, (cell, text) in enumerate(zip(second, columns, strict=True)):
        _cell(cell, text, widths[i], bold=True)
    # Respondent and status span both header rows; each group spans its columns.
    for i in (0, 1):
        _cell(top[i], groups[i], widths[i], bold=True)
    start = 2
    while start < len(groups):
        end = start
        while end + 1 < len(groups) and groups[end + 1] == groups[start]:
            end += 1
        _cell(top[start], groups[start], sum(widths[start : end + 1]), bold=True)
        if end > start:
            top[start].merge(top[end]).width = Mm(sum(widths[start : end + 1]))
        start = end + 1
    for i in (0, 1):
        merged = top[i].merge(second[i])
        # merge() keeps both cells' paragraphs: keep the label once.
        for extra in merged.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
    body = rows(table)
    for n, values in enumerate(body):
        cells = grid.add_row().cells
        total = n == len(body) - 1
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _cell(cell, text, widths[i], bold=total, center=i > 0)
    return grid


def _sources(doc: Any) -> None:
    wordoc.heading(doc, _("Appendix: sources of the figures"))
    rep, plat = documents.reported_labels(), documents.platform_labels()
    readable, technical = platform_readable(), platform_sources()
    lines = [(_("Status"), status_readable(), STATUS_SOURCE)]
    lines += [(label, reported_readable(), REPORTED_SOURCE) for _k, label in rep]
    lines += [(label, readable[k], technical[k]) for k, label in plat]
    grid = doc.add_table(rows=1, cols=2)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = (60, 197)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    for cell, text, width in zip(
        grid.rows[0].cells, (_("Figure"), _("Source")), widths, strict=True
    ):
        _cell(cell, text, width, bold=True)
    for label, readable_text, source in lines:
        cells = grid.add_row().cells
        _cell(cells[0], label, widths[0], center=False)
        _cell(cells[1], readable_text, widths[1], center=False)
        # The technical source (table, fields, conditions) after it: smaller, grey.
        paragraph = cells[1].paragraphs[0]
        paragraph.runs[-1].add_break()
        query = paragraph.add_run(source)
        wordoc.fonts(query, size=QUERY_SIZE)
        query.font.color.rgb = QUERY_COLOR
    wordoc.para(
        doc,
        _(
            "Totals of reported figures count submitted forms only. The platform total is the "
            "townships' sum; a department's figures overlap its townships' and are not added "
            "again."
        ),
        indent=True,
        size=wordoc.TABLE_SIZE,
    )


def table_docx(table: Table, *, today: dt.date | None = None) -> bytes:
    """The dispatch table of ``table`` as a .docx; ``today`` is the date the marks were
    taken on (the date printed as "as of" and the document's date)."""
    today = today or timezone.localdate()
    doc = wordoc.new_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    title = document_title(table)
    wordoc.title(doc, title)
    if not table.rows:
        wordoc.para(
            doc,
            _("This month is not open yet.")
            + " "
            + _(
                "No dispatch form was opened for this month, so no unit has reported and "
                "there is no table. The county's safety committee office opens the month on "
                "the monthly dispatch page."
            ),
            indent=True,
        )
    else:
        wordoc.heading(doc, _("I. Submissions"))
        for n, line in enumerate(submissions_text(table, today)):
            wordoc.para(doc, line, indent=n == 0)
        wordoc.heading(doc, _("II. Figures of each unit"))
        _table(doc, table)
        _sources(doc)
    wordoc.signature(
        doc, _("%(county)s safety committee office") % {"county": table.county.name}, today
    )
    moment = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return wordoc.to_bytes(doc, title, table.month_key, moment=moment)
