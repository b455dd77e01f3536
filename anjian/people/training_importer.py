"""Excel import of workers, training records and certificates (issue 15 item 5), one
template per kind (anjian.core.sheets, the pattern of anjian.emergency.resource_importer).

All or nothing: every row is checked (the cells here, then the same services as the
forms, inside one transaction) and EVERY problem is reported with its row number and
column letter; a file with any bad row writes nothing. A good file is written through
the services, so each row comes with its audit entry as if entered by hand.

Trainings and certificates name their worker by 居民身份证号码 (or, when he has none
recorded, by name, which must then be unique among the enterprise's workers). The
importer's own enterprise only (its principal and safety officers).

The template and the messages are Chinese: the ledgers imported are Chinese documents.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from anjian.core import sheets
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import idcard, training_services, worker_services
from .models import CertificateKind, TrainingKind, Worker

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 2000
Column = sheets.Column
ImportRejected = sheets.ImportRejected

TRAINING_KINDS = {
    "三级安全教育（公司级）": TrainingKind.INDUCTION_COMPANY,
    "三级安全教育（车间级）": TrainingKind.INDUCTION_WORKSHOP,
    "三级安全教育（班组级）": TrainingKind.INDUCTION_TEAM,
    "年度再培训": TrainingKind.ANNUAL,
    "主要负责人安全培训": TrainingKind.PRINCIPAL,
    "安全生产管理人员培训": TrainingKind.SAFETY_MANAGER,
    "特种作业培训": TrainingKind.SPECIAL_WORK,
    "其他培训": TrainingKind.OTHER,
}
CERTIFICATE_KINDS = {
    "特种作业操作证": CertificateKind.SPECIAL_WORK,
    "主要负责人安全生产知识和管理能力考核合格证明": CertificateKind.PRINCIPAL,
    "安全生产管理人员安全生产知识和管理能力考核合格证明": CertificateKind.SAFETY_MANAGER,
}
YES_NO = {"是": True, "否": False}
WHO_HELP = "职工的居民身份证号码；职工未登记身份证号码时填姓名（须在本企业唯一）。"
DATE_HELP = "日期，例如 2025-03-01。"

SPECS: dict[str, list[tuple[str, str, bool, int | None, str]]] = {
    "workers": [
        ("name", "姓名", True, 64, "职工姓名。"),
        ("id_number", "居民身份证号码", False, 18, "18位，最后一位可为X；按 GB 11643-1999 校验。"),
        ("post", "岗位", False, 64, "例如 操作工、电工。"),
        ("phone", "联系电话", False, 32, "手机号码。"),
        ("hired_on", "入职日期", False, None, DATE_HELP),
    ],
    "trainings": [
        ("worker", "职工身份证号码或姓名", True, 64, WHO_HELP),
        ("kind", "培训类型", True, None, "应为 " + "/".join(TRAINING_KINDS) + " 之一。"),
        ("title", "培训名称", True, 200, "课程或培训班名称。"),
        ("hours", "学时", True, None, "数字，最多一位小数，例如 8 或 1.5。"),
        ("held_on", "培训日期", True, None, DATE_HELP),
        ("provider", "培训机构", False, 120, "组织培训的单位。"),
        ("passed", "考核合格", False, None, "是/否；空着为 是。"),
    ],
    "certificates": [
        ("worker", "持证人身份证号码或姓名", True, 64, WHO_HELP),
        ("kind", "证书类型", True, None, "应为 " + "/".join(CERTIFICATE_KINDS) + " 之一。"),
        (
            "category",
            "作业类别",
            False,
            64,
            "特种作业操作证必填：《特种作业目录》的类别，如 电工作业。",
        ),
        ("item", "操作项目", False, 64, "特种作业操作证必填：如 低压电工作业。"),
        ("number", "证书编号", True, 32, "特种作业操作证的编号即持证人身份证号码。"),
        ("issuer", "发证机关", False, 120, "考核发证机关。"),
        ("issued_on", "初领日期", True, None, DATE_HELP),
        (
            "expires_on",
            "有效期至",
            False,
            None,
            "空着：特种作业操作证6年，考核合格证明3年（未确认的默认值）。",
        ),
        ("review_due", "应复审日期", False, None, "空着：特种作业操作证初领后3年。"),
        ("reviewed_on", "最近复审日期", False, None, DATE_HELP),
        (
            "extended_review",
            "延期复审",
            False,
            None,
            "是/否：连续从事本工种10年以上无违法行为、经发证机关同意每6年复审一次。",
        ),
    ],
}
SHEET_NAMES = {"workers": "职工", "trainings": "培训记录", "certificates": "证书"}
FILENAMES = {
    "workers": "职工导入模板.xlsx",
    "trainings": "培训记录导入模板.xlsx",
    "certificates": "证书导入模板.xlsx",
}
EXAMPLES = {
    "workers": [("王五", "11010519491231002X", "操作工", "13800000001", "2025-03-01")],
    "trainings": [
        (
            "11010519491231002X",
            "三级安全教育（公司级）",
            "公司级安全教育",
            24,
            "2025-03-02",
            "本公司",
            "是",
        )
    ],
    "certificates": [
        (
            "11010519491231002X",
            "特种作业操作证",
            "电工作业",
            "低压电工作业",
            "11010519491231002X",
            "东县应急管理局",
            "2024-05-01",
            "",
            "",
            "",
            "否",
        )
    ],
}
KINDS = tuple(SPECS)


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


def build_template(kind: str) -> bytes:
    cols = columns(kind)
    lists: dict[str, list[str]] = {}
    if kind == "trainings":
        lists = {"kind": list(TRAINING_KINDS), "passed": list(YES_NO)}
    if kind == "certificates":
        lists = {"kind": list(CERTIFICATE_KINDS), "extended_review": list(YES_NO)}
    workbook, _sheet = sheets.template_workbook(
        cols,
        sheet_name=SHEET_NAMES[kind],
        max_rows=MAX_ROWS,
        widths={"name": 14, "id_number": 22, "worker": 22, "number": 22, "kind": 26},
        default_width=14,
        lists=lists,
    )
    help_sheet = workbook.create_sheet("填写说明")
    tables: list[tuple[Any, ...]] = []
    if kind == "certificates":
        tables = [(), ("特种作业目录（作业类别、操作项目）",)] + [
            (category, "、".join(items))
            for category, items in training_services.catalogue().items()
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


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "created": self.created}


class _Rows:
    def __init__(self, kind: str):
        self.kind = kind
        self.cols = {c.key: c for c in columns(kind)}
        self.errors: list[sheets.RowError] = []

    def error(self, row: int, key: str, text: str) -> None:
        self.errors.append(sheets.cell_error(self.cols[key], row, text))

    def from_service(self, row: int, exc: ValidationFailed, fallback: str) -> None:
        for name, messages in exc.errors.items():
            key = name if name in self.cols else fallback
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
        tables = {"trainings": TRAINING_KINDS, "certificates": CERTIFICATE_KINDS}
        if self.kind in tables and out.get("kind"):
            table = tables[self.kind]
            if out["kind"] in table:
                out["kind"] = str(table[out["kind"]])
            elif out["kind"] not in table.values():
                self.error(number, "kind", f"应为 {'/'.join(table)} 之一，实际为“{out['kind']}”")
        for key in ("passed", "extended_review"):
            if key in out:
                if out[key] == "":
                    out.pop(key)
                elif out[key] in YES_NO:
                    out[key] = YES_NO[out[key]]
                else:
                    self.error(number, key, f"应为 是/否，实际为“{out[key]}”")
                    out.pop(key)
        return out


def _worker(rows: _Rows, number: int, enterprise_id: int, who: str) -> Worker | None:
    if not who:
        rows.error(number, "worker", "必填")
        return None
    workers = Worker.objects.filter(enterprise_id=enterprise_id)
    key = idcard.normalise(who)
    found = list(workers.filter(id_number=key)[:2]) if len(key) == 18 else []
    if not found:
        found = list(workers.filter(name=who)[:2])
    if len(found) == 1:
        return found[0]
    rows.error(
        number,
        "worker",
        f"本企业没有身份证号码或姓名为“{who}”的职工"
        if not found
        else f"姓名“{who}”不唯一，请填身份证号码",
    )
    return None


def import_people(
    *, actor: Actor, kind: str, source: bytes | IO[bytes], filename: str = ""
) -> ImportResult:
    """Check the whole file, then write all of it or nothing. Raises Forbidden (before the
    file is read), NotFound (unknown kind) or ImportRejected (nothing written)."""
    if kind not in SPECS:
        raise NotFound("unknown import kind")
    user = actor.user
    if not worker_services.may_add(user):
        raise Forbidden("只有企业主要负责人、安全管理人员可以导入职工、培训记录和证书。")
    parsed = sheets.read_rows(source, sheet_format(kind))
    rows = _Rows(kind)
    created = 0
    with transaction.atomic():
        for number, cells in parsed:
            before = len(rows.errors)
            data = rows.data(number, cells)
            if len(rows.errors) > before:
                continue
            try:
                if kind == "workers":
                    data = {k: v for k, v in data.items() if v != ""}
                    worker_services.worker_create(actor=actor, data=data)
                else:
                    worker = _worker(rows, number, user.enterprise_id, data.pop("worker"))
                    if worker is None:
                        continue
                    data = {k: v for k, v in data.items() if v != ""}
                    if kind == "trainings":
                        training_services.training_create(
                            actor=actor, worker_id=worker.pk, data=data
                        )
                    else:
                        training_services.certificate_create(
                            actor=actor, worker_id=worker.pk, data=data
                        )
                created += 1
            except ValidationFailed as exc:
                rows.from_service(number, exc, "name" if kind == "workers" else "worker")
            except (Conflict, Forbidden, NotFound) as exc:
                rows.error(number, "name" if kind == "workers" else "worker", str(exc))
        if rows.errors:
            raise ImportRejected(rows.errors)  # inside the transaction: all rolled back
    return ImportResult(kind, created)
