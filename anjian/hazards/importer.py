"""Excel import of an existing hazard ledger (隐患台账), from the template built here.

One row per hazard. Every row is checked first and EVERY problem is reported with its row
number, column letter and header ("第5行 H列（治理类型）：应为 立即整改/限期整改 之一"); a file
with any bad row writes nothing (no hazard, no event, no audit entry, no number taken).
A good file is written in one transaction: each hazard gets a number of the platform
(services.allocate_number, per county and year of the found date), its imported state,
and a first event (action ``import``) that keeps the legacy number and the sheet row; one
audit entry records the import with every hazard's id, number and legacy number; the
safety codes of the enterprises concerned are recomputed on commit. A legacy number
already imported for the same enterprise is refused, so the same ledger cannot be
imported twice.

States of the file (the words enterprises' ledgers use) → workflow states:
  未整改        → fixes_set when all five fixes are given (and the hazard is general), else
                  reported (a major hazard starts its path: expert, listing …)
  整改中        → rectifying (five fixes required)
  已整改待验收  → submitted (five fixes required)
  已验收销号    → closed (acceptor and acceptance date required; five fixes too unless
                  the hazard was fixed on the spot)

The template and the messages are Chinese, the language of the ledgers being imported.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping, sheets, xlsx
from anjian.core.audit import Actor, audit_append
from anjian.registry.models import Enterprise
from anjian.registry.uscc import validate as validate_uscc
from anjian.reports import tally_services
from anjian.risks.services import _after_commit_recompute

from . import reference, services
from . import workflow as wf
from .ledger_excel import CATEGORY_ZH, HANDLING_ZH, LEVEL_ZH, SOURCE_ZH, TYPE_ZH
from .models import Hazard, HazardCounter, HazardEvent, MajorBasis

logger = logging.getLogger(__name__)

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
MAX_SCANNED_ROWS = 50_000
SHEET_NAME = "隐患台账"
HELP_SHEET_NAME = "填写说明"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "隐患台账导入模板.xlsx"
IMPORT_ACTION = "import"

# The four states of an imported ledger.
OPEN, RECTIFYING, SUBMITTED, CLOSED = "未整改", "整改中", "已整改待验收", "已验收销号"
STATES = (OPEN, RECTIFYING, SUBMITTED, CLOSED)


def _reverse(table: dict[str, str]) -> dict[str, str]:
    return {label: value for value, label in table.items()}


CHOICES: dict[str, dict[str, str]] = {
    "source": _reverse(SOURCE_ZH),
    "hazard_type": _reverse(TYPE_ZH),
    "category": _reverse(CATEGORY_ZH),
    "level": _reverse(LEVEL_ZH),
    "handling": _reverse(HANDLING_ZH),
    "state": {s: s for s in STATES},
}
# Spellings people type for the same values; the lists above are what the template offers.
ALIASES: dict[str, dict[str, str]] = {
    "source": {"自查": "企业自查", "举报": "群众举报", "政府执法检查": "政府检查"},
    "hazard_type": {"安全类": "安全", "设备类": "设备", "电气类": "电气", "消防类": "消防"},
    "category": {"人的因素": "人的不安全行为", "物的因素": "物的不安全状态", "管理因素": "管理缺陷"},
    "level": {"一般": "一般事故隐患", "重大": "重大事故隐患", "一般隐患": "一般事故隐患",
              "重大隐患": "重大事故隐患"},
    "handling": {"即查即改": "立即整改", "现场整改": "立即整改", "当场整改": "立即整改"},
    "state": {"待验收": "已整改待验收", "已销号": "已验收销号", "已验收": "已验收销号",
              "未整改完成": "未整改"},
}  # fmt: skip


Column = sheets.Column
_letter = sheets.letter


def _one_of(key: str) -> str:
    return "应为 " + "/".join(CHOICES[key]) + " 之一。"


def _columns() -> tuple[Column, ...]:
    spec = [
        ("legacy_number", "原隐患编号", False, 64, "原台账中的编号；导入后另编本平台编号，原编号保留在记录中。同一文件内不能重复。"),
        ("uscc", "统一社会信用代码", True, 18, "隐患所属企业的 18 位统一社会信用代码；须在您的管辖范围内（企业用户只能导入本企业）。"),
        ("enterprise_name", "企业名称", False, 128, "可不填；填写时须与登记的企业名称一致。"),
        ("source", "隐患来源", True, None, _one_of("source")),
        ("hazard_type", "隐患类型", True, None, _one_of("hazard_type")),
        ("category", "隐患类别", True, None, _one_of("category")),
        ("level", "隐患等级", True, None, _one_of("level")),
        ("handling", "治理类型", True, None, _one_of("handling") + "重大事故隐患不能立即整改。"),
        ("description", "隐患描述", True, services.TEXT_LIMIT, "隐患的具体情况。"),
        ("cause", "隐患原因", False, services.TEXT_LIMIT, "可不填。"),
        ("location", "隐患位置", True, 255, "隐患所在的部位、场所或装置。"),
        ("found_on", "发现日期", True, None, "日期，如 2025-03-18；不能晚于今天。"),
        ("major_item", "判定标准条目", False, 32, "重大事故隐患所依据的判定标准条目编号（见“填写说明”），如 hc2017-12。"),
        ("major_reason", "判定理由", False, services.TEXT_LIMIT, "重大事故隐患未对应判定标准条目时，填写判定理由。"),
        ("owner", "整改责任人", False, 64, "五定之一：整改责任人。"),
        ("measures", "整改措施", False, services.TEXT_LIMIT, "五定之一：整改措施。"),
        ("funds", "整改资金(元)", False, None, "五定之一：整改资金，单位元，不小于 0，最多两位小数；无需资金填 0。"),
        ("deadline", "整改期限", False, None, "五定之一：整改期限（日期），不能早于发现日期。"),
        ("contingency_plan", "应急预案", False, services.TEXT_LIMIT, "五定之一：整改期间的应急预案或防范措施。"),
        ("state", "隐患状态", True, None, _one_of("state")),
        ("acceptor", "验收人", False, 64, "隐患状态为“已验收销号”时必填。"),
        ("accepted_on", "验收日期", False, None, "隐患状态为“已验收销号”时必填；不能早于发现日期、不能晚于今天。"),
        ("accept_comment", "验收意见", False, services.TEXT_LIMIT, "可不填。"),
    ]  # fmt: skip
    return tuple(
        Column(key, header, _letter(i), required, limit, text)
        for i, (key, header, required, limit, text) in enumerate(spec)
    )


COLUMNS = _columns()
HEADERS = tuple(c.header for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
FIVE_FIXES = ("owner", "measures", "funds", "deadline", "contingency_plan")
ACCEPTANCE = ("acceptor", "accepted_on", "accept_comment")


# --- errors ---------------------------------------------------------------------------------


RowError = sheets.RowError
file_error = sheets.file_error
ImportRejected = sheets.ImportRejected


def cell_error(row: int, key: str, text: str) -> RowError:
    return sheets.cell_error(BY_KEY[key], row, text)


@dataclass
class ImportResult:
    filename: str
    created: int
    by_state: dict[str, int]
    enterprises: int
    hazards: list[tuple[int, str, str]] = field(default_factory=list)  # (id, number, legacy)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "created": self.created,
            "by_state": self.by_state,
            "enterprises": self.enterprises,
            "hazards": [{"id": i, "number": n, "legacy_number": lg} for i, n, lg in self.hazards],
        }


# --- reading --------------------------------------------------------------------------------

FORMAT = sheets.SheetFormat(
    columns=COLUMNS,
    sheet_name=SHEET_NAME,
    empty_message="表格中没有数据行：请从第2行起每行填写一条隐患。",
    keep_line_breaks=True,
    max_rows=MAX_ROWS,
    max_bytes=MAX_BYTES,
    max_scanned_rows=MAX_SCANNED_ROWS,
)


_SPACES = re.compile(r"[\r\n\t]+")


def _text(value: Any) -> str | None:
    return sheets.cell_text(value, keep_line_breaks=True)


def read_rows(source: bytes | IO[bytes]) -> list[tuple[int, tuple[Any, ...]]]:
    """The data rows as (Excel row number, cell values), blank rows left out."""
    return sheets.read_rows(source, FORMAT)


# --- checking a row -------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: an Excel date, an Excel serial number or text in the usual
    spellings (2025-03-18, 2025/3/18, 2025.3.18, 2025年3月18日, 20250318). Raises
    ValueError when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:
            raise ValueError(value)
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if " " in text:
        text = text.split(" ", 1)[0]  # "2025-03-18 00:00:00"
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            y, m, d = (int(g) for g in match.groups())
            return dt.date(y, m, d)
    raise ValueError(value)


def parse_funds(value: Any) -> decimal.Decimal:
    """An amount in yuan: a number, or text with optional thousands separators and 元."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | decimal.Decimal):
        amount = decimal.Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        text = text.removesuffix("元").strip()
        amount = decimal.Decimal(text)
    if not amount.is_finite():
        raise ValueError(value)
    return amount


@dataclass
class RowPlan:
    row: int
    enterprise: Enterprise
    legacy_number: str
    fields: dict[str, Any]
    state: str  # workflow state
    file_state: str
    acceptor: str
    found_on: dt.date
    accepted_on: dt.date | None


def _choice(errors: list[RowError], row: int, key: str, text: str) -> str | None:
    if not text:
        return None
    normal = re.sub(r"\s+", "", text)
    normal = ALIASES.get(key, {}).get(normal, normal)
    table = CHOICES[key]
    if normal in table:
        return table[normal]
    errors.append(cell_error(row, key, f"应为 {'/'.join(table)} 之一，实际为“{text}”"))
    return None


def _cells(
    row: int, values: tuple[Any, ...], errors: list[RowError]
) -> tuple[dict[str, str], set[str]]:
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
        if column.limit is not None and column.key not in (
            "description",
            "cause",
            "measures",
            "contingency_plan",
            "major_reason",
            "accept_comment",
        ):
            text = _SPACES.sub(" ", text)  # single-line fields
        cells[column.key] = text
    return cells, bad


class Checker:
    """Checks rows against the file so far and what the actor may import."""

    def __init__(self, actor: Actor, today: dt.date):
        self.actor = actor
        self.today = today
        self.latest_deadline = services.latest_deadline(today)
        self.enterprises: dict[str, Enterprise] = {}
        self.allowed: dict[int, bool] = {}
        self.legacy_rows: dict[str, int] = {}
        # (enterprise id, legacy number) → row, for every row naming both, good or not:
        # checked against earlier imports so that a file's every problem is reported.
        self.legacy_keys: dict[tuple[int, str], int] = {}

    def load_enterprises(self, codes: set[str]) -> None:
        user = self.actor.user
        for ent in scoping.visible_enterprises(user).filter(uscc__in=sorted(codes)):
            self.enterprises[ent.uscc] = ent

    def may_import(self, enterprise: Enterprise) -> bool:
        if enterprise.pk not in self.allowed:
            mine = services.parties(self.actor.user, enterprise)
            self.allowed[enterprise.pk] = bool(mine & {wf.ENTERPRISE_MANAGER, wf.INSPECTOR})
        return self.allowed[enterprise.pk]

    def _date(self, errors: list[RowError], row: int, key: str, raw: Any, text: str):
        if not text:
            return None
        try:
            day = parse_date(raw)
        except (ValueError, TypeError, OverflowError):
            errors.append(cell_error(row, key, f"应为日期（如 2025-03-18），实际为“{text}”"))
            return None
        if day < services.EARLIEST_DATE:
            errors.append(
                cell_error(row, key, f"日期不能早于 {services.EARLIEST_DATE.isoformat()}")
            )
            return None
        if day > self.latest_deadline:
            # Deadlines are bounded by the local policy; no other date may lie beyond it.
            errors.append(cell_error(row, key, f"日期不能晚于 {self.latest_deadline.isoformat()}"))
            return None
        return day

    def check(self, row: int, values: tuple[Any, ...], errors: list[RowError]) -> RowPlan | None:
        before = len(errors)
        cells, bad = _cells(row, values, errors)
        raw = dict(zip((c.key for c in COLUMNS), values, strict=True))
        for column in COLUMNS:
            if column.required and not cells[column.key] and column.key not in bad:
                errors.append(cell_error(row, column.key, "必填，不能为空"))

        legacy = cells["legacy_number"]
        if legacy and "legacy_number" not in bad:
            first = self.legacy_rows.setdefault(legacy, row)
            if first != row:
                errors.append(
                    cell_error(row, "legacy_number", f"与第{first}行的原隐患编号“{legacy}”重复")
                )

        enterprise = None
        code = unicodedata.normalize("NFKC", cells["uscc"]).strip().upper()
        if code and "uscc" not in bad:
            enterprise = self.enterprises.get(code)
            checked = validate_uscc(code) if enterprise is None else None
            if checked is not None and not checked.valid:
                # A mistyped code is not somebody else's enterprise: say what is wrong
                # with it (a registered code is trusted as registered, valid or not).
                errors.append(
                    cell_error(
                        row, "uscc", f"“{code}”不是有效的统一社会信用代码：{checked.reason()}"
                    )
                )
            elif enterprise is None:
                user = self.actor.user
                if getattr(user, "role", "") in ENTERPRISE_ROLES:
                    text = f"“{code}”不是本企业的统一社会信用代码：企业用户只能导入本企业的隐患"
                else:
                    text = f"“{code}”不是您管辖范围内的企业（或未登记）"
                errors.append(cell_error(row, "uscc", text))
            elif not self.may_import(enterprise):
                errors.append(
                    cell_error(
                        row,
                        "uscc",
                        "您无权为该企业导入隐患（限企业主要负责人、安全管理人员和属地监管人员）",
                    )
                )
                enterprise = None
        if enterprise is not None and legacy and "legacy_number" not in bad:
            self.legacy_keys.setdefault((enterprise.pk, legacy), row)
        name = cells["enterprise_name"]
        if enterprise is not None and name and name != enterprise.name:
            errors.append(
                cell_error(
                    row,
                    "enterprise_name",
                    f"与统一社会信用代码登记的企业名称“{enterprise.name}”不一致",
                )
            )

        chosen = {key: _choice(errors, row, key, cells[key]) for key in CHOICES}
        level, handling, file_state = chosen["level"], chosen["handling"], chosen["state"]
        if level == wf.MAJOR and handling == wf.ON_SPOT:
            errors.append(cell_error(row, "handling", "重大事故隐患不能立即整改，应为“限期整改”"))

        found_on = self._date(errors, row, "found_on", raw["found_on"], cells["found_on"])
        if found_on is not None and found_on > self.today:
            errors.append(cell_error(row, "found_on", "发现日期不能晚于今天"))
            found_on = None

        citation: dict[str, Any] = {}
        item_id = cells["major_item"]
        if item_id and "major_item" not in bad:
            item = reference.item(item_id.strip().lower())
            if item is None:
                errors.append(
                    cell_error(row, "major_item", f"未知的判定标准条目“{item_id}”（见填写说明）")
                )
            elif level == wf.GENERAL:
                errors.append(
                    cell_error(
                        row,
                        "major_item",
                        "一般事故隐患不填写判定标准条目；如属重大事故隐患，请改隐患等级",
                    )
                )
            else:
                citation = item.citation()
        reason = cells["major_reason"]
        if level == wf.MAJOR and not item_id and not reason:
            errors.append(cell_error(row, "major_item", "重大事故隐患应填写判定标准条目或判定理由"))
        if level == wf.GENERAL and reason:
            errors.append(cell_error(row, "major_reason", "一般事故隐患不填写判定理由"))

        funds = None
        if cells["funds"] and "funds" not in bad:
            try:
                funds = parse_funds(raw["funds"])
            except (ValueError, decimal.InvalidOperation):
                errors.append(cell_error(row, "funds", f"应为金额（元），实际为“{cells['funds']}”"))
            else:
                if funds < 0:
                    errors.append(cell_error(row, "funds", "不能为负数"))
                    funds = None
                elif funds != funds.quantize(decimal.Decimal("0.01")):
                    errors.append(cell_error(row, "funds", "最多两位小数"))
                    funds = None
                elif funds > services.MAX_FUNDS:
                    errors.append(cell_error(row, "funds", f"不能超过 {services.MAX_FUNDS}"))
                    funds = None
        deadline = self._date(errors, row, "deadline", raw["deadline"], cells["deadline"])
        if deadline is not None and found_on is not None and deadline < found_on:
            errors.append(cell_error(row, "deadline", "整改期限不能早于发现日期"))

        needs_fixes = file_state in (RECTIFYING, SUBMITTED) or (
            file_state == CLOSED and handling == wf.BY_DEADLINE
        )
        if needs_fixes:
            label = {v: k for k, v in CHOICES["state"].items()}.get(file_state, file_state)
            for key in FIVE_FIXES:
                if not cells[key] and key not in bad:
                    errors.append(
                        cell_error(row, key, f"隐患状态为“{label}”的限期整改隐患必填（五定）")
                    )

        accepted_on = self._date(
            errors, row, "accepted_on", raw["accepted_on"], cells["accepted_on"]
        )
        if file_state == CLOSED:
            for key in ("acceptor", "accepted_on"):
                if not cells[key] and key not in bad:
                    errors.append(cell_error(row, key, "隐患状态为“已验收销号”时必填"))
            if accepted_on is not None:
                if accepted_on > self.today:
                    errors.append(cell_error(row, "accepted_on", "验收日期不能晚于今天"))
                elif found_on is not None and accepted_on < found_on:
                    errors.append(cell_error(row, "accepted_on", "验收日期不能早于发现日期"))
        elif file_state is not None:
            for key in ACCEPTANCE:
                if cells[key]:
                    errors.append(
                        cell_error(
                            row,
                            key,
                            "隐患尚未验收销号，不应填写验收信息（或将隐患状态改为“已验收销号”）",
                        )
                    )

        if len(errors) > before or enterprise is None or found_on is None:
            return None
        complete = all(cells[k] for k in FIVE_FIXES)
        state = {
            OPEN: wf.FIXES_SET if complete and level == wf.GENERAL else wf.REPORTED,
            RECTIFYING: wf.RECTIFYING,
            SUBMITTED: wf.SUBMITTED,
            CLOSED: wf.CLOSED,
        }[file_state]
        major_basis = ""
        if level == wf.MAJOR:
            major_basis = MajorBasis.LIST_ITEM if citation else MajorBasis.DECISION
        return RowPlan(
            row=row,
            enterprise=enterprise,
            legacy_number=legacy,
            file_state=file_state,
            state=state,
            acceptor=cells["acceptor"],
            found_on=found_on,
            accepted_on=accepted_on,
            fields={
                "source": chosen["source"],
                "hazard_type": chosen["hazard_type"],
                "category": chosen["category"],
                "level": level,
                "handling": handling,
                "description": cells["description"],
                "cause": cells["cause"],
                "location": cells["location"],
                "major_basis": major_basis,
                "major_item": citation,
                "major_reason": reason if level == wf.MAJOR else "",
                "liable_person": cells["owner"],
                "measures": cells["measures"],
                "funds": funds.quantize(decimal.Decimal("0.01")) if funds is not None else None,
                "deadline": deadline,
                "contingency_plan": cells["contingency_plan"],
                "accept_comment": cells["accept_comment"],
            },
        )


def plan_rows(
    actor: Actor, rows: list[tuple[int, tuple[Any, ...]]], today: dt.date
) -> tuple[list[RowPlan], list[RowError]]:
    checker = Checker(actor, today)
    uscc = BY_KEY["uscc"]
    index = COLUMNS.index(uscc)
    codes = {
        unicodedata.normalize("NFKC", _text(values[index]) or "").strip().upper()
        for _, values in rows
    }
    checker.load_enterprises({c for c in codes if c})
    errors: list[RowError] = []
    plans = []
    for row, values in rows:
        plan = checker.check(row, values, errors)
        if plan is not None:
            plans.append(plan)
    errors += already_imported(checker.legacy_keys)
    return plans, errors


# --- writing --------------------------------------------------------------------------------


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _clean_filename(filename: str) -> str:
    name = "".join(ch for ch in filename if ch.isprintable())
    return name.replace("\\", "/").rsplit("/", 1)[-1][:200]


def already_imported(keys: dict[tuple[int, str], int]) -> list[RowError]:
    """Rows whose legacy number was imported before for the same enterprise
    ({(enterprise id, legacy number): row}): importing a ledger twice must not double it."""
    wanted = dict(keys)
    if not wanted:
        return []
    found = (
        HazardEvent.objects.filter(
            action=IMPORT_ACTION,
            hazard__enterprise_id__in={e for e, _n in wanted},
            data__legacy_number__in=sorted({n for _e, n in wanted}),
        )
        .values_list("hazard__enterprise_id", "data__legacy_number", "hazard__number")
        .order_by("hazard_id")
    )
    errors = []
    for enterprise_id, legacy, number in found:
        row = wanted.pop((enterprise_id, legacy), None)
        if row is not None:
            errors.append(
                cell_error(
                    row,
                    "legacy_number",
                    f"原隐患编号“{legacy}”已导入过（本平台编号 {number}），不能重复导入",
                )
            )
    return errors


def _numbers(plans: list[RowPlan]) -> list[str]:
    """A number for each row, in row order: per (numbering division, year of the found
    date) the first comes from services.allocate_number (which locks the counter row
    until the transaction ends), the rest of the block follow it and the counter is moved
    past them in one UPDATE, instead of one locked round trip per row."""
    divisions: dict[int, Any] = {}
    groups: dict[tuple[int, int], list[int]] = {}
    for index, plan in enumerate(plans):
        ent = plan.enterprise
        if ent.pk not in divisions:
            divisions[ent.pk] = services._numbering_division(ent)
        groups.setdefault((divisions[ent.pk].pk, plan.found_on.year), []).append(index)
    by_pk = {d.pk: d for d in divisions.values()}
    out = [""] * len(plans)
    for (division_id, year), indexes in groups.items():
        first = services.allocate_number(by_pk[division_id], year)
        prefix, serial = first.rsplit("-", 1)
        start = int(serial)
        for offset, index in enumerate(indexes):
            out[index] = f"{prefix}-{start + offset:0{len(serial)}d}"
        if len(indexes) > 1:
            HazardCounter.objects.filter(division_id=division_id, year=year).update(
                last=F("last") + len(indexes) - 1
            )
    return out


def hazards_import(*, actor: Actor, file: bytes | IO[bytes], filename: str = "") -> ImportResult:
    """Check the whole file, then write all of it or nothing (ImportRejected lists every
    problem with its row and column)."""
    filename = _clean_filename(filename or str(getattr(file, "name", "") or ""))
    if not scoping.is_active_user(actor.user):
        raise ImportRejected([file_error("您没有导入隐患台账的权限。")])
    today = timezone.localdate()
    plans, errors = plan_rows(actor, read_rows(file), today)
    if errors:
        raise ImportRejected(errors)
    now = timezone.now()
    user = actor.user
    note = f"导入自 {filename}" if filename else "Excel 导入"
    with transaction.atomic():
        services._check_keys_now()
        # One import at a time per enterprise (rows locked in id order), so two uploads
        # of the same file cannot both pass the "already imported" check.
        enterprise_ids = sorted({p.enterprise.pk for p in plans})
        list(
            Enterprise.objects.select_for_update(no_key=True)
            .filter(pk__in=enterprise_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Checked again under the locks: another upload may have committed meanwhile.
        errors = already_imported(
            {(p.enterprise.pk, p.legacy_number): p.row for p in plans if p.legacy_number}
        )
        if errors:
            raise ImportRejected(errors)
        numbers = _numbers(plans)
        hazards: list[Hazard] = []
        for plan, number in zip(plans, numbers, strict=True):
            ent = plan.enterprise
            closed = plan.state == wf.CLOSED
            accepted_at = _at(plan.accepted_on) if closed and plan.accepted_on else None
            comment = plan.fields["accept_comment"]
            if closed and plan.acceptor:
                # The acceptor of a legacy ledger is a name, not a user of the platform.
                comment = f"验收人：{plan.acceptor}。{comment}".rstrip("。") + "。"
            fields = {**plan.fields, "accept_comment": comment}
            hazards.append(
                Hazard(
                    number=number,
                    enterprise=ent,
                    state=plan.state,
                    reported_by=user,
                    reported_at=_at(plan.found_on),
                    accepted_at=accepted_at,
                    closed_at=accepted_at,
                    **fields,
                )
            )
        Hazard.objects.bulk_create(hazards, batch_size=500)
        tally_services.hazard_tally_added(hazards)
        events = []
        for plan, hazard in zip(plans, hazards, strict=True):
            data = {
                "legacy_number": plan.legacy_number,
                "sheet_row": plan.row,
                "file": filename,
                "file_state": plan.file_state,
                "number": hazard.number,
                "found_on": plan.found_on.isoformat(),
                "acceptor": plan.acceptor,
                "accepted_on": plan.accepted_on.isoformat() if plan.accepted_on else None,
                **{
                    k: v
                    for k, v in plan.fields.items()
                    if k not in ("liable_person", "funds", "deadline")
                },
                "owner": plan.fields["liable_person"],
                "funds": str(plan.fields["funds"]) if plan.fields["funds"] is not None else None,
                "deadline": plan.fields["deadline"].isoformat()
                if plan.fields["deadline"]
                else None,
            }
            events.append(
                HazardEvent(
                    hazard=hazard,
                    action=IMPORT_ACTION,
                    from_state="",
                    to_state=plan.state,
                    actor=user,
                    actor_label=actor.label[:128],
                    actor_role=(user.role if user is not None else "")[:32],
                    via=actor.via,
                    at=now,
                    note=note,
                    data=services._jsonable(data),
                )
            )
        HazardEvent.objects.bulk_create(events, batch_size=500)
        listed = [(h.pk, h.number, p.legacy_number) for h, p in zip(hazards, plans, strict=True)]
        by_state = dict(Counter(p.file_state for p in plans))
        audit_append(
            actor=actor,
            action="hazard_import",
            object_type="hazards.hazard",
            object_id=f"{hazards[0].pk}-{hazards[-1].pk}",
            summary=f"隐患台账导入 {filename} {len(hazards)}条".strip()[:255],
            changes={
                "file": filename,
                "rows": len(plans),
                "by_state": by_state,
                "enterprises": enterprise_ids,
                "hazards": [
                    [pk, number, legacy, p.row]
                    for (pk, number, legacy), p in zip(listed, plans, strict=True)
                ],
            },
        )
        for enterprise_id in enterprise_ids:
            _after_commit_recompute(enterprise_id, "hazard_import")
    return ImportResult(
        filename=filename,
        created=len(hazards),
        by_state=by_state,
        enterprises=len(enterprise_ids),
        hazards=listed,
    )


def may_import(user: Any) -> bool:
    """Whether the user may use the import at all (each row's enterprise is checked too):
    the enterprise's principal or safety officer, or a regulator."""
    if not scoping.is_active_user(user):
        return False
    return user.role in (wf.PARTY_ROLES[wf.ENTERPRISE_MANAGER] | wf.PARTY_ROLES[wf.INSPECTOR])


# --- the template ---------------------------------------------------------------------------

EXAMPLE = (
    ("HD-2024-031", "", "", "企业自查", "设备", "物的不安全状态", "一般事故隐患", "限期整改",
     "1号储罐区呼吸阀堵塞", "长期未清理", "1号储罐区", "2024-11-05", "", "", "王工",
     "清理呼吸阀并加装阻火器", "1500", "2024-11-20", "期间每班巡检两次", "已验收销号",
     "李科长", "2024-11-19", "现场验收合格"),
    ("HD-2025-007", "", "", "政府检查", "仪表", "物的不安全状态", "重大事故隐患", "限期整改",
     "液氯储罐区未设置有毒气体检测报警", "设计缺项", "液氯储罐区", "2025-02-11", "hc2017-12",
     "", "张经理", "安装有毒气体检测报警并联锁", "200000", "2025-04-30",
     "配便携式检测仪，每两小时巡检", "整改中", "", "", ""),
    ("", "", "", "企业自查", "安全", "人的不安全行为", "一般事故隐患", "立即整改",
     "动火作业未办理作业票", "", "维修车间", "2025-03-02", "", "", "", "", "", "", "",
     "未整改", "", "", ""),
)  # fmt: skip


def build_template() -> bytes:
    workbook, sheet = sheets.template_workbook(
        COLUMNS,
        sheet_name=SHEET_NAME,
        max_rows=MAX_ROWS,
        widths=dict.fromkeys(("description", "measures", "contingency_plan", "cause"), 30),
        default_width=14,
        lists=CHOICES,
        strict_lists=False,  # the importer also takes the common aliases
    )
    for key in ("found_on", "deadline", "accepted_on"):
        letter = BY_KEY[key].letter
        for row in range(2, 202):
            sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"

    # The sheet is a Chinese document whatever the UI language: the official wording,
    # never the English gloss (text_en) the pages show in English.
    basis: list[tuple[Any, ...]] = [(), ("判定标准条目",), ("编号", "文件", "条款", "内容")]
    basis += [
        (
            item.id,
            item.document,
            item.article if item.whole_article else f"{item.article}第{item.number}项",
            item.text_zh + ("（待核实）" if item.unconfirmed else ""),
        )
        for item in reference.items().values()
    ]
    sheets.template_help(
        workbook.create_sheet(HELP_SHEET_NAME),
        COLUMNS,
        title="隐患台账导入说明",
        rules=(
            "1. 在“隐患台账”工作表中，第1行为表头（请勿修改），从第2行起每行填写一条隐患。",
            f"2. 每个文件最多 {MAX_ROWS} 行。只要有一行有误，整个文件都不会导入，并列出全部错误（行号、列号和原因）。",
            "3. 隐患状态：未整改 / 整改中 / 已整改待验收 / 已验收销号。“整改中”“已整改待验收”须填写五定"
            "（整改责任人、整改措施、整改资金、整改期限、应急预案）；“已验收销号”须填写验收人和验收日期，"
            "限期整改的还须填写五定。",
            "4. 重大事故隐患须填写判定标准条目（下表的编号）或判定理由，且治理类型应为“限期整改”。"
            "导入后仍按重大事故隐患的流程（专家确认、挂牌督办、治理方案、现场审查核销）办理。",
            "5. 每条隐患导入后另编本平台的隐患编号；原编号、所在行号和文件名保留在隐患的第一条记录中。",
            "6. 日期可写作 2025-03-18、2025/3/18 或 2025年3月18日。",
        ),
        tables=basis,
        example_title="填写示例",
        example=EXAMPLE,
        widths={"A": 16, "B": 24, "C": 14, "D": 80},
    )  # fmt: skip
    return xlsx.save(workbook)


__all__ = [
    "COLUMNS",
    "HEADERS",
    "MAX_ROWS",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "build_template",
    "hazards_import",
    "may_import",
    "parse_date",
    "parse_funds",
    "read_rows",
]
