"""Excel import of a risk register: analysis objects → units → events → control measures
(with the check task each measure yields), from the template in import_template.py.

One row per control measure; the object, unit and event are repeated on every row and
grouped by name. The unit's own attributes (department, person, control level, hazard
factors, the optional assessment) may be left blank on the unit's later rows, but where
given they must agree with the first.

All or nothing: every row is checked first and EVERY problem is reported with its row
number, column letter and header ("第5行 F列（管控层级）：应为 公司/车间/班组/岗位 之一");
a file with any bad row writes nothing. A good file is written through the risk services
inside one transaction, so each object, unit, assessment, event, measure and check task
comes with its audit entry, exactly as if entered by hand.

The template and the messages are Chinese: it is the language of the registers that
enterprises keep and of the national tables they come from.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from anjian.core import sheets
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import ValidationFailed
from anjian.registry.models import Enterprise

from . import methods, services
from .models import ControlLevel, CycleUnit, MeasureClass, ObjectKind, RiskObject, RiskUnit
from .reference import hazard_factors

logger = logging.getLogger(__name__)

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
# A sheet is read row by row; rows that are blank but formatted still cost a step, so the
# walk itself is bounded too (a sheet "used" down to row 1,048,576 is not read to the end).
MAX_SCANNED_ROWS = 50_000
SHEET_NAME = "风险管控清单"
HELP_SHEET_NAME = "填写说明"

# --- the allowed values, in the words of the register --------------------------------------

OBJECT_KINDS: dict[str, str] = {
    "重大危险源": ObjectKind.MAJOR_HAZARD,
    "设备设施": ObjectKind.DEVICE,
    "区域场所": ObjectKind.AREA,
    "工艺作业": ObjectKind.PROCESS,
    "其他": ObjectKind.OTHER,
}
CONTROL_LEVELS: dict[str, str] = {
    "公司": ControlLevel.COMPANY,
    "车间": ControlLevel.WORKSHOP,
    "班组": ControlLevel.TEAM,
    "岗位": ControlLevel.POST,
}
MEASURE_CLASSES: dict[str, str] = {
    "工程技术": MeasureClass.ENGINEERING,
    "维护保养": MeasureClass.MAINTENANCE,
    "操作行为": MeasureClass.OPERATION,
    "应急措施": MeasureClass.EMERGENCY,
}
# Spellings people type for the same values; the lists above are what the template offers.
ALIASES: dict[str, dict[str, str]] = {
    "control_level": {
        "公司级": "公司",
        "厂级": "公司",
        "车间级": "车间",
        "班组级": "班组",
        "岗位级": "岗位",
    },
    "classification": {
        "工程技术措施": "工程技术",
        "工程": "工程技术",
        "维护保养措施": "维护保养",
        "维护": "维护保养",
        "操作行为措施": "操作行为",
        "操作": "操作行为",
        "管理": "操作行为",
        "应急处置": "应急措施",
        "应急": "应急措施",
    },
}
CYCLE_UNITS: dict[str, tuple[str, int]] = {
    "小时": (CycleUnit.HOUR, 1),
    "天": (CycleUnit.DAY, 1),
    "日": (CycleUnit.DAY, 1),
    "周": (CycleUnit.DAY, 7),  # the national table has no week: 1 周 is stored as 7 天
    "月": (CycleUnit.MONTH, 1),
    "年": (CycleUnit.YEAR, 1),
}
CYCLE_UNIT_CHOICES = ("小时", "天", "周", "月", "年")
MAX_CYCLE = 1000  # services.clean_cycle
ASSESS_METHODS: dict[str, tuple[str, ...]] = {
    "LEC": ("L", "E", "C"),
    "LS": ("L", "", "S"),
    "MES": ("M", "E", "S"),
}


Column = sheets.Column
_letter = sheets.letter


def _columns() -> tuple[Column, ...]:
    spec = [
        (
            "object",
            "风险分析对象",
            True,
            128,
            "被分析的对象：重大危险源、装置、设备、区域或作业活动的名称。",
        ),
        ("object_kind", "对象类型", True, None, "应为 " + "/".join(OBJECT_KINDS) + " 之一。"),
        (
            "unit",
            "风险分析单元",
            True,
            128,
            "对象下划分的风险分析单元名称；本企业内不能与已有单元重名。",
        ),
        ("department", "责任部门", True, 64, "单元的责任部门。"),
        ("person", "责任人", True, 64, "单元的责任人。"),
        ("control_level", "管控层级", True, None, "应为 " + "/".join(CONTROL_LEVELS) + " 之一。"),
        (
            "hazard_factors",
            "危险因素",
            False,
            None,
            "可不填；多个用顿号“、”或逗号分隔。可选："
            + "、".join(f["name"] for f in hazard_factors())
            + "。",
        ),
        ("event", "风险事件", True, 128, "可能发生的事件，如“储罐泄漏引发火灾爆炸”。"),
        ("measure", "管控措施", True, 255, "针对该事件的一条管控措施（每行一条）。"),
        ("classification", "措施分类", True, None, "应为 " + "/".join(MEASURE_CLASSES) + " 之一。"),
        ("check_content", "排查内容", True, 255, "由该措施生成的隐患排查任务的排查内容。"),
        ("cycle", "排查周期", True, None, f"1 至 {MAX_CYCLE} 的整数。"),
        (
            "cycle_unit",
            "周期单位",
            True,
            None,
            "应为 " + "/".join(CYCLE_UNIT_CHOICES) + " 之一（“周”按 7 天保存）。",
        ),
        ("check_person", "排查责任人", True, 64, "排查任务的责任人。"),
        (
            "method",
            "评估方法",
            False,
            None,
            "可不填；填写时应为 LEC/LS/MES 之一，并填写后三列，该单元即按此评估定级。",
        ),
        ("f1", "L/M", False, None, "LEC、LS 法填 L（可能性），MES 法填 M（控制措施状态）。"),
        ("f2", "E", False, None, "LEC、MES 法填 E（暴露频繁程度）；LS 法留空。"),
        ("f3", "C/S", False, None, "LEC 法填 C（后果），LS、MES 法填 S（严重性）。"),
    ]
    return tuple(
        Column(key, header, _letter(index), required, limit, text)
        for index, (key, header, required, limit, text) in enumerate(spec)
    )


COLUMNS = _columns()
HEADERS = tuple(c.header for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
UNIT_ATTRIBUTES = ("department", "person", "control_level", "hazard_factors")
FACTOR_COLUMNS = ("f1", "f2", "f3")


# --- errors ---------------------------------------------------------------------------------


RowError = sheets.RowError
file_error = sheets.file_error
ImportRejected = sheets.ImportRejected


def cell_error(row: int, key: str, text: str) -> RowError:
    return sheets.cell_error(BY_KEY[key], row, text)


# --- the plan: what the file asks for, grouped ---------------------------------------------


@dataclass
class MeasurePlan:
    row: int
    description: str
    classification: str
    check_content: str
    check_person: str
    cycle: int
    cycle_unit: str


@dataclass
class EventPlan:
    name: str
    row: int
    measures: list[MeasurePlan] = field(default_factory=list)


@dataclass
class UnitPlan:
    name: str
    object_name: str
    row: int  # the first row of the unit
    values: dict[str, Any] = field(default_factory=dict)  # attribute → value
    value_rows: dict[str, int] = field(default_factory=dict)  # attribute → the row giving it
    assessment: tuple[str, dict[str, str]] | None = None
    assessment_row: int | None = None
    events: dict[str, EventPlan] = field(default_factory=dict)


@dataclass
class ObjectPlan:
    name: str
    row: int
    kind: str = ""
    kind_row: int | None = None
    existing_id: int | None = None
    installation_id: int | None = None


@dataclass
class Plan:
    objects: dict[str, ObjectPlan] = field(default_factory=dict)
    units: dict[str, UnitPlan] = field(default_factory=dict)
    rows: int = 0


@dataclass(frozen=True)
class ImportResult:
    objects: int
    units: int
    events: int
    measures: int
    check_tasks: int
    assessments: int

    def as_dict(self) -> dict[str, int]:
        return {
            "objects": self.objects,
            "units": self.units,
            "events": self.events,
            "measures": self.measures,
            "check_tasks": self.check_tasks,
            "assessments": self.assessments,
        }


# --- reading the file -----------------------------------------------------------------------

FORMAT = sheets.SheetFormat(
    columns=COLUMNS,
    sheet_name=SHEET_NAME,
    empty_message="表格中没有数据行：请从第2行起每行填写一条管控措施。",
    keep_line_breaks=False,
    max_rows=MAX_ROWS,
    max_bytes=MAX_BYTES,
    max_scanned_rows=MAX_SCANNED_ROWS,
)


def _text(value: Any) -> str | None:
    return sheets.cell_text(value, keep_line_breaks=False)


def read_rows(source: bytes | IO[bytes]) -> list[tuple[int, tuple[Any, ...]]]:
    """The data rows of the sheet as (Excel row number, one value per column), blank
    rows left out. Refuses a file that is not an xlsx, has the wrong headers, has no
    data or has more than MAX_ROWS rows."""
    return sheets.read_rows(source, FORMAT)


# --- checking the rows ----------------------------------------------------------------------


def _choice(
    errors: list[RowError], row: int, key: str, text: str, table: dict[str, Any]
) -> Any | None:
    if not text:
        return None
    text = ALIASES.get(key, {}).get(text, text)
    if text in table:
        return table[text]
    choices = CYCLE_UNIT_CHOICES if key == "cycle_unit" else tuple(table)
    errors.append(cell_error(row, key, f"应为 {'/'.join(choices)} 之一，实际为“{text}”"))
    return None


def _factor_lookup() -> dict[str, str]:
    table = {}
    for factor in hazard_factors():
        table[factor["code"]] = factor["code"]
        table[factor["name"]] = factor["code"]
    return table


_FACTOR_SPLIT = re.compile(r"[、,，;；\s]+")


def _factors(errors: list[RowError], row: int, text: str) -> tuple[str, ...] | None:
    if not text:
        return ()
    table = _factor_lookup()
    codes, unknown = set(), []
    for part in _FACTOR_SPLIT.split(text):
        if not part:
            continue
        if part in table:
            codes.add(table[part])
        else:
            unknown.append(part)
    if unknown:
        allowed = "、".join(f["name"] for f in hazard_factors())
        errors.append(
            cell_error(
                row,
                "hazard_factors",
                f"未知的危险因素“{'、'.join(unknown)}”，可选：{allowed}",
            )
        )
        return None
    return tuple(sorted(codes))


def _cycle(errors: list[RowError], row: int, text: str) -> int | None:
    if not text:
        return None
    normal = unicodedata.normalize("NFKC", text).strip()
    if normal.endswith(".0"):
        normal = normal[:-2]
    if not normal.isdigit() or not 1 <= int(normal) <= MAX_CYCLE:
        errors.append(cell_error(row, "cycle", f"应为 1 至 {MAX_CYCLE} 的整数，实际为“{text}”"))
        return None
    return int(normal)


def _assessment(
    errors: list[RowError], row: int, cells: dict[str, str]
) -> tuple[str, dict[str, str]] | None:
    """The row's assessment (method, {factor: value}), checked against the method's
    tables by the pure functions; None when the row gives none (or a bad one)."""
    method_text = cells["method"]
    given = {key: cells[key] for key in FACTOR_COLUMNS}
    if not method_text:
        if any(given.values()):
            errors.append(
                cell_error(row, "method", "填写了 L/M、E、C/S 时，应选择评估方法 LEC/LS/MES")
            )
        return None
    method = unicodedata.normalize("NFKC", method_text).strip().upper()
    if method not in ASSESS_METHODS:
        errors.append(cell_error(row, "method", f"应为 LEC/LS/MES 之一，实际为“{method_text}”"))
        return None
    names = ASSESS_METHODS[method]
    inputs: dict[str, str] = {}
    ok = True
    for key, name in zip(FACTOR_COLUMNS, names, strict=True):
        value = given[key]
        if not name:
            if value:
                errors.append(cell_error(row, key, f"{method} 法不使用此列，请留空"))
                ok = False
            continue
        if not value:
            errors.append(cell_error(row, key, f"{method} 法需要填写 {name}"))
            ok = False
            continue
        inputs[name] = unicodedata.normalize("NFKC", value).strip()
    if not ok:
        return None
    function = {"LEC": methods.lec, "LS": methods.ls, "MES": methods.mes}[method]
    try:
        function(*inputs.values())
    except methods.RiskInputError as exc:
        key = FACTOR_COLUMNS[names.index(exc.field)] if exc.field in names else "method"
        errors.append(cell_error(row, key, exc.message("zh-hans")))
        return None
    return method.lower(), inputs


def _cells(
    row: int, values: tuple[Any, ...], errors: list[RowError]
) -> tuple[dict[str, str], set[str]]:
    """The row's cells as text, and the keys of those already found bad (a bad cell is
    reported once: not again as missing or as disagreeing with another row)."""
    cells: dict[str, str] = {}
    bad: set[str] = set()
    for column, value in zip(COLUMNS, values, strict=True):
        text = _text(value)
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


REQUIRED_EVERY_ROW = (
    "object",
    "unit",
    "event",
    "measure",
    "classification",
    "check_content",
    "cycle",
    "cycle_unit",
    "check_person",
)


def _describe(key: str, value: Any) -> str:
    if key == "control_level":
        return {v: k for k, v in CONTROL_LEVELS.items()}.get(value, str(value))
    if key == "hazard_factors":
        names = {f["code"]: f["name"] for f in hazard_factors()}
        return "、".join(names.get(v, v) for v in value) or "（空）"
    if key == "object_kind":
        return {v: k for k, v in OBJECT_KINDS.items()}.get(value, str(value))
    return str(value)


def plan_rows(rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[Plan, list[RowError]]:
    """Check every row and group them; returns the plan and every problem found (the plan
    is only to be written when there are none)."""
    plan = Plan(rows=len(rows))
    errors: list[RowError] = []
    for row, values in rows:
        cells, bad = _cells(row, values, errors)
        for key in REQUIRED_EVERY_ROW:
            if not cells[key] and key not in bad:
                errors.append(cell_error(row, key, "必填，不能为空"))

        kind = _choice(errors, row, "object_kind", cells["object_kind"], OBJECT_KINDS)
        level = _choice(errors, row, "control_level", cells["control_level"], CONTROL_LEVELS)
        classification = _choice(
            errors, row, "classification", cells["classification"], MEASURE_CLASSES
        )
        unit_choice = _choice(errors, row, "cycle_unit", cells["cycle_unit"], CYCLE_UNITS)
        cycle = _cycle(errors, row, cells["cycle"])
        if cycle is not None and unit_choice is not None:
            cycle_unit, factor = unit_choice
            if cycle * factor > MAX_CYCLE:
                errors.append(
                    cell_error(row, "cycle", f"折算为天后超过 {MAX_CYCLE}，请改用“月”或“年”")
                )
            cycle *= factor
        else:
            cycle_unit = ""
        factors = _factors(errors, row, cells["hazard_factors"])
        assessment = _assessment(errors, row, cells)

        # The object: first row with a type gives it; later rows must agree.
        object_name = cells["object"]
        obj = None
        if object_name:
            obj = plan.objects.setdefault(object_name, ObjectPlan(object_name, row))
            if kind is not None:
                if not obj.kind:
                    obj.kind, obj.kind_row = kind, row
                elif obj.kind != kind:
                    errors.append(
                        cell_error(
                            row,
                            "object_kind",
                            f"与第{obj.kind_row}行同一风险分析对象的类型"
                            f"“{_describe('object_kind', obj.kind)}”不一致",
                        )
                    )

        # The unit: grouped by name, under one object.
        unit_name = cells["unit"]
        if not unit_name or obj is None:
            continue
        unit = plan.units.get(unit_name)
        if unit is None:
            unit = plan.units[unit_name] = UnitPlan(unit_name, object_name, row)
        elif unit.object_name != object_name:
            errors.append(
                cell_error(
                    row,
                    "unit",
                    f"风险分析单元“{unit_name}”已在第{unit.row}行归属于对象“{unit.object_name}”",
                )
            )
            continue
        given = {
            "department": cells["department"] or None,
            "person": cells["person"] or None,
            "control_level": level,
            "hazard_factors": factors if cells["hazard_factors"] else None,  # None: not given
        }
        for key, value in given.items():
            if value is None or key in bad:
                continue
            if key not in unit.values:
                unit.values[key], unit.value_rows[key] = value, row
            elif unit.values[key] != value:
                header = BY_KEY[key].header
                errors.append(
                    cell_error(
                        row,
                        key,
                        f"与第{unit.value_rows[key]}行同一风险分析单元的{header}"
                        f"“{_describe(key, unit.values[key])}”不一致",
                    )
                )
        if assessment is not None:
            if unit.assessment is None:
                unit.assessment, unit.assessment_row = assessment, row
            elif unit.assessment != assessment:
                errors.append(
                    cell_error(
                        row,
                        "method",
                        f"与第{unit.assessment_row}行同一风险分析单元的评估不一致"
                        "（一个单元只能填写一组评估）",
                    )
                )

        event_name = cells["event"]
        if not event_name:
            continue
        event = unit.events.setdefault(event_name, EventPlan(event_name, row))
        if cells["measure"] and classification and cells["check_content"] and cycle_unit:
            event.measures.append(
                MeasurePlan(
                    row=row,
                    description=cells["measure"],
                    classification=classification,
                    check_content=cells["check_content"],
                    check_person=cells["check_person"],
                    cycle=cycle or 0,
                    cycle_unit=cycle_unit,
                )
            )

    # Whole-group checks: every object has a type, every unit its required attributes.
    for obj in plan.objects.values():
        if not obj.kind and not any(
            e.row == obj.row and e.column == BY_KEY["object_kind"].letter for e in errors
        ):
            errors.append(cell_error(obj.row, "object_kind", "必填，不能为空"))
    for unit in plan.units.values():
        for key in ("department", "person", "control_level"):
            if key not in unit.values and not any(
                e.row == unit.row and e.column == BY_KEY[key].letter for e in errors
            ):
                errors.append(cell_error(unit.row, key, "必填，不能为空（该单元的各行都没有填写）"))
    return plan, errors


def check_against_database(plan: Plan, enterprise: Enterprise) -> list[RowError]:
    """What only the database knows: an existing object of the same name is reused when
    of the same type; an existing unit of the same name is refused (importing the same
    file twice must not double the register)."""
    errors: list[RowError] = []
    existing_objects: dict[str, list[RiskObject]] = {}
    for obj in RiskObject.objects.filter(enterprise=enterprise, name__in=list(plan.objects)):
        existing_objects.setdefault(obj.name, []).append(obj)
    installations = dict(
        enterprise.major_hazards.filter(name__in=list(plan.objects)).values_list("name", "pk")
    )
    for name, obj in plan.objects.items():
        same = existing_objects.get(name, [])
        match = next((o for o in same if o.kind == obj.kind), None)
        if match is not None:
            obj.existing_id = match.pk
        elif same and obj.kind:
            errors.append(
                cell_error(
                    obj.kind_row or obj.row,
                    "object_kind",
                    f"本企业已有同名风险分析对象“{name}”，其类型为"
                    f"“{_describe('object_kind', same[0].kind)}”",
                )
            )
        if obj.kind == ObjectKind.MAJOR_HAZARD:
            obj.installation_id = installations.get(name)
    taken = set(
        RiskUnit.objects.filter(enterprise=enterprise, name__in=list(plan.units)).values_list(
            "name", flat=True
        )
    )
    for name in sorted(taken, key=lambda n: plan.units[n].row):
        errors.append(
            cell_error(
                plan.units[name].row,
                "unit",
                f"本企业已有名为“{name}”的风险分析单元，不能重复导入",
            )
        )
    return errors


# --- writing --------------------------------------------------------------------------------

# Service field → column, to place a refusal found only while writing (e.g. a race).
SERVICE_FIELDS = {
    "kind": "object_kind",
    "installation_id": "object",
    "name": None,  # depends on the call
    "risk_object_id": "object",
    "responsible_department": "department",
    "responsible_person": "person",
    "control_level": "control_level",
    "hazard_factors": "hazard_factors",
    "description": "measure",
    "classification": "classification",
    "check_content": "check_content",
    "cycle": "cycle",
    "cycle_unit": "cycle_unit",
    "data_source": "measure",
    "method": "method",
    "L": "f1",
    "M": "f1",
    "E": "f2",
    "C": "f3",
    "S": "f3",
    "profile": "method",
}


def _written(row: int, name_key: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ValidationFailed as exc:
        errors = []
        for name, messages in exc.errors.items():
            key = SERVICE_FIELDS.get(name) or name_key
            if name == "responsible_person" and name_key == "measure":
                key = "check_person"
            for message in messages:
                errors.append(cell_error(row, key, message))
        raise ImportRejected(errors) from exc


def import_risks(
    *, actor: Actor, enterprise_id: int, source: bytes | IO[bytes], filename: str = ""
) -> ImportResult:
    """Check the whole file, then write all of it or nothing. Raises NotFound/Forbidden
    (before the file is read) or ImportRejected (nothing written)."""
    services._enterprise_for_write(actor, enterprise_id)  # 404 / 403 before reading
    filename = "".join(ch for ch in filename if ch.isprintable())[:200]
    plan, errors = plan_rows(read_rows(source))
    counts = dict.fromkeys(("objects", "units", "events", "measures", "assessments"), 0)
    with transaction.atomic():
        # One import at a time per enterprise, so two uploads of the same file cannot both
        # pass the "unit already exists" check.
        enterprise = Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise_id)
        errors += check_against_database(plan, enterprise)
        if errors:
            raise ImportRejected(errors)
        object_ids: dict[str, int] = {}
        for obj in plan.objects.values():
            if obj.existing_id is not None:
                object_ids[obj.name] = obj.existing_id
                continue
            created = _written(
                obj.row,
                "object",
                lambda obj=obj: services.risk_object_create(
                    actor=actor,
                    enterprise_id=enterprise.pk,
                    kind=obj.kind,
                    name=obj.name,
                    installation_id=obj.installation_id,
                ),
            )
            object_ids[obj.name] = created.pk
            counts["objects"] += 1
        for unit in plan.units.values():
            data = {
                "name": unit.name,
                "risk_object_id": object_ids[unit.object_name],
                "responsible_department": unit.values["department"],
                "responsible_person": unit.values["person"],
                "control_level": unit.values["control_level"],
                "hazard_factors": list(unit.values.get("hazard_factors", ())),
            }
            created_unit = _written(
                unit.row,
                "unit",
                lambda data=data: services.risk_unit_create(
                    actor=actor, enterprise_id=enterprise.pk, data=data
                ),
            )
            counts["units"] += 1
            if unit.assessment is not None:
                method, inputs = unit.assessment
                _written(
                    unit.assessment_row or unit.row,
                    "method",
                    lambda u=created_unit, m=method, i=inputs: services.risk_unit_assess(
                        actor=actor,
                        unit_id=u.pk,
                        method=m,
                        inputs=i,
                        note=f"Excel 导入{('：' + filename) if filename else ''}"[:255],
                    ),
                )
                counts["assessments"] += 1
            for event in unit.events.values():
                created_event = _written(
                    event.row,
                    "event",
                    lambda u=created_unit, e=event: services.risk_event_create(
                        actor=actor, unit_id=u.pk, name=e.name
                    ),
                )
                counts["events"] += 1
                for measure in event.measures:
                    _written(
                        measure.row,
                        "measure",
                        lambda ev=created_event, m=measure: services.control_measure_create(
                            actor=actor,
                            event_id=ev.pk,
                            data={
                                "description": m.description,
                                "classification": m.classification,
                                "check_content": m.check_content,
                                "responsible_person": m.check_person,
                                "cycle": m.cycle,
                                "cycle_unit": m.cycle_unit,
                            },
                        ),
                    )
                    counts["measures"] += 1
        result = ImportResult(check_tasks=counts["measures"], **counts)
        audit_append(
            actor=actor,
            action="import",
            obj=enterprise,
            summary=f"风险管控清单导入 {filename}".strip()[:255],
            changes={"file": filename[:255], "rows": plan.rows, **result.as_dict()},
        )
    return result


__all__ = [
    "COLUMNS",
    "HEADERS",
    "MAX_ROWS",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "import_risks",
    "plan_rows",
    "read_rows",
]
