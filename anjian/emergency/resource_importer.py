"""Excel import of emergency resources (issue 14 item 3): rescue teams, warehouses with
their supplies, experts and shelters, one template per kind (anjian.core.sheets).

All or nothing: every row is checked (the cells here, then the same services as the
forms, inside one transaction) and EVERY problem is reported with its row number and
column letter; a file with any bad row writes nothing. A good file is written through
the resource services, so each row comes with its audit entry as if entered by hand.

Warehouses and supplies: one row per supply record; the warehouse is repeated on each row
and grouped by name (its other cells may be left blank after its first row). A warehouse
of that name the importer already keeps (in service) is filled, not duplicated.

The column "行政区划代码" places a government resource (regulators; blank: their own
division); the enterprise's staff always place theirs at their enterprise.

The template and the messages are Chinese: the ledgers imported are Chinese documents.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from anjian.core import sheets
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Division

from . import resource_services as services
from .models import Speciality, SupplyKind, SupplyState, TeamKind, Warehouse

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 2000
Column = sheets.Column
ImportRejected = sheets.ImportRejected

TEAM_KINDS = {
    "专业救援队伍": TeamKind.PROFESSIONAL,
    "消防救援队伍": TeamKind.FIRE,
    "企业救援队伍": TeamKind.ENTERPRISE,
    "社会救援力量": TeamKind.SOCIAL,
}
SPECIALITIES = {
    "消防灭火": Speciality.FIRE,
    "危险化学品": Speciality.CHEMICAL,
    "矿山救援": Speciality.MINE,
    "坍塌搜救": Speciality.COLLAPSE,
    "水上救援": Speciality.WATER,
    "医疗救护": Speciality.MEDICAL,
    "电力抢修": Speciality.ELECTRIC,
    "燃气泄漏": Speciality.GAS,
}
SUPPLY_STATES = {
    "完好": SupplyState.GOOD,
    "维修中": SupplyState.MAINTENANCE,
    "报废": SupplyState.SCRAPPED,
}
DIVISION_HELP = "政府储备的资源所在的行政区划代码（12位或6位、9位）；空着即本人所在区划。企业用户留空（放在本企业所在区划）。"
COORD_HELP = "十进制度数，例如 {}。纬度 -90 至 90，经度 -180 至 180。"

# key, header, required, limit, help. The keys are the services' field names.
SPECS: dict[str, list[tuple[str, str, bool, int | None, str]]] = {
    "teams": [
        ("name", "队伍名称", True, 120, "救援队伍的名称。"),
        ("kind", "队伍类型", True, None, "应为 " + "/".join(TEAM_KINDS) + " 之一。"),
        (
            "specialities",
            "专长",
            False,
            None,
            "可填多个，用顿号或逗号分隔：" + "、".join(SPECIALITIES) + "。",
        ),
        ("members", "人数", False, None, "非负整数。"),
        ("leader", "负责人", False, 64, "队长姓名。"),
        ("duty_phone", "值班电话", True, 32, "24小时值班电话。"),
        ("equipment", "主要装备", False, 4000, "主要装备的说明。"),
        (
            "readiness_minutes",
            "出动准备时间（分钟）",
            False,
            None,
            "接警到出动的分钟数，0 至 1440；空着为 5。",
        ),
        ("address", "地址", False, 255, "驻地地址。"),
        ("latitude", "纬度", False, None, COORD_HELP.format("30.274085")),
        ("longitude", "经度", False, None, COORD_HELP.format("120.155070")),
        ("division", "行政区划代码", False, 12, DIVISION_HELP),
    ],
    "warehouses": [
        ("name", "仓库名称", True, 120, "应急物资仓库的名称；同一仓库的多条物资重复填写同一名称。"),
        ("address", "仓库地址", False, 255, "仓库地址（同一仓库只需在第一行填写）。"),
        ("latitude", "纬度", False, None, COORD_HELP.format("30.274085")),
        ("longitude", "经度", False, None, COORD_HELP.format("120.155070")),
        ("keeper", "仓库管理员", False, 64, "管理员姓名。"),
        ("phone", "仓库电话", False, 32, "仓库联系电话。"),
        (
            "kind",
            "物资名称或编码",
            True,
            None,
            "物资目录中的名称（如 正压式空气呼吸器）或编码（如 M03-01）。",
        ),
        ("quantity", "数量", True, None, "非负整数，单位见物资目录。"),
        ("minimum", "储备定额", False, None, "低于此数量时预警；非负整数，空着为 0。"),
        ("expires_on", "有效期至", False, None, "日期，例如 2027-06-30；无有效期留空。"),
        ("state", "状态", False, None, "应为 " + "/".join(SUPPLY_STATES) + " 之一；空着为 完好。"),
        ("batch", "批次", False, 64, "批次号。"),
        ("division", "行政区划代码", False, 12, DIVISION_HELP),
    ],
    "experts": [
        ("name", "姓名", True, 120, "专家姓名。"),
        (
            "specialities",
            "专长",
            False,
            None,
            "可填多个，用顿号或逗号分隔：" + "、".join(SPECIALITIES) + "。",
        ),
        ("title", "职称", False, 64, "例如 高级工程师。"),
        ("employer", "工作单位", False, 120, "所在单位。"),
        ("phone", "联系电话", True, 32, "手机号码。"),
        ("address", "地址", False, 255, "常驻地址。"),
        ("latitude", "纬度", False, None, COORD_HELP.format("30.274085")),
        ("longitude", "经度", False, None, COORD_HELP.format("120.155070")),
        ("division", "行政区划代码", False, 12, DIVISION_HELP),
    ],
    "shelters": [
        ("name", "避难场所名称", True, 120, "应急避难场所的名称。"),
        ("capacity", "容纳人数", False, None, "非负整数。"),
        ("phone", "联系电话", False, 32, "管理单位电话。"),
        ("address", "地址", False, 255, "场所地址。"),
        ("latitude", "纬度", False, None, COORD_HELP.format("30.274085")),
        ("longitude", "经度", False, None, COORD_HELP.format("120.155070")),
        ("division", "行政区划代码", False, 12, DIVISION_HELP),
    ],
}
SHEET_NAMES = {
    "teams": "救援队伍",
    "warehouses": "物资仓库与物资",
    "experts": "应急专家",
    "shelters": "避难场所",
}
FILENAMES = {
    "teams": "应急救援队伍导入模板.xlsx",
    "warehouses": "应急物资仓库与物资导入模板.xlsx",
    "experts": "应急专家导入模板.xlsx",
    "shelters": "应急避难场所导入模板.xlsx",
}
EXAMPLES = {
    "teams": [
        (
            "东县危化救援队",
            "专业救援队伍",
            "危险化学品、消防灭火",
            24,
            "王强",
            "0571-88000001",
            "泡沫消防车2辆，防化服20套",
            5,
            "东县工业园区8号",
            30.27,
            120.15,
            "",
        ),
    ],
    "warehouses": [
        (
            "东县应急物资库",
            "东县仓储路1号",
            30.28,
            120.16,
            "赵敏",
            "0571-88000002",
            "正压式空气呼吸器",
            20,
            10,
            "2028-12-31",
            "完好",
            "2025-01",
            "",
        ),
        ("东县应急物资库", "", "", "", "", "", "E04-03", 500, 1000, "", "完好", "", ""),
    ],
    "experts": [
        ("刘洋", "危险化学品", "高级工程师", "东县化工研究院", "13800000001", "", "", "", ""),
    ],
    "shelters": [
        ("东县中心广场避难场所", 3000, "0571-88000003", "东县中心广场", 30.27, 120.15, ""),
    ],
}
KINDS = tuple(SPECS)
# The resource each sheet writes (resource_services.SPECS key).
RESOURCE = {"teams": "team", "warehouses": "warehouse", "experts": "expert", "shelters": "shelter"}


def columns(kind: str) -> tuple[Column, ...]:
    return tuple(
        Column(
            key=key,
            header=header,
            letter=sheets.letter(index),
            required=required,
            limit=limit,
            help=help_text,
        )
        for index, (key, header, required, limit, help_text) in enumerate(SPECS[kind])
    )


def sheet_format(kind: str) -> sheets.SheetFormat:
    return sheets.SheetFormat(
        columns=columns(kind),
        sheet_name=SHEET_NAMES[kind],
        empty_message="表格中没有数据行：请从第2行起每行填写一条记录。",
        keep_line_breaks=False,
        max_rows=MAX_ROWS,
    )


# --- the template ---------------------------------------------------------------------------


def build_template(kind: str) -> bytes:
    cols = columns(kind)
    lists: dict[str, list[str]] = {}
    if kind == "teams":
        lists["kind"] = list(TEAM_KINDS)
    if kind == "warehouses":
        lists["state"] = list(SUPPLY_STATES)
    workbook, _sheet = sheets.template_workbook(
        cols,
        sheet_name=SHEET_NAMES[kind],
        max_rows=MAX_ROWS,
        widths={"name": 24, "equipment": 30, "address": 24, "kind": 20},
        default_width=14,
        lists=lists,
    )
    help_sheet = workbook.create_sheet("填写说明")
    tables: list[tuple[Any, ...]] = []
    if kind == "warehouses":
        tables = [(), ("物资目录（编码、名称、单位、类别）",)] + [
            (k.code, k.name, k.unit, k.category) for k in SupplyKind.objects.order_by("code")
        ]
    sheets.template_help(
        help_sheet,
        cols,
        title=f"{SHEET_NAMES[kind]}导入说明",
        rules=(
            "1. 第1行为表头，请勿修改；从第2行起每行一条记录。",
            "2. 任何一行有误则整个文件都不导入，并按行列列出全部问题。",
            f"3. 每个文件最多 {MAX_ROWS} 行。",
        ),
        example_title="示例（可直接导入）",
        example=EXAMPLES[kind],
        widths={"A": 10, "B": 24, "C": 10, "D": 60},
        tables=tables,
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- checking and writing -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int  # teams, warehouses, experts or shelters created
    supplies: int  # supply records (warehouses sheet)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "created": self.created, "supplies": self.supplies}


def _split(text: str) -> list[str]:
    for sep in ("，", "、", "；", ";", "/"):
        text = text.replace(sep, ",")
    return [t.strip() for t in text.split(",") if t.strip()]


class _Rows:
    """The cells of one sheet as text, and the errors found so far."""

    def __init__(self, kind: str):
        self.kind = kind
        self.cols = {c.key: c for c in columns(kind)}
        self.errors: list[sheets.RowError] = []

    def error(self, row: int, key: str, text: str) -> None:
        self.errors.append(sheets.cell_error(self.cols[key], row, text))

    def from_service(self, row: int, exc: ValidationFailed, fallback: str = "name") -> None:
        for name, messages in exc.errors.items():
            key = name.split(".")[0]
            key = key if key in self.cols else fallback
            for message in messages:
                self.error(row, key, message)

    def data(self, number: int, cells: tuple[Any, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for (key, column), value in zip(self.cols.items(), cells, strict=True):
            text = sheets.cell_text(value, keep_line_breaks=False)
            if text is None:
                self.error(number, key, "含有不允许的控制字符")
                text = ""
            if column.limit and len(text) > column.limit:
                self.error(number, key, f"最多 {column.limit} 个字符")
                text = text[: column.limit]
            out[key] = text
        for key, table in (("kind", TEAM_KINDS if self.kind == "teams" else None),):
            if table is not None and out.get(key):
                value = out[key]
                if value in table:
                    out[key] = table[value]
                elif value not in table.values():
                    self.error(number, key, f"应为 {'/'.join(table)} 之一，实际为“{value}”")
                    out[key] = ""
        if "specialities" in out:
            found = []
            for item in _split(out["specialities"]):
                if item in SPECIALITIES:
                    found.append(SPECIALITIES[item])
                elif item in Speciality.values:
                    found.append(item)
                else:
                    self.error(
                        number,
                        "specialities",
                        f"未知的专长“{item}”，应为 {'、'.join(SPECIALITIES)}",
                    )
            out["specialities"] = found
        if self.kind == "warehouses" and out.get("state"):
            state = out["state"]
            if state in SUPPLY_STATES:
                out["state"] = SUPPLY_STATES[state]
            elif state not in SupplyState.values:
                self.error(number, "state", f"应为 {'/'.join(SUPPLY_STATES)} 之一，实际为“{state}”")
                out["state"] = ""
        return out

    def more(self, number: int, before: int, kind: str, data: dict[str, Any]) -> None:
        """A row refused already: add the services' other problems with it, so that the
        file lists every one (cells flagged already are not flagged twice)."""
        flagged = {e.field for e in self.errors[before:]}
        for name, messages in services.field_errors(kind, data).items():
            key = name.split(".")[0]
            if key in self.cols and self.cols[key].header not in flagged:
                for message in messages:
                    self.error(number, key, message)

    def division(self, number: int, code: str) -> int | str:
        if not code:
            return ""
        found = Division.objects.filter(code=code).values_list("pk", flat=True).first()
        if found is None:
            self.error(number, "division", f"未知的行政区划代码“{code}”")
            return ""
        return found


def _call(rows: _Rows, number: int, fallback: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ValidationFailed as exc:
        rows.from_service(number, exc, fallback)
    except Conflict as exc:
        rows.error(number, fallback, str(exc))
    return None


def import_resources(
    *, actor: Actor, kind: str, source: bytes | IO[bytes], filename: str = ""
) -> ImportResult:
    """Check the whole file, then write all of it or nothing. Raises Forbidden (before
    the file is read: not a keeper) or ImportRejected (nothing written)."""
    if kind not in SPECS:
        raise NotFound("unknown import kind")
    if not services.may_add(actor.user):
        raise Forbidden("只有企业主要负责人、安全管理人员或监管部门人员可以导入应急资源。")
    parsed = sheets.read_rows(source, sheet_format(kind))
    rows = _Rows(kind)
    created = supplies = 0
    with transaction.atomic():
        if kind == "warehouses":
            created, supplies = _warehouses(actor, rows, parsed)
        else:
            for number, cells in parsed:
                before = len(rows.errors)
                data = rows.data(number, cells)
                data["division"] = rows.division(number, data["division"])
                if len(rows.errors) > before:
                    rows.more(number, before, RESOURCE[kind], data)
                    continue
                if not data["division"]:
                    data.pop("division")
                done = _call(
                    rows,
                    number,
                    "name",
                    lambda data=data: services.resource_create(
                        actor=actor, kind=RESOURCE[kind], data=data
                    ),
                )
                created += done is not None
        if rows.errors:
            # Raised inside the transaction: everything written above rolls back.
            raise ImportRejected(rows.errors)
    return ImportResult(kind, created, supplies)


WAREHOUSE_KEYS = ("name", "address", "latitude", "longitude", "keeper", "phone", "division")
SUPPLY_KEYS = ("kind", "quantity", "minimum", "expires_on", "state", "batch")


def _warehouses(actor: Actor, rows: _Rows, parsed: list) -> tuple[int, int]:
    created = supplies = 0
    by_name: dict[str, int | None] = {}
    for number, cells in parsed:
        before = len(rows.errors)
        data = rows.data(number, cells)
        data["division"] = rows.division(number, data["division"])
        name = data["name"]
        if not name:
            rows.error(number, "name", "必填")
            continue
        if name not in by_name:
            mine = services.visible_resources(actor.user, "warehouse").filter(
                name=name, active=True
            )
            existing = next((w for w in mine if services.may_change(actor.user, w)), None)
            if existing is not None:
                by_name[name] = existing.pk
            elif len(rows.errors) > before:
                by_name[name] = None
            else:
                house = {k: data[k] for k in WAREHOUSE_KEYS if data[k] != ""}
                made = _call(
                    rows,
                    number,
                    "name",
                    lambda house=house: services.resource_create(
                        actor=actor, kind="warehouse", data=house
                    ),
                )
                by_name[name] = made.pk if made is not None else None
                created += made is not None
        warehouse_id = by_name[name]
        supply = {k: data[k] for k in SUPPLY_KEYS if data[k] != "" or k in ("kind", "quantity")}
        if supply["quantity"] == "":
            rows.error(number, "quantity", "必填")
        if warehouse_id is None or len(rows.errors) > before:
            rows.more(number, before, "supply", supply)
            continue
        made = _call(
            rows,
            number,
            "kind",
            lambda supply=supply, warehouse_id=warehouse_id: services.supply_create(
                actor=actor, warehouse_id=warehouse_id, data=supply
            ),
        )
        supplies += made is not None
    return created, supplies


__all__ = [
    "CONTENT_TYPE",
    "FILENAMES",
    "KINDS",
    "ImportRejected",
    "ImportResult",
    "Warehouse",
    "build_template",
    "columns",
    "import_resources",
]
