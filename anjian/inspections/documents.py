"""Enforcement documents (执法文书, issue 12 item 8) in Word: one builder per kind, each
taking a plain dataclass of facts and returning the .docx bytes with their SHA-256.
Pure: no Django, no models, no clock (the storage — number given once, hash kept, never
changed after issue — is the models' and services' job).

The six kinds and the word of their 文号 (``ABBREVIATIONS``):

=====================  ======  ============================================================
现场检查记录             检记    the record of an on-site inspection, signed on the spot
责令限期整改指令书        责改    an order to correct the findings by a deadline
现场处理措施决定书        现决    on-site measures (evacuate, suspend, stop using equipment)
整改复查意见书           复查    the review of an order's rectification
行政处罚告知书           罚告    the prior notice of a penalty (state a case / hearing)
行政处罚决定书           罚      the penalty decision
=====================  ======  ============================================================

Sources, and what could not be verified (the official forms themselves, 应急管理部
《应急管理行政执法文书》2021 年版 and 《安全生产执法程序规定》, were NOT found among the
stored pages: their exact wording and layout are UNVERIFIED; the texts here are ours, built
from the legal requirements below):

* 文号 words: 检记、责改、现决、复查、罚告 and 罚 (not "罚决") are the words of numbers such
  as "（德阳）应急罚〔2019〕15号" and "（××）应急现决〔…〕…号" found in public enforcement
  software (GitHub code search, find_string "应急现决〔", "应急罚〔", "应急复查〔",
  "应急责改〔", "应急检记〔", "应急罚告〔"); the older 安监 forms used the same words
  ("（××）安监管罚告〔2010〕1号"). Attested in use, not read in the official form. The
  official numbers put the place in brackets before the department ("（安澜）应急罚〔2026〕
  12号"); ``document_number`` follows the hazard notices' form instead
  (anjian.hazards.documents.format_number: "安澜应急责改〔2026〕1号") so that one
  department's numbers look alike across the product.
* What a penalty decision states: 《中华人民共和国行政处罚法》(2021) 第五十九条 — the party's
  name and address; the facts and evidence of the violation; the kind and basis of the
  penalty; how and by when to perform it; the ways and time limits to apply for review or
  sue; the authority and the date; the authority's seal. Content read on v.66law.cn and
  zaimingchaiqian.com (which quote the same list, the latter under the 1996 numbering
  第三十九条); the 2021 article number 第五十九条 is UNVERIFIED.
* Prior notice: 行政处罚法 (2021) 第四十四条 — before deciding, tell the party the penalty
  proposed, its facts, reasons and basis, and the rights to state a case, defend and ask
  for a hearing (read on law.idocdown.com and mmkq.com.cn, which quote 第四十四条). The
  hearing request within five days of the notice is 第六十四条 (一) — from memory,
  UNVERIFIED; so is the three days given for a statement (``PenaltyNotice.reply_days``,
  a builder input, not a rule of ours).
* Review: 《中华人民共和国行政复议法》 — sixty days from knowing of the act (the 1999 text
  (第九条) as quoted on uianet.net; the 2023 revision keeps sixty days, its 第二十条 is
  UNVERIFIED). Suit: 《中华人民共和国行政诉讼法》 第四十六条 — six months from knowing of
  the act (verified: m.law.iask.sina.com.cn, laweer.com, mip.64365.com quote it).
* Performance not suspended by review or suit (行政处罚法, "行政处罚不停止执行", quoted on
  zk.hnzx.gov.cn, 2023); fine paid within fifteen days and 3 % a day for late payment
  (第六十七条、第七十二条) — from memory, UNVERIFIED.
* On-site measures and orders: 《中华人民共和国安全生产法》(2021) 第六十五条第一款 (the
  inspecting department may order a violation corrected on the spot or by a deadline
  (第二项) and a hazard eliminated, evacuate, suspend production or stop equipment when a
  major hazard cannot be kept safe (第三项)) — as the hazard notices cite 第六十五条
  (anjian.hazards.documents); the item numbers are UNVERIFIED. Callers pass the clauses:
  the builders print what they are given and cite nothing on their own except the rights.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from anjian.core import wordoc as w

# --- kinds and numbers ---------------------------------------------------------------------

CHECK_RECORD = "check_record"
RECTIFICATION_ORDER = "rectification_order"
ON_SITE_DECISION = "on_site_decision"
REVIEW_OPINION = "review_opinion"
PENALTY_NOTICE = "penalty_notice"
PENALTY_DECISION = "penalty_decision"

KINDS = (
    CHECK_RECORD,
    RECTIFICATION_ORDER,
    ON_SITE_DECISION,
    REVIEW_OPINION,
    PENALTY_NOTICE,
    PENALTY_DECISION,
)
TITLES = {
    CHECK_RECORD: "现场检查记录",
    RECTIFICATION_ORDER: "责令限期整改指令书",
    ON_SITE_DECISION: "现场处理措施决定书",
    REVIEW_OPINION: "整改复查意见书",
    PENALTY_NOTICE: "行政处罚告知书",
    PENALTY_DECISION: "行政处罚决定书",
}
# The word of each kind's 文号: attested in use, see the module docstring.
ABBREVIATIONS = {
    CHECK_RECORD: "检记",
    RECTIFICATION_ORDER: "责改",
    ON_SITE_DECISION: "现决",
    REVIEW_OPINION: "复查",
    PENALTY_NOTICE: "罚告",
    PENALTY_DECISION: "罚",
}
UNNUMBERED = "（未编号）"


def document_number(issuer_short: str, kind: str, year: int, serial: int) -> str:
    """安澜应急 + 罚 + 2026 + 12 → 安澜应急罚〔2026〕12号 (the hazard notices' form)."""
    if kind not in ABBREVIATIONS:
        raise ValueError(f"unknown document kind {kind!r}")
    if not issuer_short.strip():
        raise ValueError("an enforcement document's number starts with its issuer")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year {year} is not four digits")
    if serial < 1:
        raise ValueError(f"serial {serial} must be 1 or more")
    return f"{issuer_short.strip()}{ABBREVIATIONS[kind]}〔{year}〕{serial}号"


# --- the facts a builder takes --------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """The department that issues: ``short`` starts its 文号; ``appeal_to`` is the review
    body (行政复议机关) and ``court`` the court, each "" when the data does not say (the
    text then names them generically); contact lines go on notices that expect a reply."""

    name: str
    short: str
    appeal_to: str = ""
    court: str = ""
    address: str = ""
    contact: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Party:
    """The inspected enterprise (当事人 / 被检查单位) and its legal representative or
    principal."""

    name: str
    uscc: str = ""
    address: str = ""
    representative: str = ""
    representative_title: str = "法定代表人"
    phone: str = ""


@dataclass(frozen=True)
class Inspector:
    name: str
    certificate: str  # 执法证号


@dataclass(frozen=True)
class Clause:
    """A legal provision: 《中华人民共和国安全生产法》第四十一条第二款, and its words when
    the document should quote them."""

    law: str
    article: str
    text: str = ""

    @property
    def cite(self) -> str:
        return f"《{self.law}》{self.article}"


@dataclass(frozen=True)
class Finding:
    description: str
    location: str = ""
    violates: tuple[Clause, ...] = ()
    hazard_number: str = ""


@dataclass(frozen=True)
class Correction:
    """This document replaces an issued one: its number and why."""

    number: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class DocumentFacts:
    """What every enforcement document carries. ``number`` is the 文号 given at issue
    (document_number); "" prints an unnumbered draft."""

    authority: Authority
    party: Party
    issued_on: dt.date
    number: str = ""
    inspectors: tuple[Inspector, ...] = ()
    corrects: Correction | None = None


@dataclass(frozen=True, kw_only=True)
class CheckRecord(DocumentFacts):
    place: str
    started_at: dt.datetime
    ended_at: dt.datetime
    items: tuple[str, ...] = ()  # what was checked
    findings: tuple[Finding, ...] = ()
    representative: str = ""  # who accompanied the inspection for the enterprise
    representative_title: str = "现场负责人"
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class RectificationOrder(DocumentFacts):
    findings: tuple[Finding, ...]
    deadline: dt.date
    basis: tuple[Clause, ...]  # what empowers the order (安全生产法 第六十五条…)
    record_number: str = ""  # the 现场检查记录 it follows
    requirement: str = ""


@dataclass(frozen=True, kw_only=True)
class OnSiteDecision(DocumentFacts):
    findings: tuple[Finding, ...]
    measures: tuple[str, ...]
    basis: tuple[Clause, ...]
    record_number: str = ""
    lift_condition: str = ""  # when the measures end (hazard eliminated and reviewed…)


@dataclass(frozen=True)
class ReviewItem:
    finding: str
    fixed: bool
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ReviewOpinion(DocumentFacts):
    order_number: str
    order_date: dt.date
    reviewed_on: dt.date
    results: tuple[ReviewItem, ...]
    opinion: str = ""
    basis: tuple[Clause, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PenaltyNotice(DocumentFacts):
    facts: str
    evidence: tuple[str, ...]
    violates: tuple[Clause, ...]
    penalty_basis: tuple[Clause, ...]
    proposed: str  # the penalty proposed, in words
    fine: Decimal | None = None
    hearing: bool = False  # the penalty is one a hearing may be asked for
    reply_days: int = 3
    hearing_days: int = 5


@dataclass(frozen=True, kw_only=True)
class PenaltyDecision(DocumentFacts):
    facts: str
    evidence: tuple[str, ...]
    violates: tuple[Clause, ...]
    penalty_basis: tuple[Clause, ...]
    penalty: str  # the penalty decided, in words
    fine: Decimal | None = None
    notice_number: str = ""
    notice_date: dt.date | None = None
    statement: str = ""  # what the party stated and whether it was adopted
    payment: str = ""  # where and how to pay (bank, account, electronic payment)
    pay_days: int = 15


@dataclass(frozen=True)
class Built:
    kind: str
    title: str
    number: str
    content: bytes
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", w.sha256(self.content))


# --- words -------------------------------------------------------------------------------

APPEAL_DAYS_ZH = "六十日"
SUIT_MONTHS_ZH = "六个月"

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _four_digits_upper(n: int) -> str:
    """0 < n < 10000 in capital numerals, with the zeros the way cheques write them."""
    out, zero = "", False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _SMALL_UNITS[position]
    return out


def amount_upper(amount: Decimal) -> str:
    """人民币 in capitals as fines are written: 20000 → 贰万元整, 1500.5 → 壹仟伍佰元伍角."""
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if cents < 0:
        raise ValueError("a fine is not negative")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = ""
    if yuan:
        groups = []
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or group < 1000):
                text += "零"
            text += _four_digits_upper(group) + _BIG_UNITS[index]
            pending_zero = False
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def fine_zh(amount: Decimal) -> str:
    return f"人民币{amount_upper(amount)}（¥{amount:,.2f}）"


def _cites(clauses: tuple[Clause, ...]) -> str:
    return "、".join(c.cite for c in clauses) or w.TO_BE_SET


def _time_zh(moment: dt.datetime) -> str:
    return f"{w.date_zh(moment.date())}{moment.hour}时{moment.minute:02d}分"


def review_rights(authority: Authority, act: str) -> str:
    """The right to apply for review (60 days) or sue (6 months), named in every act
    the party may contest."""
    to = authority.appeal_to or "有管辖权的行政复议机关"
    court = authority.court or "有管辖权的人民法院"
    return (
        f"如不服{act}，可以自收到本文书之日起{APPEAL_DAYS_ZH}内依法向{to}申请行政复议，"
        f"或者在{SUIT_MONTHS_ZH}内依法向{court}提起行政诉讼。"
    )


# --- shared parts --------------------------------------------------------------------------


def _head(doc, kind: str, facts: DocumentFacts) -> str:
    number = facts.number or UNNUMBERED
    w.title(doc, TITLES[kind])
    w.para(doc, number, align=w.CENTER)
    if facts.corrects is not None:
        w.para(
            doc,
            f"本文书更正 {facts.corrects.number}，更正理由：{facts.corrects.reason}",
            bold_lead="更正：",
        )
    return number


def _party_table(doc, party: Party, label: str = "被检查单位") -> None:
    rows = [(label, party.name)]
    if party.uscc:
        rows.append(("统一社会信用代码", party.uscc))
    rows.append(("地址", party.address or "—"))
    rows.append((party.representative_title, party.representative or "—"))
    if party.phone:
        rows.append(("联系电话", party.phone))
    w.table(doc, rows)


def _inspectors_line(inspectors: tuple[Inspector, ...]) -> str:
    return "、".join(f"{i.name}（执法证号：{i.certificate}）" for i in inspectors) or w.TO_BE_SET


def _findings(doc, findings: tuple[Finding, ...]) -> None:
    if not findings:
        w.para(doc, "未发现安全生产违法行为和事故隐患。", indent=True)
        return
    for n, finding in enumerate(findings, 1):
        where = f"{finding.location}：" if finding.location else ""
        text = f"{n}. {where}{finding.description}"
        if finding.violates:
            text += f"（违反{_cites(finding.violates)}的规定）"
        if finding.hazard_number:
            text += f"〔隐患编号 {finding.hazard_number}〕"
        w.para(doc, text, indent=True)


def _basis(doc, clauses: tuple[Clause, ...]) -> None:
    w.para(doc, _cites(clauses) + "。", bold_lead="依据：")
    for clause in clauses:
        if clause.text:
            w.para(doc, f"{clause.cite}：“{clause.text}”", indent=True)


def _inspector_signatures(doc, inspectors: tuple[Inspector, ...]) -> None:
    w.para(doc, _inspectors_line(inspectors), bold_lead="执法人员：")
    w.para(doc, "执法人员（签名）：________________  ________________")


def _finish(doc, kind: str, number: str, facts: DocumentFacts) -> Built:
    # The issue day fixes the bytes: the same facts give the same file and hash.
    moment = dt.datetime.combine(facts.issued_on, dt.time(0, 0), tzinfo=dt.UTC)
    content = w.to_bytes(doc, TITLES[kind], number, moment=moment)
    return Built(kind=kind, title=TITLES[kind], number=number, content=content)


# --- the builders ----------------------------------------------------------------------------


def check_record(facts: CheckRecord) -> Built:
    """现场检查记录: who inspected where and when, what was checked and found, signed
    by the inspectors and the enterprise's representative on the spot."""
    doc = w.new_document()
    number = _head(doc, CHECK_RECORD, facts)
    _party_table(doc, facts.party)
    w.table(
        doc,
        [
            ("检查场所", facts.place),
            ("检查时间", f"{_time_zh(facts.started_at)}至{_time_zh(facts.ended_at)}"),
            ("检查人员", _inspectors_line(facts.inspectors)),
            (
                f"{facts.representative_title}",
                facts.representative or facts.party.representative or "—",
            ),
        ],
    )
    w.para(
        doc,
        f"我们是{facts.authority.name}行政执法人员，已出示行政执法证件，"
        "现依法对你单位进行现场检查，请予配合。",
        indent=True,
    )
    w.heading(doc, "一、检查内容")
    for n, item in enumerate(facts.items, 1):
        w.para(doc, f"{n}. {item}", indent=True)
    if not facts.items:
        w.para(doc, w.TO_BE_SET, indent=True)
    w.heading(doc, "二、检查情况")
    _findings(doc, facts.findings)
    if facts.note.strip():
        w.para(doc, facts.note.strip(), bold_lead="备注：", indent=True)
    doc.add_paragraph()
    w.para(doc, "以上记录已经被检查单位核对，情况属实。")
    w.para(doc, f"被检查单位{facts.representative_title}（签名）：________________")
    _inspector_signatures(doc, facts.inspectors)
    w.para(doc, w.date_zh(facts.issued_on), align=w.RIGHT)
    return _finish(doc, CHECK_RECORD, number, facts)


def rectification_order(facts: RectificationOrder) -> Built:
    """责令限期整改指令书: the findings, the order to correct them by the deadline, its
    basis and the rights of review and suit."""
    doc = w.new_document()
    number = _head(doc, RECTIFICATION_ORDER, facts)
    w.para(doc, f"{facts.party.name}：")
    after = f"（{facts.record_number}）" if facts.record_number else ""
    w.para(
        doc,
        f"经查，你单位存在下列问题{after}：",
        indent=True,
    )
    _findings(doc, facts.findings)
    w.para(
        doc,
        f"依据{_cites(facts.basis)}的规定，现责令你单位于{w.date_zh(facts.deadline)}前"
        "整改完毕，达到有关法律法规规章和标准规定的要求。整改完毕后，应当书面报告本机关，"
        "由本机关进行复查。整改期间应当采取措施，确保安全。",
        indent=True,
    )
    if facts.requirement.strip():
        w.para(doc, facts.requirement.strip(), bold_lead="整改要求：", indent=True)
    _basis(doc, facts.basis)
    w.para(doc, review_rights(facts.authority, "本指令"), indent=True)
    _inspector_signatures(doc, facts.inspectors)
    w.signature(doc, facts.authority.name, facts.issued_on)
    w.receipt(doc, signer="被检查单位签收人")
    return _finish(doc, RECTIFICATION_ORDER, number, facts)


def on_site_decision(facts: OnSiteDecision) -> Built:
    """现场处理措施决定书: the measures decided on the spot (evacuate, suspend, stop
    equipment…), why, on what basis, until when, and the rights."""
    doc = w.new_document()
    number = _head(doc, ON_SITE_DECISION, facts)
    w.para(doc, f"{facts.party.name}：")
    after = f"（{facts.record_number}）" if facts.record_number else ""
    w.para(doc, f"本机关在现场检查中发现你单位存在下列问题{after}：", indent=True)
    _findings(doc, facts.findings)
    w.para(
        doc,
        f"依据{_cites(facts.basis)}的规定，本机关决定对你单位采取下列现场处理措施：",
        indent=True,
    )
    for n, measure in enumerate(facts.measures, 1):
        w.para(doc, f"{n}. {measure}", indent=True)
    if facts.lift_condition.strip():
        w.para(doc, facts.lift_condition.strip(), bold_lead="解除条件：", indent=True)
    _basis(doc, facts.basis)
    w.para(doc, review_rights(facts.authority, "本决定"), indent=True)
    _inspector_signatures(doc, facts.inspectors)
    w.signature(doc, facts.authority.name, facts.issued_on)
    w.receipt(doc, signer="被检查单位签收人")
    return _finish(doc, ON_SITE_DECISION, number, facts)


def review_opinion(facts: ReviewOpinion) -> Built:
    """整改复查意见书: the review of an order's rectification, item by item, and the
    opinion (all done, or what remains and what follows)."""
    doc = w.new_document()
    number = _head(doc, REVIEW_OPINION, facts)
    w.para(doc, f"{facts.party.name}：")
    w.para(
        doc,
        f"本机关于{w.date_zh(facts.order_date)}作出《责令限期整改指令书》（{facts.order_number}），"
        f"于{w.date_zh(facts.reviewed_on)}对你单位整改情况进行了复查，复查情况如下：",
        indent=True,
    )
    w.table(
        doc,
        [
            (
                f"第{n}项",
                f"{item.finding}\n复查结果：{'已整改' if item.fixed else '未整改'}{_note(item.note)}",
            )
            for n, item in enumerate(facts.results, 1)
        ]
        or [("复查事项", w.TO_BE_SET)],
    )
    outstanding = [item for item in facts.results if not item.fixed]
    default = (
        f"经复查，尚有{len(outstanding)}项问题未整改完毕，本机关将依法处理。"
        if outstanding
        else "经复查，上述问题已整改完毕。"
    )
    w.para(doc, facts.opinion.strip() or default, bold_lead="复查意见：", indent=True)
    if facts.basis:
        _basis(doc, facts.basis)
    w.para(doc, review_rights(facts.authority, "本意见"), indent=True)
    _inspector_signatures(doc, facts.inspectors)
    w.signature(doc, facts.authority.name, facts.issued_on)
    w.receipt(doc, signer="被检查单位签收人")
    return _finish(doc, REVIEW_OPINION, number, facts)


def _note(note: str) -> str:
    return f"：{note.strip()}" if note.strip() else ""


def _contact(doc, authority: Authority) -> None:
    for label, value in (
        ("联系地址", authority.address),
        ("联系人", authority.contact),
        ("联系电话", authority.phone),
    ):
        if value:
            w.para(doc, value, bold_lead=f"{label}：")


def _with_fine(measure: str, fine: Decimal | None) -> str:
    """The measure in words and the fine after it; a fine alone stands alone."""
    parts = [measure.strip(), f"罚款{fine_zh(fine)}" if fine is not None else ""]
    return "，".join(p for p in parts if p)


def penalty_notice(facts: PenaltyNotice) -> Built:
    """行政处罚告知书: the penalty proposed with its facts, evidence and basis, and the
    rights to state a case and defend (and to ask for a hearing when it applies)."""
    doc = w.new_document()
    number = _head(doc, PENALTY_NOTICE, facts)
    w.para(doc, f"{facts.party.name}：")
    w.para(doc, facts.facts.strip(), bold_lead="经查：", indent=True)
    w.para(doc, "；".join(facts.evidence) or w.TO_BE_SET, bold_lead="证据：", indent=True)
    proposed = _with_fine(facts.proposed, facts.fine)
    w.para(
        doc,
        f"以上行为违反了{_cites(facts.violates)}的规定。依据{_cites(facts.penalty_basis)}"
        f"的规定，本机关拟对你单位作出如下行政处罚：{proposed}。",
        indent=True,
    )
    # Only 第四十四条 is cited: verified, and it names all three rights.
    rights = (
        "依据《中华人民共和国行政处罚法》第四十四条的规定，你单位有权进行陈述和申辩。"
        f"如需陈述、申辩，请于收到本告知书之日起{facts.reply_days}日内向本机关提出"
    )
    if facts.hearing:
        rights += (
            "；你单位有权要求举行听证，"
            f"如要求听证，请于收到本告知书之日起{facts.hearing_days}日内向本机关提出"
        )
    w.para(doc, rights + "。逾期不提出的，视为放弃上述权利。", indent=True)
    _contact(doc, facts.authority)
    w.signature(doc, facts.authority.name, facts.issued_on)
    w.receipt(doc, principal=False)
    return _finish(doc, PENALTY_NOTICE, number, facts)


def penalty_decision(facts: PenaltyDecision) -> Built:
    """行政处罚决定书: the party, the facts and evidence, the clauses violated, the
    penalty and its basis, how and by when to perform it, the rights of review and suit,
    the authority and date (行政处罚法 第五十九条's list)."""
    doc = w.new_document()
    number = _head(doc, PENALTY_DECISION, facts)
    _party_table(doc, facts.party, label="当事人")
    w.para(doc, facts.facts.strip(), bold_lead="违法事实：", indent=True)
    w.para(doc, "；".join(facts.evidence) or w.TO_BE_SET, bold_lead="证据：", indent=True)
    if facts.notice_number:
        when = w.date_zh(facts.notice_date) if facts.notice_date else ""
        w.para(
            doc,
            f"本机关于{when}以《行政处罚告知书》（{facts.notice_number}）告知你单位拟作出行政处罚"
            "的内容及事实、理由、依据，并告知你单位依法享有的陈述、申辩等权利。"
            + (facts.statement.strip() or "你单位在规定期限内未提出陈述、申辩。"),
            indent=True,
        )
    penalty = _with_fine(facts.penalty, facts.fine)
    w.para(
        doc,
        f"以上行为违反了{_cites(facts.violates)}的规定。依据{_cites(facts.penalty_basis)}"
        f"的规定，本机关决定给予你单位如下行政处罚：{penalty}。",
        indent=True,
    )
    if facts.fine is not None:
        w.para(
            doc,
            f"罚款自收到本决定书之日起{facts.pay_days}日内缴纳"
            + (f"（{facts.payment.strip()}）" if facts.payment.strip() else "")
            + "。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。",
            bold_lead="履行方式和期限：",
            indent=True,
        )
    w.para(doc, review_rights(facts.authority, "本决定"), indent=True)
    w.para(doc, "行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。", indent=True)
    _inspector_signatures(doc, facts.inspectors)
    w.signature(doc, facts.authority.name, facts.issued_on)
    w.receipt(doc, principal=False)
    return _finish(doc, PENALTY_DECISION, number, facts)


BUILDERS = {
    CHECK_RECORD: check_record,
    RECTIFICATION_ORDER: rectification_order,
    ON_SITE_DECISION: on_site_decision,
    REVIEW_OPINION: review_opinion,
    PENALTY_NOTICE: penalty_notice,
    PENALTY_DECISION: penalty_decision,
}


def build(facts: DocumentFacts) -> Built:
    """The builder for the facts' type."""
    by_type = {
        CheckRecord: check_record,
        RectificationOrder: rectification_order,
        OnSiteDecision: on_site_decision,
        ReviewOpinion: review_opinion,
        PenaltyNotice: penalty_notice,
        PenaltyDecision: penalty_decision,
    }
    builder = by_type.get(type(facts))
    if builder is None:
        raise TypeError(f"no builder for {type(facts).__name__}")
    return builder(facts)  # type: ignore[operator]
