"""Word notices for a hazard, built with python-docx (no template engine):

* 隐患整改通知书 (rectification notice) for any hazard;
* 重大事故隐患挂牌督办通知书 (listed-supervision notice) for a listed major hazard.

A4 with the margins of GB/T 9704-2012 (official documents: top 37 mm, bottom 35 mm, left
28 mm, right 26 mm), the title in 宋体 bold, the body in 仿宋 (the east-Asian font is set on
every run through w:rFonts/@w:eastAsia, so Word does not fall back to a Latin font).

`rectification_notice(hazard)` and `listing_notice(hazard)` only read the hazard (pure but
for the related rows they follow); `notice_download` is what pages and the API call: it
checks the scope, builds the notice and records in the audit trail who downloaded which
notice (action ``hazard_notice``).

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
import io
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, NotFound, ValidationFailed

from . import reference
from .models import Handling, Hazard, Level, State

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "宋体"  # 方正小标宋 is the official face but is rarely installed; 宋体 is
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(14)  # 四号: the notices carry tables; 三号 (16 pt) makes them run over
TABLE_SIZE = Pt(12)  # 小四
TO_BE_SET = "（待落实）"

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


def _fonts(run: Any, *, east_asia: str = BODY_FONT, size: Pt | None = None, bold=False) -> None:
    run.font.name = LATIN_FONT
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), east_asia)
    if size is not None:
        run.font.size = size
    run.font.bold = bold or None


def _document() -> Any:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    r_pr = normal.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    return doc


def _title(doc: Any, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(12)
    _fonts(p.add_run(text), east_asia=TITLE_FONT, size=TITLE_SIZE, bold=True)


def _para(
    doc: Any,
    text: str = "",
    *,
    bold_lead: str = "",
    align: Any = None,
    indent: bool = False,
    size: Pt | None = None,
) -> Any:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(28)  # two characters
    if bold_lead:
        _fonts(p.add_run(bold_lead), size=size, bold=True)
    if text:
        _fonts(p.add_run(text), size=size)
    return p


def _heading(doc: Any, text: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    _fonts(p.add_run(text), east_asia="黑体", size=BODY_SIZE, bold=True)


def _table(doc: Any, rows: list[tuple[str, str]]) -> Any:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Mm(38), Mm(118)
        for cell, text, bold in ((cells[0], label, True), (cells[1], value, False)):
            paragraph = cell.paragraphs[0]
            for n, line in enumerate((text or "").split("\n")):
                if n:
                    paragraph = cell.add_paragraph()
                _fonts(paragraph.add_run(line), size=TABLE_SIZE, bold=bold)
    return table


def _date_zh(day: dt.date | None) -> str:
    if day is None:
        return TO_BE_SET
    return f"{day.year}年{day.month}月{day.day}日"


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _funds(value: Any) -> str:
    return TO_BE_SET if value is None else f"{value:,.2f} 元"


def _or_tbd(text: str) -> str:
    return text.strip() or TO_BE_SET


def _signature(doc: Any, body: str, day: dt.date) -> None:
    doc.add_paragraph()
    for text in (f"{body}（盖章）", _date_zh(day)):
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _receipt(doc: Any) -> None:
    doc.add_paragraph()
    _para(doc, "签收人（签字）：________________      签收日期：______年____月____日")
    _para(doc, "企业主要负责人（签字）：________________")


def _save(doc: Any, title: str, subject: str) -> bytes:
    props = doc.core_properties
    props.title, props.subject, props.author = title, subject, "anjian"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- who issues -------------------------------------------------------------------------


def _user_body(user: Any, hazard: Hazard) -> str:
    """The body a user signs for: a department officer their department, a coordinator
    the safety committee office (安委办) of their division, a grid officer or expert
    their division; an enterprise user their enterprise (an internal notice)."""
    if user is None:
        return hazard.enterprise.name
    role = getattr(user, "role", "")
    if role == "department_officer" and user.department_id:
        return user.department.name
    if role == "coordinator" and user.division_id:
        return f"{user.division.name}安全生产委员会办公室"
    if role in ("grid_officer", "expert") and user.division_id:
        return user.division.name
    return hazard.enterprise.name


def issuing_body(hazard: Hazard) -> str:
    """Who issues the rectification notice: the body of whoever found (reported) the
    hazard; an enterprise's own find is an internal notice signed by the enterprise."""
    return _user_body(hazard.reported_by, hazard)


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
            "reported_by__department",
            "reported_by__division",
            "listing_department",
            "listing_division",
        ).get(pk=hazard.pk)
        if hazard.pk
        else hazard
    )


def rectification_notice(hazard: Hazard, *, today: dt.date | None = None) -> bytes:
    """隐患整改通知书: who issues, the number, the enterprise, the hazard, the five fixes
    (or "to be set"), the deadline, the legal basis, signature and seal lines."""
    hazard = _related(hazard)
    today = today or timezone.localdate()
    ent = hazard.enterprise
    body = issuing_body(hazard)
    doc = _document()
    _title(doc, "隐患整改通知书")
    _para(doc, f"编号：{hazard.number}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"{ent.name}：")
    found = _date_zh(_local_date(hazard.reported_at))
    level = LEVEL_ZH.get(hazard.level, hazard.level)
    _para(
        doc,
        f"{found}，在{hazard.location}发现下列{level}。依据{LAW_ARTICLE_41}和"
        f"{RULE_16_ART_15}，现通知你单位按下列要求落实整改责任、措施、资金、时限和预案，"
        "按期完成整改并报请验收。",
        indent=True,
    )
    _heading(doc, "一、隐患情况")
    _table(
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
    _heading(doc, "二、整改要求（五定）")
    _table(
        doc,
        [
            ("整改责任人", _or_tbd(hazard.liable_person)),
            ("整改措施", _or_tbd(hazard.measures)),
            ("整改资金", _funds(hazard.funds)),
            ("整改期限", _date_zh(hazard.deadline)),
            ("应急预案", _or_tbd(hazard.contingency_plan)),
        ],
    )
    deadline = hazard.deadline or hazard.listing_deadline
    if deadline:
        when = f"请于{_date_zh(deadline)}前完成整改。"
    elif hazard.handling == Handling.ON_SPOT:
        when = "请立即整改。"
    else:
        when = "请立即制定整改方案，明确整改期限，并报送本通知的签发单位。"
    _para(doc, when, bold_lead="整改期限：")
    if hazard.state == State.CLOSED and hazard.closed_at is not None:
        _para(
            doc,
            f"本隐患已于{_date_zh(_local_date(hazard.closed_at))}整改完毕并验收销号（存档副本）。",
            bold_lead="处理结果：",
        )
    if hazard.level == Level.MAJOR:
        _para(
            doc,
            "本隐患为重大事故隐患，由你单位主要负责人组织制定并实施治理方案（包括治理的目标和任务、"
            "采取的方法和措施、经费和物资的落实、负责治理的机构和人员、治理的时限和要求、"
            f"安全措施和应急预案），并依照{LAW_ARTICLE_41}及时向负有安全生产监督管理职责的部门"
            "和职工大会或者职工代表大会报告。",
            indent=True,
        )
    _para(
        doc,
        "整改期间应当采取相应的安全防范措施，防止事故发生；整改完成后应当如实记录并向从业人员通报。",
        indent=True,
    )
    _para(doc, f"{LAW_ARTICLE_41}；{RULE_16_ART_15}。", bold_lead="依据：")
    _signature(doc, body, today)
    _receipt(doc)
    return _save(doc, "隐患整改通知书", hazard.number)


def listing_notice(hazard: Hazard, *, today: dt.date | None = None) -> bytes:
    """重大事故隐患挂牌督办通知书 for a listed major hazard; refused (Conflict) when the
    hazard has not been listed."""
    hazard = _related(hazard)
    if hazard.level != Level.MAJOR or hazard.listed_at is None:
        raise Conflict(
            _("Hazard %(number)s is not listed for supervision, so it has no listing notice.")
            % {"number": hazard.number}
        )
    today = today or timezone.localdate()
    ent = hazard.enterprise
    body = listing_body(hazard)
    listed_on = _date_zh(_local_date(hazard.listed_at))
    doc = _document()
    _title(doc, "重大事故隐患挂牌督办通知书")
    _para(doc, f"编号：{hazard.number}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"{ent.name}：")
    _para(
        doc,
        f"你单位{hazard.location}存在的重大事故隐患（编号 {hazard.number}），依据{RULE_16}"
        f"有关规定，经{body}研究，决定自{listed_on}起对该隐患实行挂牌督办，"
        f"督办期限至{_date_zh(hazard.listing_deadline)}。",
        indent=True,
    )
    _heading(doc, "一、隐患基本情况")
    _table(
        doc,
        [
            ("企业名称", ent.name),
            ("统一社会信用代码", ent.uscc),
            ("隐患编号", hazard.number),
            ("隐患位置", hazard.location),
            ("隐患描述", hazard.description),
            ("挂牌督办单位", body),
            ("挂牌日期", listed_on),
            ("督办期限", _date_zh(hazard.listing_deadline)),
        ],
    )
    _heading(doc, "二、判定依据")
    for line in _basis_lines(hazard):
        _para(doc, line, indent=True)
    _heading(doc, "三、治理方案")
    plan = hazard.remediation_plan or {}
    _table(doc, [(label, _or_tbd(str(plan.get(key, "")))) for key, label in PLAN_PARTS_ZH])
    if not any(str(v).strip() for v in plan.values()):
        _para(
            doc,
            "你单位应当由主要负责人组织制定上述六项内容的治理方案，报送挂牌督办单位。",
            indent=True,
        )
    _heading(doc, "四、督办要求")
    for n, text in enumerate(
        (
            f"你单位应于{_date_zh(hazard.listing_deadline)}前完成治理，治理期间落实安全防范和应急措施，"
            "必要时局部或者全部停产停业。",
            "治理完成后，书面报告治理情况，经挂牌督办单位现场审查合格后予以核销。",
            f"依照{LAW_ARTICLE_41}，将重大事故隐患排查治理情况及时向负有安全生产监督管理职责的部门"
            "和职工大会或者职工代表大会报告。",
        ),
        1,
    ):
        _para(doc, f"{n}. {text}", indent=True)
    _heading(doc, "五、公告")
    _para(doc, _or_tbd(hazard.listing_notice), indent=True)
    _para(doc, f"{RULE_16}；{LAW_ARTICLE_41}。", bold_lead="依据：")
    _signature(doc, body, today)
    _receipt(doc)
    return _save(doc, "重大事故隐患挂牌督办通知书", hazard.number)


NOTICES = {
    "rectification": (rectification_notice, "隐患整改通知书"),
    "listing": (listing_notice, "重大事故隐患挂牌督办通知书"),
}


def notice_filename(kind: str, hazard: Hazard) -> str:
    return f"{NOTICES[kind][1]}-{hazard.number}.docx"


def notice_download(*, actor: Actor, hazard_id: int, kind: str) -> tuple[Hazard, bytes]:
    """Build a notice for a hazard in the actor's scope and record the download in the
    audit trail (a read, but the notice is an official document: who took which copy).
    NotFound outside the scope; Conflict when the listing notice does not apply."""
    if kind not in NOTICES:
        raise ValidationFailed(
            {"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(NOTICES)}]}
        )
    hazard = scoping.visible(actor.user, Hazard).filter(pk=hazard_id).first()
    if hazard is None:
        raise NotFound(_("No such hazard in your scope."))
    build, title = NOTICES[kind]
    content = build(hazard)
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="hazard_notice",
            obj=hazard,
            summary=f"{hazard.number} {title}",
            changes={"kind": kind, "number": hazard.number, "bytes": len(content)},
        )
    return hazard, content


__all__ = [
    "CONTENT_TYPE",
    "issuing_body",
    "listing_body",
    "listing_notice",
    "notice_download",
    "notice_filename",
    "rectification_notice",
]
