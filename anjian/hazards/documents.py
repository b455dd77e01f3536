"""Word notices for a hazard, built with python-docx (no template engine):

* the rectification document of any hazard, by who issues it: a regulator's order
  (责令限期整改指令书: the department's 文号, its seal line, the appeal rights) when a
  regulator found the hazard or ordered it rectified; otherwise the enterprise's internal
  notice (隐患整改通知单) from its safety office to the person responsible, so that the
  enterprise never notifies itself;
* 重大事故隐患挂牌督办通知书 (listed-supervision notice) for a listed major hazard.

Numbers belong to documents, not hazards: per issuer, kind and year (安澜应急责改〔2026〕1号),
given on first download (HazardDocument, DocumentCounter) and printed again on every
later download with the first date of issue.

The page, fonts and building blocks are anjian.core.wordoc's (A4 with the margins of
GB/T 9704-2012, the title in 宋体 bold, the body in 仿宋 set on every run through
w:rFonts/@w:eastAsia), shared with the enforcement documents of anjian.inspections.

`rectification_notice(hazard)` and `listing_notice(hazard)` only read (an unissued one is
a draft marked 未编号); `notice_download` is what pages and the API call: it checks the
scope, issues (numbers) the document once, builds it and records in the audit trail who
downloaded which numbered document (action ``hazard_notice``).

Legal basis (cited as /work/shared/domain/standards.md gives it):
* 《中华人民共和国安全生产法》（2021）第四十一条 — standards.md A7.2, sourced [S25].
* 《安全生产事故隐患排查治理暂行规定》（国家安全生产监督管理总局令第16号）第十五条 (how a
  hazard is treated; the six parts of a major hazard's plan) — standards.md A7.1, sourced
  [S24]. The articles on 挂牌督办 (第二十条) and the on-site review (第二十三条) are marked
  "from memory / UNCONFIRMED" there, so the listing notice cites 16号令 without an article
  number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.core import wordoc as w
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, NotFound, ValidationFailed
from anjian.registry.models import Department, Division, DutyAssignment, DutyRole

from . import reference
from . import workflow as wf
from .models import DocumentCounter, Handling, Hazard, HazardDocument, HazardEvent, Level, State

CONTENT_TYPE = w.CONTENT_TYPE
TO_BE_SET = w.TO_BE_SET

# standards.md A7.2 [S25]; A7.1 [S24] (article confirmed); see the module docstring.
LAW_ARTICLE_41 = "《中华人民共和国安全生产法》第四十一条"
RULE_16 = "《安全生产事故隐患排查治理暂行规定》（国家安全生产监督管理总局令第16号）"
RULE_16_ART_15 = RULE_16 + "第十五条"

# 16号令 第十五条: the six parts of a major hazard's remediation plan (standards.md A7.1).
PLAN_PARTS_ZH = (
    ("targets", "治理的目标和任务"),
    ("methods", "采取的方法和措施"),
    ("funds_materials", "经费和物资的落实"),
    ("organisation", "负责治理的机构和人员"),
    ("time_limit", "治理的时限和要求"),
    ("safety_measures", "安全措施和应急预案"),
)

LEVEL_ZH = {"general": "一般事故隐患", "major": "重大事故隐患"}
HANDLING_ZH = {"on_spot": "立即整改", "deadline": "限期整改"}


# --- small helpers ----------------------------------------------------------------------


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _funds(value: Any) -> str:
    return TO_BE_SET if value is None else f"{value:,.2f} 元"


def _or_tbd(text: str) -> str:
    return text.strip() or TO_BE_SET


# --- who issues -------------------------------------------------------------------------

# Short forms of the departments in a 文号 (安澜县应急管理局 → 安澜应急…).
KIND_SHORT = {
    "emergency": "应急",
    "public_security": "公安",
    "transport": "交通",
    "housing": "住建",
    "fire": "消防",
    "market": "市监",
    "industry_it": "经信",
    "natural_resources": "自然资源",
    "agriculture": "农业农村",
    "culture_tourism": "文旅",
    "commerce": "商务",
    "education": "教育",
    "health": "卫健",
    "water": "水利",
    "energy": "发改",
    "safety_committee": "安委办",
}
DIVISION_SUFFIXES = ("自治县", "县", "区", "市", "旗", "镇", "乡", "街道")

# Document kinds (HazardDocument.kind) and the word of their 文号.
ORDER = "order"  # 责令限期整改指令书, a regulator's order
INTERNAL = "internal"  # 隐患整改通知单, the enterprise's own notice
LISTING = "listing"  # 重大事故隐患挂牌督办通知书
NUMBER_WORD = {ORDER: "责改", INTERNAL: "隐改", LISTING: "督办"}
TITLES = {
    ORDER: "责令限期整改指令书",
    INTERNAL: "隐患整改通知单",
    LISTING: "重大事故隐患挂牌督办通知书",
}


@dataclass(frozen=True)
class Issuer:
    """Who signs a document: ``kind`` department / committee (a jurisdiction's safety
    committee office) / division / enterprise and the row's id key its numbering;
    ``short`` starts its 文号; ``appeal_to`` is the government an order is appealed to
    ("" when the data does not say, then the notice names it generically)."""

    kind: str
    id: int
    name: str
    short: str
    appeal_to: str = ""

    @property
    def is_regulator(self) -> bool:
        return self.kind != "enterprise"


def _short_place(division: Division) -> str:
    """安澜县 → 安澜; a one-character name keeps its suffix (东县 stays 东县)."""
    for suffix in DIVISION_SUFFIXES:
        if division.name.endswith(suffix) and len(division.name) - len(suffix) >= 2:
            return division.name[: -len(suffix)]
    return division.name


def _government(division: Division | None) -> str:
    return f"{division.name}人民政府" if division is not None else ""


def department_issuer(department: Department) -> Issuer:
    short = KIND_SHORT.get(department.kind)
    return Issuer(
        "department",
        department.pk,
        department.name,
        f"{_short_place(department.division)}{short}" if short else department.name,
        # 行政复议法 (2023) 第二十四条: a county department's act is reviewed by the
        # people's government of its level.
        _government(department.division),
    )


def committee_issuer(division: Division) -> Issuer:
    return Issuer(
        "committee",
        division.pk,
        f"{division.name}安全生产委员会办公室",
        f"{_short_place(division)}安委办",
        _government(division),
    )


def township_issuer(division: Division) -> Issuer:
    """A grid is no legal body: a grid officer's order is the township's, signed by the
    township's people's government (a 街道 by its 办事处, the county's 派出机关) and
    appealed to the county's government above it (行政复议法 2023 第二十四条 (二)(三), as
    read; see the note on article numbers above)."""
    township = division
    while township.level == "grid" and township.parent_id:
        township = township.parent
    name = f"{township.name}办事处" if township.name.endswith("街道") else _government(township)
    return Issuer(
        "division",
        township.pk,
        name,
        _short_place(township),
        _government(township.parent) if township.parent_id else "",
    )


def enterprise_issuer(hazard: Hazard) -> Issuer:
    ent = hazard.enterprise
    return Issuer("enterprise", ent.pk, f"{ent.name}安全管理部门", "")


def _user_issuer(user: Any, enterprise: Any) -> Issuer | None:
    """The body a regulator signs for: an officer their department, a coordinator the
    safety committee office of their division, a grid officer their division, an expert
    the enterprise's lead department (whom they assist, as the review follows it in
    services.authority_of), else the committee office; None for enterprise staff."""
    role = getattr(user, "role", "") if user is not None else ""
    if role == "department_officer" and user.department_id:
        return department_issuer(user.department)
    if role == "coordinator" and user.division_id:
        return committee_issuer(user.division)
    if role == "grid_officer" and user.division_id:
        return township_issuer(user.division)
    if role == "expert":
        lead = (
            DutyAssignment.objects.filter(enterprise=enterprise, role=DutyRole.LEAD)
            .select_related("department__division")
            .order_by("pk")
            .first()
        )
        if lead is not None:
            return department_issuer(lead.department)
        if user.division_id:
            return committee_issuer(user.division)
    return None


def _last_order(hazard: Hazard) -> HazardEvent | None:
    if not hazard.pk:
        return None
    return (
        HazardEvent.objects.filter(hazard=hazard, action=wf.ORDER)
        .select_related("actor__department__division", "actor__division")
        .order_by("-at", "-id")
        .first()
    )


def rectification_issuer(hazard: Hazard) -> tuple[Issuer, HazardEvent | None]:
    """Who issues the rectification document, and the order it follows if any. A
    regulator's order (the last ``order`` step) or a regulator's own find is the
    regulator's 责令限期整改指令书; a hazard the enterprise found itself gets the
    internal notice of its safety office (it must not notify itself)."""
    order = _last_order(hazard)
    if order is not None:
        issuer = _user_issuer(order.actor, hazard.enterprise)
        if issuer is not None:
            return issuer, order
    issuer = _user_issuer(hazard.reported_by, hazard.enterprise)
    if issuer is not None:
        return issuer, None
    return enterprise_issuer(hazard), None


def issuing_body(hazard: Hazard) -> str:
    """The name on the seal line of the rectification document."""
    return rectification_issuer(_related(hazard))[0].name


def listing_issuer(hazard: Hazard) -> Issuer:
    if hazard.listing_department_id:
        return department_issuer(hazard.listing_department)
    return committee_issuer(hazard.listing_division)


def listing_body(hazard: Hazard) -> str:
    if hazard.listing_department_id:
        return hazard.listing_department.name
    if hazard.listing_division_id:
        return f"{hazard.listing_division.name}安全生产委员会办公室"
    return ""  # pragma: no cover - a listed hazard always has one of the two


def is_chinese(text: str) -> bool:
    """True for a Chinese text: it has CJK characters and no more Latin letters than CJK
    ones. Official items quote codes ("GB 50016", "LNG") in Chinese sentences; an English
    gloss quoting a Chinese term ("… involving 两重点一重大") is not Chinese."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return cjk > 0 and latin <= cjk


def item_text_zh(citation: dict[str, Any]) -> str:
    """The official Chinese wording of a cited list item, for a Chinese document whatever
    the UI language. Older citations stored an English gloss as `text`: the citation's
    own Chinese text first (as it read when cited), else the current list's text of the
    same item, else nothing (the citation line is the basis either way)."""
    current = reference.item(str(citation.get("item_id") or ""))
    for text in (
        citation.get("text_zh"),
        current.text_zh if current is not None else "",
        citation.get("text"),
    ):
        if text and is_chinese(str(text)):
            return str(text)
    return ""


def _basis_lines(hazard: Hazard) -> list[str]:
    """The determination basis of a major hazard: the cited list item (as it read when
    cited) and/or the officer's reason."""
    lines = []
    item = hazard.major_item or {}
    if item:
        where = item.get("article") or ""
        # A whole article (工贸 第十四条) has no item number to cite.
        number = "" if item.get("whole_article") else f"第{item.get('number')}项"
        cite = f"《{item.get('title', '')}》（{item.get('document', '')}）{where}{number}"
        if item.get("unconfirmed"):
            cite += "（条款内容待核实）"
        lines.append(cite)
        text = item_text_zh(item)
        if text:
            lines.append(f"“{text}”")
    if hazard.major_reason:
        lines.append(f"判定理由：{hazard.major_reason}")
    return lines or [TO_BE_SET]


# --- the notices --------------------------------------------------------------------------


def _related(hazard: Hazard) -> Hazard:
    return (
        Hazard.objects.select_related(
            "enterprise",
            "enterprise__division",
            "reported_by__department__division",
            "reported_by__division",
            "listing_department__division",
            "listing_division",
        ).get(pk=hazard.pk)
        if hazard.pk
        else hazard
    )


# --- document numbers ---------------------------------------------------------------------


def format_number(kind: str, issuer: Issuer, year: int, serial: int) -> str:
    """<issuer short>责改〔2026〕3号; an enterprise's internal notice has no prefix (it
    is read inside the enterprise)."""
    prefix = issuer.short if issuer.is_regulator else ""
    return f"{prefix}{NUMBER_WORD[kind]}〔{year}〕{serial}号"


def _locked_counter(issuer: Issuer, year: int, kind: str) -> DocumentCounter:
    key = {"issuer_kind": issuer.kind, "issuer_id": issuer.id, "year": year, "kind": kind}
    counter = DocumentCounter.objects.select_for_update().filter(**key).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = DocumentCounter.objects.create(**key, last=0)
        except IntegrityError:
            # Another download created the counter first; wait for it.
            counter = DocumentCounter.objects.select_for_update().get(**key)
    return counter


def issue_document(
    *,
    hazard: Hazard,
    kind: str,
    issuer: Issuer,
    today: dt.date,
    user: Any = None,
    given_number: str = "",
) -> HazardDocument:
    """The document's number and date, given on first issue and kept: a second download
    (even one racing the first) gets the same row. ``given_number`` is a 文号 the
    department typed in its order step: that is its number, ours is not needed."""
    key = {"hazard": hazard, "kind": kind, "issuer_kind": issuer.kind, "issuer_id": issuer.id}
    with transaction.atomic():
        document = HazardDocument.objects.filter(**key).first()
        if document is not None:
            return document
        serial, number = 0, given_number
        if not given_number:
            counter = _locked_counter(issuer, today.year, kind)
            # Looked again once the counter is ours: a racing download of the same
            # notice held it and may have issued the document meanwhile.
            document = HazardDocument.objects.filter(**key).first()
            if document is not None:
                return document
            counter.last += 1
            counter.save(update_fields=["last"])
            serial = counter.last
            number = format_number(kind, issuer, today.year, serial)
        try:
            with transaction.atomic():
                return HazardDocument.objects.create(
                    **key,
                    issuer_name=issuer.name,
                    year=today.year,
                    serial=serial,
                    number=number,
                    issued_on=today,
                    issued_by=user if getattr(user, "pk", None) else None,
                )
        except IntegrityError:
            # A typed number has no counter to queue on: the racing download won.
            return HazardDocument.objects.get(**key)


def issue_for_step(*, hazard: Hazard, action: str, user: Any, today: dt.date) -> None:
    """Number the document a step makes, on the day of the step and in its transaction:
    an order (责令限期整改指令书) is issued when the department orders, a listing notice
    when the hazard is listed; a download later prints that number and date."""
    if action == wf.ORDER:
        issuer, order = rectification_issuer(_related(hazard))
        given = str(order.data.get("document_number") or "").strip() if order else ""
        issue_document(
            hazard=hazard, kind=ORDER, issuer=issuer, today=today, user=user, given_number=given
        )
    elif action == wf.LIST:
        issue_document(
            hazard=hazard, kind=LISTING, issuer=listing_issuer(hazard), today=today, user=user
        )


def _issued(
    hazard: Hazard, kind: str, issuer: Issuer, document: HazardDocument | None, today: dt.date
) -> tuple[str, dt.date]:
    """The number and date to print: the issued document's, else (a preview, nothing
    issued yet) an already issued one's, else an unnumbered draft of today."""
    if document is None and hazard.pk:
        document = HazardDocument.objects.filter(
            hazard=hazard, kind=kind, issuer_kind=issuer.kind, issuer_id=issuer.id
        ).first()
    if document is None:
        return "（未编号）", today
    return document.number, document.issued_on


# --- the notices --------------------------------------------------------------------------

# 《中华人民共和国行政复议法》（2023年修订）第二十条: sixty days from knowing of the act;
# 《中华人民共和国行政诉讼法》第四十六条: six months when suing directly.
# NOT VERIFIED against the 2023 text here: the article numbers of the 2023 revision (第二十条,
# 第二十四条) come from memory; the sixty days match the 1999 text (第九条) that could be read.
APPEAL_DAYS_ZH = "六十日"
SUIT_MONTHS_ZH = "六个月"
# 安全生产法 (2021) 第六十五条第一款第三项: an inspecting department orders the hazards
# it finds eliminated (the workflow cites the same article for the order step).
LAW_ARTICLE_65 = "《中华人民共和国安全生产法》第六十五条"


def appeal_rights(issuer: Issuer) -> str:
    to = issuer.appeal_to or "有管辖权的行政复议机关"
    return (
        f"如不服本指令，可以依法在{APPEAL_DAYS_ZH}内向{to}申请行政复议，"
        f"或者在{SUIT_MONTHS_ZH}内依法向人民法院提起行政诉讼。"
    )


def _hazard_table(doc: Any, hazard: Hazard, found: str, level: str) -> None:
    ent = hazard.enterprise
    w.table(
        doc,
        [
            ("企业名称", ent.name),
            ("统一社会信用代码", ent.uscc),
            ("隐患编号", hazard.number),
            ("发现日期", found),
            ("隐患位置", hazard.location),
            ("隐患描述", hazard.description),
            ("隐患原因", hazard.cause or "—"),
            ("隐患等级", level),
            ("治理类型", HANDLING_ZH.get(hazard.handling, hazard.handling)),
        ],
    )


def _five_fixes_table(doc: Any, hazard: Hazard) -> None:
    w.table(
        doc,
        [
            ("整改责任人", _or_tbd(hazard.liable_person)),
            ("整改措施", _or_tbd(hazard.measures)),
            ("整改资金", _funds(hazard.funds)),
            ("整改期限", w.date_zh(hazard.deadline)),
            ("应急预案", _or_tbd(hazard.contingency_plan)),
        ],
    )


def _deadline_and_result(doc: Any, hazard: Hazard, report_to: str) -> None:
    deadline = hazard.deadline or hazard.listing_deadline
    if deadline:
        when = f"请于{w.date_zh(deadline)}前完成整改。"
    elif hazard.handling == Handling.ON_SPOT:
        when = "请立即整改。"
    else:
        when = f"请立即制定整改方案，明确整改期限，并报送{report_to}。"
    w.para(doc, when, bold_lead="整改期限：")
    if hazard.state == State.CLOSED and hazard.closed_at is not None:
        w.para(
            doc,
            f"本隐患已于{w.date_zh(_local_date(hazard.closed_at))}整改完毕并验收销号（存档副本）。",
            bold_lead="处理结果：",
        )


def rectification_kind(hazard: Hazard) -> str:
    return ORDER if rectification_issuer(_related(hazard))[0].is_regulator else INTERNAL


def rectification_notice(
    hazard: Hazard, *, today: dt.date | None = None, document: HazardDocument | None = None
) -> bytes:
    """The rectification document, by who issues it: a regulator's 责令限期整改指令书
    (its 文号, seal line and the appeal rights) or, for a hazard the enterprise found
    itself, the internal 隐患整改通知单 of its safety office to the person responsible.
    ``document`` is the issued row (number, date); without it a draft is printed."""
    hazard = _related(hazard)
    today = today or timezone.localdate()
    issuer, order = rectification_issuer(hazard)
    if issuer.is_regulator:
        return _order_notice(hazard, issuer, order, document, today)
    return _internal_notice(hazard, issuer, document, today)


def _order_notice(
    hazard: Hazard,
    issuer: Issuer,
    order: HazardEvent | None,
    document: HazardDocument | None,
    today: dt.date,
) -> bytes:
    number, issued_on = _issued(hazard, ORDER, issuer, document, today)
    ent = hazard.enterprise
    title = TITLES[ORDER]
    doc = w.new_document()
    w.title(doc, title)
    w.para(doc, number, align=w.CENTER)
    w.para(doc, f"{ent.name}：")
    found = w.date_zh(_local_date(hazard.reported_at))
    level = LEVEL_ZH.get(hazard.level, hazard.level)
    # Who found it: the regulator on its inspection, or the enterprise (then ordered).
    if _user_issuer(hazard.reported_by, ent) is not None:
        facts = f"{found}，本机关在你单位{hazard.location}发现下列{level}。"
    else:
        facts = f"你单位{hazard.location}存在下列{level}（{found}发现）。"
    w.para(
        doc,
        f"{facts}依据{LAW_ARTICLE_65}和{LAW_ARTICLE_41}，责令你单位按下列要求落实整改责任、"
        "措施、资金、时限和预案，按期完成整改，整改完成后书面报告本机关复查。",
        indent=True,
    )
    if order is not None and order.note.strip():
        w.para(doc, order.note.strip(), bold_lead="整改要求：", indent=True)
    w.heading(doc, "一、隐患情况")
    _hazard_table(doc, hazard, found, level)
    w.heading(doc, "二、整改要求（五定）")
    _five_fixes_table(doc, hazard)
    _deadline_and_result(doc, hazard, "本机关")
    if hazard.level == Level.MAJOR:
        w.para(
            doc,
            "本隐患为重大事故隐患，由你单位主要负责人组织制定并实施治理方案（包括治理的目标和任务、"
            "采取的方法和措施、经费和物资的落实、负责治理的机构和人员、治理的时限和要求、"
            f"安全措施和应急预案），并依照{LAW_ARTICLE_41}及时向负有安全生产监督管理职责的部门"
            "和职工大会或者职工代表大会报告。",
            indent=True,
        )
    w.para(
        doc,
        "整改期间应当采取相应的安全防范措施，防止事故发生；重大事故隐患排除前或者排除过程中"
        "无法保证安全的，应当从危险区域内撤出作业人员。",
        indent=True,
    )
    w.para(doc, f"{LAW_ARTICLE_65}；{LAW_ARTICLE_41}；{RULE_16_ART_15}。", bold_lead="依据：")
    w.para(doc, appeal_rights(issuer), indent=True)
    w.signature(doc, issuer.name, issued_on)
    w.receipt(doc, signer="被检查单位签收人")
    return w.to_bytes(doc, title, number)


def _internal_notice(
    hazard: Hazard, issuer: Issuer, document: HazardDocument | None, today: dt.date
) -> bytes:
    number, issued_on = _issued(hazard, INTERNAL, issuer, document, today)
    ent = hazard.enterprise
    title = TITLES[INTERNAL]
    doc = w.new_document()
    w.title(doc, title)
    w.para(doc, f"编号：{number}", align=w.RIGHT)
    w.para(doc, "（本单位内部使用）", align=w.CENTER)
    owner = hazard.liable_person.strip()
    w.para(doc, f"{owner or '整改责任部门（责任人）'}：")
    found = w.date_zh(_local_date(hazard.reported_at))
    level = LEVEL_ZH.get(hazard.level, hazard.level)
    w.para(
        doc,
        f"{found}，在{hazard.location}发现下列{level}。依据{LAW_ARTICLE_41}和{RULE_16_ART_15}"
        "及本单位隐患排查治理制度，请按下列要求落实整改责任、措施、资金、时限和预案，"
        "按期完成整改并报安全管理部门验收。",
        indent=True,
    )
    w.heading(doc, "一、隐患情况")
    _hazard_table(doc, hazard, found, level)
    w.heading(doc, "二、整改要求（五定）")
    _five_fixes_table(doc, hazard)
    _deadline_and_result(doc, hazard, "安全管理部门")
    if hazard.level == Level.MAJOR:
        w.para(
            doc,
            "本隐患为重大事故隐患，由本单位主要负责人组织制定并实施治理方案（包括治理的目标和任务、"
            "采取的方法和措施、经费和物资的落实、负责治理的机构和人员、治理的时限和要求、"
            f"安全措施和应急预案），并依照{LAW_ARTICLE_41}及时向负有安全生产监督管理职责的部门"
            "和职工大会或者职工代表大会报告。",
            indent=True,
        )
    w.para(
        doc,
        "整改期间应当采取相应的安全防范措施，防止事故发生；整改完成后应当如实记录并向从业人员通报。",
        indent=True,
    )
    w.para(doc, f"{LAW_ARTICLE_41}；{RULE_16_ART_15}。", bold_lead="依据：")
    w.signature(doc, issuer.name, issued_on)
    doc.add_paragraph()
    w.para(doc, "签收人（签字）：________________（整改责任人）    签收日期：______年____月____日")
    w.para(doc, f"抄送：{ent.name}主要负责人")
    return w.to_bytes(doc, title, number)


def _check_listed(hazard: Hazard) -> None:
    if hazard.level != Level.MAJOR or hazard.listed_at is None:
        raise Conflict(
            _("Hazard %(number)s is not listed for supervision, so it has no listing notice.")
            % {"number": hazard.number}
        )


def listing_notice(
    hazard: Hazard, *, today: dt.date | None = None, document: HazardDocument | None = None
) -> bytes:
    """重大事故隐患挂牌督办通知书 for a listed major hazard, numbered by the listing body;
    refused (Conflict) when the hazard has not been listed."""
    hazard = _related(hazard)
    _check_listed(hazard)
    today = today or timezone.localdate()
    ent = hazard.enterprise
    body = listing_body(hazard)
    number, issued_on = _issued(hazard, LISTING, listing_issuer(hazard), document, today)
    listed_on = w.date_zh(_local_date(hazard.listed_at))
    doc = w.new_document()
    w.title(doc, "重大事故隐患挂牌督办通知书")
    w.para(doc, number, align=w.CENTER)
    w.para(doc, f"{ent.name}：")
    w.para(
        doc,
        f"你单位{hazard.location}存在的重大事故隐患（编号 {hazard.number}），依据{RULE_16}"
        f"有关规定，经{body}研究，决定自{listed_on}起对该隐患实行挂牌督办，"
        f"督办期限至{w.date_zh(hazard.listing_deadline)}。",
        indent=True,
    )
    w.heading(doc, "一、隐患基本情况")
    w.table(
        doc,
        [
            ("企业名称", ent.name),
            ("统一社会信用代码", ent.uscc),
            ("隐患编号", hazard.number),
            ("隐患位置", hazard.location),
            ("隐患描述", hazard.description),
            ("挂牌督办单位", body),
            ("挂牌日期", listed_on),
            ("督办期限", w.date_zh(hazard.listing_deadline)),
        ],
    )
    w.heading(doc, "二、判定依据")
    for line in _basis_lines(hazard):
        w.para(doc, line, indent=True)
    w.heading(doc, "三、治理方案")
    plan = hazard.remediation_plan or {}
    w.table(doc, [(label, _or_tbd(str(plan.get(key, "")))) for key, label in PLAN_PARTS_ZH])
    if not any(str(v).strip() for v in plan.values()):
        w.para(
            doc,
            "你单位应当由主要负责人组织制定上述六项内容的治理方案，报送挂牌督办单位。",
            indent=True,
        )
    w.heading(doc, "四、督办要求")
    for n, text in enumerate(
        (
            f"你单位应于{w.date_zh(hazard.listing_deadline)}前完成治理，治理期间落实安全防范和应急措施，"
            "必要时局部或者全部停产停业。",
            "治理完成后，书面报告治理情况，经挂牌督办单位现场审查合格后予以核销。",
            f"依照{LAW_ARTICLE_41}，将重大事故隐患排查治理情况及时向负有安全生产监督管理职责的部门"
            "和职工大会或者职工代表大会报告。",
        ),
        1,
    ):
        w.para(doc, f"{n}. {text}", indent=True)
    w.heading(doc, "五、公告")
    w.para(doc, _or_tbd(hazard.listing_notice), indent=True)
    w.para(doc, f"{RULE_16}；{LAW_ARTICLE_41}。", bold_lead="依据：")
    w.signature(doc, body, issued_on)
    w.receipt(doc)
    return w.to_bytes(doc, "重大事故隐患挂牌督办通知书", number)


NOTICES = ("rectification", "listing")


def notice_title(kind: str, hazard: Hazard) -> str:
    return TITLES[LISTING] if kind == "listing" else TITLES[rectification_kind(hazard)]


def notice_filename(kind: str, hazard: Hazard) -> str:
    return f"{notice_title(kind, hazard)}-{hazard.number}.docx"


def notice_download(
    *, actor: Actor, hazard_id: int, kind: str, today: dt.date | None = None
) -> tuple[Hazard, bytes]:
    """Issue (first time: number it) and build a notice for a hazard in the actor's
    scope, and record in the audit trail who took which copy of which numbered
    document. NotFound outside the scope; Conflict when the listing notice does not
    apply (then nothing is numbered)."""
    if kind not in NOTICES:
        raise ValidationFailed(
            {"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(NOTICES)}]}
        )
    hazard = scoping.visible(actor.user, Hazard).filter(pk=hazard_id).first()
    if hazard is None:
        raise NotFound(_("No such hazard in your scope."))
    hazard = _related(hazard)
    today = today or timezone.localdate()
    with transaction.atomic():
        if kind == "listing":
            _check_listed(hazard)
            issuer, doc_kind, given = listing_issuer(hazard), LISTING, ""
        else:
            issuer, order = rectification_issuer(hazard)
            doc_kind = ORDER if issuer.is_regulator else INTERNAL
            given = ""
            if doc_kind == ORDER and order is not None:
                given = str(order.data.get("document_number") or "").strip()
        document = issue_document(
            hazard=hazard,
            kind=doc_kind,
            issuer=issuer,
            today=today,
            user=actor.user,
            given_number=given,
        )
        build = listing_notice if kind == "listing" else rectification_notice
        content = build(hazard, today=today, document=document)
        audit_append(
            actor=actor,
            action="hazard_notice",
            obj=hazard,
            summary=f"{hazard.number} {TITLES[doc_kind]} {document.number}",
            changes={
                "kind": kind,
                "document": doc_kind,
                "number": hazard.number,
                "document_number": document.number,
                "issuer": issuer.name,
                "bytes": len(content),
            },
        )
    return hazard, content


__all__ = [
    "CONTENT_TYPE",
    "appeal_rights",
    "issue_document",
    "issue_for_step",
    "issuing_body",
    "listing_body",
    "listing_notice",
    "notice_download",
    "notice_filename",
    "notice_title",
    "rectification_notice",
]
