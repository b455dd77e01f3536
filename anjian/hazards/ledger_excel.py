"""The hazard ledger as an Excel workbook, in the layout regulators keep
(隐患排查治理台账): a title row, a line saying what was exported, the header, one row per
hazard; frozen header, set column widths, dates as real dates, funds as numbers with two
decimals. A second sheet maps the states, levels and handling types to the codes of the
national table t_yhzlxx (DANGER_STATE 0/1/9, DANGER_LEVEL 0/1, DANGER_MANAGE_TYPE 0/1 —
/work/shared/domain/national-schema.md), which the main sheet also carries per row.

Memory-bounded: openpyxl's write-only mode streams rows to the file, the queryset is read
with values_list(...).iterator(chunk_size=2000), every label comes from a join in that
one query (no query per row); the divisions' names are read once.

The Chinese labels here are the words of the register (the import reads the same words
back, see importer.py).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from anjian.core import xlsx
from anjian.core.audit import Actor
from anjian.core.errors import ValidationFailed

from . import workflow as wf
from .models import NATIONAL_STATE

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME = "隐患排查治理台账"
CODES_SHEET_NAME = "代码说明"
CHUNK = 2000
# Excel holds 1,048,576 rows a sheet; a round million hazards per sheet leaves room.
ROWS_PER_SHEET = 1_000_000

# The words of the register for each stored value.
SOURCE_ZH = {
    "self_check": "企业自查",
    "enterprise_inspection": "企业检查",
    "government_inspection": "政府检查",
    "public_report": "群众举报",
    "sensor_alarm": "监测报警",
    "video_analysis": "视频分析",
    "other": "其他",
}
TYPE_ZH = {
    "safety": "安全",
    "process": "工艺",
    "electrical": "电气",
    "instrument": "仪表",
    "fire": "消防",
    "layout": "总图",
    "equipment": "设备",
    "other": "其他",
}
CATEGORY_ZH = {"people": "人的不安全行为", "things": "物的不安全状态", "management": "管理缺陷"}
LEVEL_ZH = {wf.GENERAL: "一般事故隐患", wf.MAJOR: "重大事故隐患"}
HANDLING_ZH = {wf.ON_SPOT: "立即整改", wf.BY_DEADLINE: "限期整改"}
STATE_ZH = {
    wf.REPORTED: "已上报",
    wf.FIXES_SET: "已落实五定",
    wf.RECTIFYING: "整改中",
    wf.SUSPENDED: "停产停业治理中",
    wf.EVALUATED: "治理情况已评估",
    wf.RESUME_APPLIED: "已申请恢复生产",
    wf.SUBMITTED: "待验收",
    wf.CLOSED: "已验收销号",
}
# t_yhzlxx codes (national-schema.md): DANGER_LEVEL 0 general / 1 major;
# DANGER_MANAGE_TYPE 0 on the spot / 1 by a deadline; DANGER_STATE via models.NATIONAL_STATE.
NATIONAL_LEVEL = {wf.GENERAL: "0", wf.MAJOR: "1"}
NATIONAL_HANDLING = {wf.ON_SPOT: "0", wf.BY_DEADLINE: "1"}
NATIONAL_STATE_ZH = {"0": "整改中", "1": "待验收", "9": "已验收"}

# The fields read per hazard, in this order (one query with its joins).
FIELDS = (
    "number",
    "enterprise__name",
    "enterprise__uscc",
    "enterprise__division_id",
    "source",
    "hazard_type",
    "category",
    "level",
    "handling",
    "description",
    "cause",
    "location",
    "reported_at",
    "liable_person",
    "measures",
    "funds",
    "deadline",
    "contingency_plan",
    "state",
    "accepted_by__display_name",
    "accepted_by__username",
    "accepted_at",
    "accept_comment",
    "listed_at",
    "listing_department__name",
    "listing_division__name",
    "listing_deadline",
    "major_item",
    "major_reason",
)
IX = {name: i for i, name in enumerate(FIELDS)}

DATE_FORMAT = "yyyy-mm-dd"
FUNDS_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str  # "text", "date", "number", "int"


def _t(name: str) -> Callable[[tuple, Any], Any]:
    return lambda row, ctx: row[IX[name]]


def _label(name: str, table: dict[str, str]) -> Callable[[tuple, Any], Any]:
    return lambda row, ctx: table.get(row[IX[name]], row[IX[name]])


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _acceptor(row: tuple, ctx: Any) -> str:
    return row[IX["accepted_by__display_name"]] or row[IX["accepted_by__username"]] or ""


def _listing_body(row: tuple, ctx: Any) -> str:
    if row[IX["listed_at"]] is None:
        return ""
    if row[IX["listing_department__name"]]:
        return row[IX["listing_department__name"]]
    division = row[IX["listing_division__name"]]
    return f"{division}安全生产委员会办公室" if division else ""


def _major_basis(row: tuple, ctx: Any) -> str:
    if row[IX["level"]] != wf.MAJOR:
        return ""
    item = row[IX["major_item"]] or {}
    parts = []
    if item:
        parts.append(
            f"{item.get('document', '')}{item.get('article') or ''}第{item.get('number', '')}项"
        )
    if row[IX["major_reason"]]:
        parts.append(row[IX["major_reason"]])
    return "；".join(parts)


# (column, how its value is taken from a row)
LAYOUT: tuple[tuple[Column, Callable[[tuple, Any], Any]], ...] = (
    (Column("序号", 7, "int"), lambda row, ctx: ctx.serial),
    (Column("隐患编号", 22, "text"), _t("number")),
    (Column("企业名称", 28, "text"), _t("enterprise__name")),
    (Column("统一社会信用代码", 22, "text"), _t("enterprise__uscc")),
    (
        Column("所属区域", 28, "text"),
        lambda row, ctx: ctx.region(row[IX["enterprise__division_id"]]),
    ),
    (Column("隐患来源", 11, "text"), _label("source", SOURCE_ZH)),
    (Column("隐患类型", 9, "text"), _label("hazard_type", TYPE_ZH)),
    (Column("隐患类别", 15, "text"), _label("category", CATEGORY_ZH)),
    (Column("隐患等级", 14, "text"), _label("level", LEVEL_ZH)),
    (Column("治理类型", 10, "text"), _label("handling", HANDLING_ZH)),
    (Column("隐患描述", 40, "text"), _t("description")),
    (Column("隐患原因", 24, "text"), _t("cause")),
    (Column("隐患位置", 18, "text"), _t("location")),
    (Column("发现日期", 12, "date"), lambda row, ctx: _local_date(row[IX["reported_at"]])),
    (Column("整改责任人", 11, "text"), _t("liable_person")),
    (Column("整改措施", 36, "text"), _t("measures")),
    (Column("整改资金(元)", 13, "number"), _t("funds")),
    (Column("整改期限", 12, "date"), _t("deadline")),
    (Column("应急预案", 30, "text"), _t("contingency_plan")),
    (Column("隐患状态", 12, "text"), _label("state", STATE_ZH)),
    (Column("国标状态代码", 8, "text"), _label("state", NATIONAL_STATE)),
    (Column("验收人", 11, "text"), _acceptor),
    (Column("验收日期", 12, "date"), lambda row, ctx: _local_date(row[IX["accepted_at"]])),
    (Column("验收意见", 24, "text"), _t("accept_comment")),
    (Column("是否挂牌督办", 8, "text"), lambda row, ctx: "是" if row[IX["listed_at"]] else "否"),
    (Column("督办单位", 24, "text"), _listing_body),
    (Column("督办期限", 12, "date"), _t("listing_deadline")),
    (Column("重大隐患判定依据", 30, "text"), _major_basis),
)
HEADERS = tuple(c.header for c, _get in LAYOUT)

TITLE_FONT = Font(bold=True, size=16)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Context:
    """Per-export state: the running serial number and the division names, read once."""

    def __init__(self) -> None:
        self.serial = 0
        self._divisions: dict[int, tuple[int | None, str, str]] | None = None
        self._paths: dict[int, str] = {}

    def region(self, division_id: int | None) -> str:
        if division_id is None:
            return ""
        if division_id in self._paths:
            return self._paths[division_id]
        if self._divisions is None:
            from anjian.registry.models import Division

            self._divisions = {
                pk: (parent, name, level)
                for pk, parent, name, level in Division.objects.values_list(
                    "pk", "parent_id", "name", "level"
                ).iterator(chunk_size=5000)
            }
        names: list[str] = []
        current: int | None = division_id
        while current is not None and current in self._divisions:
            parent, name, level = self._divisions[current]
            if level in ("province", "city"):
                break  # the county, township and grid say where; the rest is the same
            names.append(name)
            current = parent
        path = "/".join(reversed(names))
        self._paths[division_id] = path
        return path


def _cell(sheet: Any, value: Any, kind: str) -> Any:
    if kind == "date":
        cell = WriteOnlyCell(sheet, value=value)
        if value is not None:
            cell.number_format = DATE_FORMAT
        return cell
    if kind == "number":
        if value is None:
            return None
        cell = WriteOnlyCell(sheet, value=float(decimal.Decimal(value)))
        cell.number_format = FUNDS_FORMAT
        return cell
    return xlsx.cell(sheet, value)


def _ledger_sheet(workbook: Any, name: str, info: str) -> Any:
    sheet = workbook.create_sheet(name)
    for index, (column, _get) in enumerate(LAYOUT):
        sheet.column_dimensions[_letter(index)].width = column.width
    sheet.freeze_panes = "C4"  # header rows and the serial + number columns stay visible
    title = WriteOnlyCell(sheet, value="隐患排查治理台账")
    title.font = TITLE_FONT
    sheet.append([title])
    xlsx.append(sheet, [info])
    header = []
    for column, _get in LAYOUT:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, CENTER
        header.append(cell)
    sheet.append(header)
    return sheet


def _close_sheet(sheet: Any, rows: int) -> None:
    sheet.auto_filter.ref = f"A3:{_letter(len(LAYOUT) - 1)}{rows + 3}"


def export_ledger(
    queryset: QuerySet,
    stream: IO[bytes],
    *,
    subtitle: str = "",
    now: dt.datetime | None = None,
    rows_per_sheet: int = ROWS_PER_SHEET,
) -> int:
    """Write the ledger of `queryset` (already scoped and filtered by the caller) as
    .xlsx to `stream`; returns the number of hazards written. A sheet holds at most
    `rows_per_sheet` hazards (Excel's limit is 1,048,576 rows); beyond, the ledger goes on
    in 隐患排查治理台账(2), (3) … with the serial numbers running on."""
    now = now or timezone.now()
    info = f"导出时间：{timezone.localtime(now):%Y-%m-%d %H:%M}"
    info += f"    {subtitle}" if subtitle else ""
    workbook = Workbook(write_only=True)
    sheet = _ledger_sheet(workbook, SHEET_NAME, info)
    on_sheet, sheets = 0, 1
    ctx = _Context()
    rows = queryset.order_by("reported_at", "id").values_list(*FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        if on_sheet == rows_per_sheet:
            _close_sheet(sheet, on_sheet)
            sheets += 1
            sheet = _ledger_sheet(workbook, f"{SHEET_NAME}({sheets})", info)
            on_sheet = 0
        ctx.serial += 1
        on_sheet += 1
        sheet.append([_cell(sheet, get(row, ctx), col.kind) for col, get in LAYOUT])
    _close_sheet(sheet, on_sheet)
    _codes_sheet(workbook.create_sheet(CODES_SHEET_NAME))
    xlsx.save(workbook, stream)
    return ctx.serial


DEFAULT_EXPORT_MAX_ROWS = 300_000


def export_limit() -> int:
    """The most hazards one download (page or API) may hold: an export is written while
    the request waits, at roughly 2,000 rows a second. Local policy, so a setting; larger
    exports (a province's whole ledger) go through the command `hazard_ledger_export`."""
    return int(getattr(settings, "ANJIAN_HAZARD_EXPORT_MAX_ROWS", DEFAULT_EXPORT_MAX_ROWS))


def ledger_export(
    *,
    actor: Actor,
    filters: Any,
    stream: IO[bytes],
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> int:
    """Export the actor's ledger (scoped by ledger.ledger_search, with the ledger's
    filters) to `stream` and record the export in the audit trail (who took which rows).
    Refuses (ValidationFailed) when more than `limit` hazards match."""
    from anjian.core.audit import audit_append

    from . import ledger

    user = actor.user
    queryset = ledger.ledger_search(user, filters)
    if limit is not None:
        total = queryset.count()
        if total > limit:
            raise ValidationFailed(
                {
                    "__all__": [
                        _(
                            "%(total)d hazards match: more than %(limit)d, the most one "
                            "download may hold. Narrow the filters (a division, a period, "
                            "a state) and export in parts."
                        )
                        % {"total": total, "limit": limit}
                    ]
                }
            )
    who = (getattr(user, "display_name", "") or actor.label) if user is not None else actor.label
    count = export_ledger(queryset, stream, subtitle=f"导出人：{who}", now=now)
    audit_append(
        actor=actor,
        action="hazard_ledger_export",
        object_type="hazards.hazard",
        summary=f"隐患台账导出 {count}条",
        changes={"filters": filters.as_params(), "rows": count},
    )
    return count


def export_filename(now: dt.datetime) -> tuple[str, str]:
    """(Chinese file name, ASCII fallback) of an export made at `now`."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return f"隐患排查治理台账-{stamp}.xlsx", f"hazard-ledger-{stamp}.xlsx"


def _codes_sheet(sheet: Any) -> None:
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 14
    sheet.column_dimensions["D"].width = 40
    bold = Font(bold=True)

    def heading(text: str) -> None:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        sheet.append([cell])

    heading("代码说明（对应国家隐患治理数据表 t_yhzlxx）")
    sheet.append([])
    heading("隐患状态 → DANGER_STATE")
    sheet.append(["本平台状态", "国标代码", "国标含义"])
    for state in wf.STATES:
        code = NATIONAL_STATE[state]
        sheet.append([STATE_ZH[state], code, NATIONAL_STATE_ZH[code]])
    sheet.append([])
    heading("隐患等级 → DANGER_LEVEL")
    for value, code in NATIONAL_LEVEL.items():
        sheet.append([LEVEL_ZH[value], code])
    sheet.append([])
    heading("治理类型 → DANGER_MANAGE_TYPE")
    for value, code in NATIONAL_HANDLING.items():
        sheet.append([HANDLING_ZH[value], code])
    sheet.append([])
    heading("说明")
    for line in (
        "日期列为 Excel 日期；整改资金为数值（元，两位小数）。",
        "“已上报”“已专家确认”“已挂牌督办”“已落实五定”“整改中”在国标中均为 0（整改中）。",
        "所属区域为县（区）/乡镇（街道）/网格。",
    ):
        sheet.append([line])


__all__ = [
    "CATEGORY_ZH",
    "CONTENT_TYPE",
    "HANDLING_ZH",
    "HEADERS",
    "LEVEL_ZH",
    "SOURCE_ZH",
    "STATE_ZH",
    "TYPE_ZH",
    "export_filename",
    "export_ledger",
    "export_limit",
    "ledger_export",
]
