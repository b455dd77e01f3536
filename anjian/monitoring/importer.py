"""Excel import of monitoring points and their set-points, and its template.

One row per set-point; the point's own columns (gateway, code, name, kind, unit, range,
sampling period, installation, risk unit, seal windows) are repeated on every row of the
point and grouped by gateway and point code. A point without set-points (a seal, a
video event) is one row with the set-point columns left blank. A gateway code the
enterprise does not have yet creates that gateway, with a new token shown once.

All or nothing, like the risk and hazard importers (anjian.core.sheets): every row is
checked first and EVERY problem is reported with its row, column letter and header; a
file with any bad row writes nothing. A point that already exists (same gateway, same
code) is refused: importing the same file twice does not double the points.

The template and the messages are Chinese: the language of the enterprises' point lists.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from anjian.core import scoping, sheets, xlsx
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Forbidden, NotFound
from anjian.registry.models import Enterprise

from .models import (
    KIND_UNITS,
    Gateway,
    Point,
    PointKind,
    SealWindow,
    SetPoint,
)
from .models.points import CODE_MAX

MAX_ROWS = 5000
SHEET_NAME = "监测点及阈值"
HELP_SHEET_NAME = "填写说明"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "监测点及报警阈值导入模板.xlsx"

KINDS: dict[str, str] = {
    "可燃气体": PointKind.COMBUSTIBLE_GAS,
    "有毒气体": PointKind.TOXIC_GAS,
    "甲烷": PointKind.METHANE,
    "一氧化碳": PointKind.CARBON_MONOXIDE,
    "氧气": PointKind.OXYGEN,
    "温度": PointKind.TEMPERATURE,
    "压力": PointKind.PRESSURE,
    "液位": PointKind.LEVEL,
    "流量": PointKind.FLOW,
    "线路电流": PointKind.LINE_CURRENT,
    "线路温度": PointKind.LINE_TEMPERATURE,
    "门禁/封条": PointKind.SEAL,
    "视频分析事件": PointKind.VIDEO_EVENT,
}
KIND_ALIASES = {"封条": "门禁/封条", "门禁": "门禁/封条", "门磁": "门禁/封条", "CH4": "甲烷"}
SETPOINTS: dict[str, str] = {
    "低限": "low",
    "高限": "high",
    "高高限": "high_high",
    "报警": "alarm",
    "断电": "power_off",
}
SETPOINT_ALIASES = {
    "低报": "低限",
    "高报": "高限",
    "一级报警": "高限",
    "高高报": "高高限",
    "二级报警": "高高限",
    "报警值": "报警",
    "断电值": "断电",
}
DIRECTIONS = {"高于": "above", "低于": "below"}
LEVELS = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}
LEVEL_ALIASES = {"红色": "红", "橙色": "橙", "黄色": "黄", "蓝色": "蓝"}
MAX_SAMPLING = 86_400
MAX_DURATION = 86_400
DECIMAL_LIMIT = Decimal("9999999999")  # max_digits 14, 4 decimals

Column = sheets.Column


def _columns() -> tuple[Column, ...]:
    spec = [
        ("gateway", "网关编码", True, CODE_MAX,
         "数据采集网关的编码；本企业尚无此网关时将新建，并一次性显示其接入令牌。"),
        ("gateway_name", "网关名称", False, 128, "新建网关时的名称；可不填。"),
        ("code", "监测点编码", True, CODE_MAX,
         "同一网关内唯一，即网关上报数据中的测点编码；只可用字母、数字和 - _ . 。"),
        ("name", "监测点名称", True, 128, "如“1号储罐区可燃气体探测器”。"),
        ("kind", "监测类型", True, None, "应为 " + "/".join(KINDS) + " 之一。"),
        ("unit", "单位", False, 16, "可不填，按类型默认（可燃气体 %LEL、有毒气体 ppm、甲烷 %CH4、压力 MPa 等）。"),
        ("range_low", "量程下限", False, None, "物理量程；超出量程的数据视为无效并拒收。"),
        ("range_high", "量程上限", False, None, "须大于量程下限。"),
        ("sampling", "采样周期（秒）", False, None, f"1 至 {MAX_SAMPLING} 的整数，默认 10。"),
        ("installation", "重大危险源", False, 128, "本企业已登记的重大危险源名称；可不填。"),
        ("risk_unit", "风险分析单元", False, 128, "本企业已有的风险分析单元名称；可不填。"),
        ("seal_windows", "允许开启时段", False, 255,
         "仅门禁/封条：允许开启的时段，如“08:00-08:30”，多个用顿号分隔；其余时间开启即报警。"),
        ("setpoint", "阈值类型", False, None,
         "应为 " + "/".join(SETPOINTS) + " 之一；不设阈值的监测点留空。报警/断电用于煤矿甲烷等。"),
        ("direction", "报警方向", False, None, "高于/低于；可不填：低限为“低于”，其余为“高于”。"),
        ("value", "阈值", False, None, "达到（高于时 ≥、低于时 ≤）即报警的数值。"),
        ("level", "报警级别", False, None, "应为 红/橙/黄/蓝 之一。"),
        ("hysteresis", "回差", False, None, "可不填（0）；恢复时须越过 阈值∓回差，防止反复报警。"),
        ("clear_value", "复电值", False, None, "可不填；如甲烷断电 1.5%、复电 <1.0% 时填 1.0。"),
        ("cut_equipment", "断电范围", False, 255, "断电阈值要切断的设备；可不填。"),
        ("duration", "持续时间（秒）", False, None, f"达到阈值持续多久才报警，0 至 {MAX_DURATION}，默认 0。"),
        ("window", "阈值生效时段", False, None, "可不填（全天）；如“22:00-06:00”，可跨零点。"),
    ]  # fmt: skip
    return tuple(
        Column(key, header, sheets.letter(index), required, limit, text)
        for index, (key, header, required, limit, text) in enumerate(spec)
    )


COLUMNS = _columns()
BY_KEY = {c.key: c for c in COLUMNS}
POINT_KEYS = (
    "gateway_name",
    "name",
    "kind",
    "unit",
    "range_low",
    "range_high",
    "sampling",
    "installation",
    "risk_unit",
    "seal_windows",
)
SETPOINT_KEYS = (
    "direction",
    "value",
    "level",
    "hysteresis",
    "clear_value",
    "cut_equipment",
    "duration",
    "window",
)

FORMAT = sheets.SheetFormat(
    columns=COLUMNS,
    sheet_name=SHEET_NAME,
    empty_message="表格中没有数据行：请从第2行起每行填写一个阈值（无阈值的监测点占一行）。",
    keep_line_breaks=False,
    max_rows=MAX_ROWS,
)
RowError = sheets.RowError
ImportRejected = sheets.ImportRejected
file_error = sheets.file_error
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_WINDOW = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-~～—至]+\s*(\d{1,2})[:：](\d{2})$")
_SPLIT = re.compile(r"[、,，;；\s]+")


def cell_error(row: int, key: str, text: str) -> RowError:
    return sheets.cell_error(BY_KEY[key], row, text)


@dataclass
class SetPointPlan:
    row: int
    name: str
    fields: dict[str, Any]


@dataclass
class PointPlan:
    gateway: str
    code: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    value_rows: dict[str, int] = field(default_factory=dict)
    setpoints: dict[str, SetPointPlan] = field(default_factory=dict)


@dataclass
class Plan:
    points: dict[tuple[str, str], PointPlan] = field(default_factory=dict)
    gateway_names: dict[str, str] = field(default_factory=dict)
    rows: int = 0


@dataclass(frozen=True)
class ImportResult:
    gateways: int
    points: int
    setpoints: int
    seal_windows: int
    # new gateways: (code, token) — the token is shown once and never stored in clear
    tokens: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "gateways": self.gateways,
            "points": self.points,
            "setpoints": self.setpoints,
            "seal_windows": self.seal_windows,
            "tokens": [{"gateway": c, "token": t} for c, t in self.tokens],
        }


# --- checking the cells ---------------------------------------------------------------------


def _choice(errors, row, key, text, table, aliases) -> str | None:
    if not text:
        return None
    text = aliases.get(text, text)
    if text in table:
        return table[text]
    errors.append(cell_error(row, key, f"应为 {'/'.join(table)} 之一，实际为“{text}”"))
    return None


def _decimal(errors, row, key, text) -> Decimal | None:
    if not text:
        return None
    normal = unicodedata.normalize("NFKC", text).strip()
    try:
        value = Decimal(normal)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > DECIMAL_LIMIT:
        errors.append(cell_error(row, key, f"应为数字，实际为“{text}”"))
        return None
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        errors.append(cell_error(row, key, "最多 4 位小数"))
        return None
    return value


def _integer(errors, row, key, text, low: int, high: int) -> int | None:
    if not text:
        return None
    normal = unicodedata.normalize("NFKC", text).strip().removesuffix(".0")
    if not normal.isdigit() or not low <= int(normal) <= high:
        errors.append(cell_error(row, key, f"应为 {low} 至 {high} 的整数，实际为“{text}”"))
        return None
    return int(normal)


def _window(text: str) -> tuple[dt.time, dt.time] | None:
    match = _WINDOW.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) == (h2, m2):
        return None
    return dt.time(h1, m1), dt.time(h2, m2)


def _windows(errors, row, key, text) -> tuple[tuple[dt.time, dt.time], ...] | None:
    if not text:
        return ()
    out = []
    for part in _SPLIT.split(unicodedata.normalize("NFKC", text)):
        if not part:
            continue
        window = _window(part)
        if window is None:
            errors.append(
                cell_error(row, key, f"时段应写作“08:00-08:30”（起止不同），实际为“{part}”")
            )
            return None
        out.append(window)
    return tuple(out)


def _cells(row: int, values: tuple[Any, ...], errors: list[RowError]) -> tuple[dict, set]:
    cells: dict[str, str] = {}
    bad: set[str] = set()
    for column, value in zip(COLUMNS, values, strict=True):
        text = sheets.cell_text(value, keep_line_breaks=False)
        if text is None:
            errors.append(cell_error(row, column.key, "含有不允许的控制字符"))
            bad.add(column.key)
            text = ""
        elif column.limit is not None and len(text) > column.limit:
            errors.append(
                cell_error(row, column.key, f"不能超过 {column.limit} 个字（实际 {len(text)} 个）")
            )
            bad.add(column.key)
        cells[column.key] = text
    return cells, bad


def _describe(value: Any) -> str:
    if isinstance(value, tuple):
        return "、".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in value) or "（空）"
    if value in KINDS.values():
        return {v: k for k, v in KINDS.items()}[value]
    return str(value)


def plan_rows(rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[Plan, list[RowError]]:
    """Check every row and group them by point; the plan is only to be written when no
    problem was found."""
    plan = Plan(rows=len(rows))
    errors: list[RowError] = []
    for row, values in rows:
        cells, bad = _cells(row, values, errors)
        for key in ("gateway", "code", "name", "kind"):
            if not cells[key] and key not in bad:
                errors.append(cell_error(row, key, "必填，不能为空"))
        for key in ("gateway", "code"):
            if cells[key] and key not in bad and not _CODE.match(cells[key]):
                errors.append(cell_error(row, key, "只可用字母、数字和 - _ . ，且以字母或数字开头"))
                bad.add(key)
        given: dict[str, Any] = {
            "name": cells["name"] or None,
            "kind": _choice(errors, row, "kind", cells["kind"], KINDS, KIND_ALIASES),
            "unit": cells["unit"] or None,
            "range_low": _decimal(errors, row, "range_low", cells["range_low"]),
            "range_high": _decimal(errors, row, "range_high", cells["range_high"]),
            "sampling": _integer(errors, row, "sampling", cells["sampling"], 1, MAX_SAMPLING),
            "installation": cells["installation"] or None,
            "risk_unit": cells["risk_unit"] or None,
            "seal_windows": _windows(errors, row, "seal_windows", cells["seal_windows"])
            if cells["seal_windows"]
            else None,
        }
        if cells["gateway_name"] and cells["gateway"]:
            plan.gateway_names.setdefault(cells["gateway"], cells["gateway_name"])

        sp_name = _choice(errors, row, "setpoint", cells["setpoint"], SETPOINTS, SETPOINT_ALIASES)
        direction = _choice(errors, row, "direction", cells["direction"], DIRECTIONS, {})
        value = _decimal(errors, row, "value", cells["value"])
        level = _choice(errors, row, "level", cells["level"], LEVELS, LEVEL_ALIASES)
        hysteresis = _decimal(errors, row, "hysteresis", cells["hysteresis"])
        clear_value = _decimal(errors, row, "clear_value", cells["clear_value"])
        duration = _integer(errors, row, "duration", cells["duration"], 0, MAX_DURATION)
        window = None
        if cells["window"]:
            window = _window(cells["window"])
            if window is None:
                errors.append(
                    cell_error(row, "window", f"时段应写作“22:00-06:00”，实际为“{cells['window']}”")
                )
                bad.add("window")
        if hysteresis is not None and hysteresis < 0:
            errors.append(cell_error(row, "hysteresis", "不能为负数"))

        if not cells["gateway"] or not cells["code"] or {"gateway", "code"} & bad:
            continue
        key = (cells["gateway"], cells["code"])
        point = plan.points.get(key)
        if point is None:
            point = plan.points[key] = PointPlan(cells["gateway"], cells["code"], row)
        for name, got in given.items():
            if got is None or name in bad:
                continue
            if name not in point.values:
                point.values[name], point.value_rows[name] = got, row
            elif point.values[name] != got:
                errors.append(
                    cell_error(
                        row,
                        name,
                        f"与第{point.value_rows[name]}行同一监测点的{BY_KEY[name].header}"
                        f"“{_describe(point.values[name])}”不一致",
                    )
                )

        setpoint_given = [k for k in SETPOINT_KEYS if cells[k]]
        if not cells["setpoint"]:
            if setpoint_given:
                errors.append(cell_error(row, "setpoint", "填写了阈值各列时，应选择阈值类型"))
            continue
        if sp_name is None:
            continue
        if not cells["value"] and "value" not in bad:
            errors.append(cell_error(row, "value", "必填，不能为空（已选择阈值类型）"))
        if not cells["level"]:
            errors.append(cell_error(row, "level", "必填，不能为空（已选择阈值类型）"))
        if sp_name in point.setpoints:
            errors.append(
                cell_error(
                    row,
                    "setpoint",
                    f"同一监测点的“{cells['setpoint']}”已在第{point.setpoints[sp_name].row}行填写",
                )
            )
            continue
        if value is None or level is None:
            continue
        fields: dict[str, Any] = {
            "direction": direction or ("below" if sp_name == "low" else "above"),
            "value": value,
            "level": level,
            "hysteresis": hysteresis if hysteresis is not None and hysteresis >= 0 else Decimal(0),
            "clear_value": clear_value,
            "cut_equipment": cells["cut_equipment"],
            "min_duration_seconds": duration or 0,
            "window_start": window[0] if window else None,
            "window_end": window[1] if window else None,
        }
        point.setpoints[sp_name] = SetPointPlan(row, sp_name, fields)

    for point in plan.points.values():
        _check_point(point, errors)
    return plan, errors


def _check_point(point: PointPlan, errors: list[RowError]) -> None:
    values = point.values
    kind = values.get("kind")
    low, high = values.get("range_low"), values.get("range_high")
    if low is not None and high is not None and low >= high:
        errors.append(cell_error(point.value_rows["range_high"], "range_high", "须大于量程下限"))
    boolean = kind in (PointKind.SEAL, PointKind.VIDEO_EVENT)
    if boolean:
        for sp in point.setpoints.values():
            errors.append(cell_error(sp.row, "setpoint", "门禁/封条、视频分析事件不设数值阈值"))
    elif values.get("seal_windows"):
        errors.append(
            cell_error(point.value_rows["seal_windows"], "seal_windows", "仅门禁/封条可填写")
        )
    for sp in point.setpoints.values():
        value, direction = sp.fields["value"], sp.fields["direction"]
        if (low is not None and value < low) or (high is not None and value > high):
            errors.append(cell_error(sp.row, "value", "阈值超出量程"))
        clear = sp.fields["clear_value"]
        if clear is not None and (
            (direction == "above" and clear >= value) or (direction == "below" and clear <= value)
        ):
            errors.append(
                cell_error(
                    sp.row,
                    "clear_value",
                    "高于报警时复电值须小于阈值，低于报警时须大于阈值",
                )
            )


def check_against_database(plan: Plan, enterprise: Enterprise) -> list[RowError]:
    """What only the database knows: gateways of other enterprises, existing points,
    installation and risk unit names."""
    from anjian.risks.models import RiskUnit

    errors: list[RowError] = []
    codes = {p.gateway for p in plan.points.values()}
    gateways = {g.code: g for g in Gateway.objects.filter(code__in=codes)}
    installations = dict(enterprise.major_hazards.values_list("name", "pk"))
    units = dict(RiskUnit.objects.filter(enterprise=enterprise).values_list("name", "pk"))
    existing = set(
        Point.objects.filter(gateway__code__in=codes).values_list("gateway__code", "code")
    )
    for point in plan.points.values():
        gateway = gateways.get(point.gateway)
        if gateway is not None and gateway.enterprise_id != enterprise.pk:
            errors.append(
                cell_error(point.row, "gateway", f"网关“{point.gateway}”属于其他企业，不能使用")
            )
        if (point.gateway, point.code) in existing:
            errors.append(
                cell_error(
                    point.row,
                    "code",
                    f"网关“{point.gateway}”已有监测点“{point.code}”，不能重复导入",
                )
            )
        for key, table, what in (
            ("installation", installations, "重大危险源"),
            ("risk_unit", units, "风险分析单元"),
        ):
            name = point.values.get(key)
            if name and name not in table:
                errors.append(
                    cell_error(point.value_rows[key], key, f"本企业没有名为“{name}”的{what}")
                )
    return errors


def _enterprise_for_import(actor: Actor, enterprise_id: int) -> Enterprise:
    """404 outside the actor's scope, 403 for one who may only read it; the system (the
    command line) may import for any enterprise."""
    if actor.user is None:
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    else:
        enterprise = scoping.visible_enterprises(actor.user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise in your jurisdiction."))
    if actor.user is not None and not scoping.can_manage_risks(actor.user, enterprise):
        raise Forbidden(
            _(
                "Only the enterprise's principal, its safety officer or an expert may import its points."
            )
        )
    return enterprise


def points_import(
    *, actor: Actor, enterprise_id: int, source: bytes | IO[bytes], filename: str = ""
) -> ImportResult:
    """Check the whole file, then write all of it or nothing. Raises NotFound/Forbidden
    (before the file is read) or ImportRejected (nothing written)."""
    _enterprise_for_import(actor, enterprise_id)
    filename = "".join(ch for ch in filename if ch.isprintable())[:200]
    plan, errors = plan_rows(sheets.read_rows(source, FORMAT))
    with transaction.atomic():
        # One import at a time per enterprise: two uploads of one file cannot both pass.
        enterprise = Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise_id)
        errors += check_against_database(plan, enterprise)
        if errors:
            raise ImportRejected(errors)
        codes = {p.gateway for p in plan.points.values()}
        gateways = {g.code: g for g in Gateway.objects.filter(code__in=codes)}
        tokens: list[tuple[str, str]] = []
        for code in sorted(codes - set(gateways)):
            raw = Gateway.new_token()
            gateway = Gateway(
                enterprise=enterprise, code=code, name=plan.gateway_names.get(code) or code
            )
            gateway.set_token(raw)
            gateway.save()
            gateways[code] = gateway
            tokens.append((code, raw))
            audit_append(
                actor=actor, action="create", obj=gateway, summary=f"网关 {code}（Excel 导入）"
            )
        installations = dict(enterprise.major_hazards.values_list("name", "pk"))
        from anjian.risks.models import RiskUnit

        units = dict(RiskUnit.objects.filter(enterprise=enterprise).values_list("name", "pk"))
        points = []
        for plan_point in plan.points.values():
            v = plan_point.values
            kind = v["kind"]
            points.append(
                Point(
                    gateway=gateways[plan_point.gateway],
                    enterprise=enterprise,
                    code=plan_point.code,
                    name=v["name"],
                    kind=kind,
                    unit=v.get("unit") or KIND_UNITS.get(PointKind(kind), ""),
                    range_low=v.get("range_low"),
                    range_high=v.get("range_high"),
                    sampling_seconds=v.get("sampling") or 10,
                    installation_id=installations.get(v.get("installation")),
                    risk_unit_id=units.get(v.get("risk_unit")),
                )
            )
        points = Point.objects.bulk_create(points)
        setpoints: list[SetPoint] = []
        windows: list[SealWindow] = []
        for point, plan_point in zip(points, plan.points.values(), strict=True):
            setpoints += [
                SetPoint(point=point, name=sp.name, **sp.fields)
                for sp in plan_point.setpoints.values()
            ]
            windows += [
                SealWindow(point=point, start=a, end=b, note="Excel 导入")
                for a, b in plan_point.values.get("seal_windows") or ()
            ]
        SetPoint.objects.bulk_create(setpoints)
        SealWindow.objects.bulk_create(windows)
        result = ImportResult(
            gateways=len(tokens),
            points=len(points),
            setpoints=len(setpoints),
            seal_windows=len(windows),
            tokens=tuple(tokens),
        )
        counts = result.as_dict()
        counts.pop("tokens")
        audit_append(
            actor=actor,
            action="import",
            obj=enterprise,
            summary=f"监测点及阈值导入 {filename}".strip()[:255],
            changes={"file": filename[:255], "rows": plan.rows, **counts},
        )
    return result


# --- the template ---------------------------------------------------------------------------

EXAMPLE = (
    ("GW01", "储罐区采集网关", "GT-101", "储罐区可燃气体探测器1", "可燃气体", "%LEL", "0", "100",
     "5", "", "", "", "高限", "高于", "25", "橙", "2", "", "", "0", ""),
    ("GW01", "", "GT-101", "储罐区可燃气体探测器1", "可燃气体", "%LEL", "0", "100",
     "5", "", "", "", "高高限", "高于", "50", "红", "2", "", "", "0", ""),
    ("GW01", "", "SL-01", "液氯库房门禁", "门禁/封条", "", "", "", "30", "", "",
     "08:00-08:30", "", "", "", "", "", "", "", "", ""),
    ("KJ01", "井下监控分站", "CH4-T1", "采煤工作面甲烷T1", "甲烷", "%CH4", "0", "4", "5", "", "",
     "", "断电", "高于", "1.5", "红", "", "1.0", "工作面及回风巷非本质安全型电气设备", "", ""),
)  # fmt: skip


def build_template() -> bytes:
    workbook, _sheet = sheets.template_workbook(
        COLUMNS,
        sheet_name=SHEET_NAME,
        max_rows=MAX_ROWS,
        widths={"name": 24},
        default_width=14,
        lists={
            "kind": tuple(KINDS),
            "setpoint": tuple(SETPOINTS),
            "direction": tuple(DIRECTIONS),
            "level": tuple(LEVELS),
        },
        note_size=(320, 79),
    )
    sheets.template_help(
        workbook.create_sheet(HELP_SHEET_NAME),
        COLUMNS,
        title="监测点及报警阈值导入说明",
        rules=(
            "1. 在“监测点及阈值”工作表中，第1行为表头（请勿修改），从第2行起每行填写一个阈值。",
            "2. 同一监测点有多个阈值（如高限、高高限）时，每行重复填写网关编码、监测点编码及监测点各列；"
            "门禁/封条等不设阈值的监测点占一行，阈值各列留空。",
            "3. 可燃气体报警值参照 GB/T 50493-2019《石油化工可燃气体和有毒气体检测报警设计标准》："
            "一级报警（高限）≤25%LEL，二级报警（高高限）≤50%LEL；有毒气体一级 ≤100%OEL，二级 ≤200%OEL。",
            "4. 煤矿甲烷：阈值类型填“报警”“断电”，断电行填写复电值（如 断电 1.5、复电值 1.0）和断电范围。",
            "5. 恢复：高于报警的阈值在读数低于“阈值−回差”（或低于复电值）时恢复，低于报警的相反。",
            f"6. 每个文件最多 {MAX_ROWS} 行。只要有一行有误，整个文件都不会导入，并列出全部错误（行号、列号和原因）。",
            "7. 网关已有同编码的监测点时不能重复导入。新的网关编码会新建网关，其接入令牌只在导入结果中显示一次，请妥善保存。",
        ),
        example_title="填写示例",
        example=EXAMPLE,
        widths={"B": 18, "D": 80},
    )  # fmt: skip
    return xlsx.save(workbook)


__all__ = [
    "COLUMNS",
    "CONTENT_TYPE",
    "FILENAME",
    "ImportRejected",
    "ImportResult",
    "build_template",
    "plan_rows",
    "points_import",
]
