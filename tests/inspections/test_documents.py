"""Enforcement documents (issue 12 item 8): each of the six built from plain facts and
read back with python-docx — title, number, parties, legal basis, rights, fonts — the
number format, the correction line, and the same facts giving the same bytes and hash.
Pure: no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from anjian.inspections import documents as d

DAY = dt.date(2026, 3, 5)
AUTHORITY = d.Authority(
    name="安澜县应急管理局",
    short="安澜应急",
    appeal_to="安澜县人民政府",
    court="安澜县人民法院",
    address="安澜县人民路1号",
    contact="张科长",
    phone="0572-1234567",
)
PARTY = d.Party(
    name="安澜甲化工有限公司",
    uscc="91330500MA2B000001",
    address="安澜县化工园区3号",
    representative="赵一",
    phone="13800000000",
)
INSPECTORS = (d.Inspector("王明", "33050012345"), d.Inspector("李华", "33050012346"))
LAW_41 = d.Clause("中华人民共和国安全生产法", "第四十一条第二款")
LAW_65 = d.Clause("中华人民共和国安全生产法", "第六十五条第一款第三项", text="……")
LAW_102 = d.Clause("中华人民共和国安全生产法", "第一百零二条")
FINDINGS = (
    d.Finding("可燃气体报警器未投入使用", "1号储罐区", (LAW_41,), "YH-2026-0001"),
    d.Finding("动火作业未办理作业票", "检修车间"),
)


def facts_of(kind: str, **over):
    """Sample facts of a kind, with ``over`` replacing any field."""
    return dataclasses.replace(_facts(kind), **over)


def _facts(kind: str):
    common = {
        "authority": AUTHORITY,
        "party": PARTY,
        "issued_on": DAY,
        "number": d.document_number("安澜应急", kind, 2026, 12),
        "inspectors": INSPECTORS,
    }
    if kind == d.CHECK_RECORD:
        return d.CheckRecord(
            **common,
            place="安澜甲化工有限公司厂区",
            started_at=dt.datetime(2026, 3, 5, 9, 5),
            ended_at=dt.datetime(2026, 3, 5, 11, 30),
            items=("重大危险源监测监控", "特殊作业管理"),
            findings=FINDINGS,
            representative="钱二",
            note="现场拍照 12 张",
        )
    if kind == d.RECTIFICATION_ORDER:
        return d.RectificationOrder(
            **common,
            findings=FINDINGS,
            deadline=dt.date(2026, 3, 20),
            basis=(LAW_65,),
            record_number="安澜应急检记〔2026〕11号",
        )
    if kind == d.ON_SITE_DECISION:
        return d.OnSiteDecision(
            **common,
            findings=FINDINGS[:1],
            measures=("从1号储罐区撤出作业人员", "停止使用1号储罐"),
            basis=(LAW_65,),
            lift_condition="隐患排除后，经本机关审查同意，方可恢复使用。",
        )
    if kind == d.REVIEW_OPINION:
        return d.ReviewOpinion(
            **common,
            order_number="安澜应急责改〔2026〕12号",
            order_date=dt.date(2026, 3, 5),
            reviewed_on=dt.date(2026, 3, 21),
            results=(
                d.ReviewItem(FINDINGS[0].description, True),
                d.ReviewItem(FINDINGS[1].description, False, "作业票制度未修订"),
            ),
            basis=(LAW_65,),
        )
    if kind == d.PENALTY_NOTICE:
        return d.PenaltyNotice(
            **common,
            facts="2026年3月5日检查发现，你单位1号储罐区可燃气体报警器未投入使用。",
            evidence=("现场检查记录", "现场照片"),
            violates=(LAW_41,),
            penalty_basis=(LAW_102,),
            proposed="警告",
            fine=Decimal("20000"),
            hearing=True,
        )
    return d.PenaltyDecision(
        **common,
        facts="2026年3月5日检查发现，你单位1号储罐区可燃气体报警器未投入使用。",
        evidence=("现场检查记录", "现场照片", "询问笔录"),
        violates=(LAW_41,),
        penalty_basis=(LAW_102,),
        penalty="警告",
        fine=Decimal("20000"),
        notice_number="安澜应急罚告〔2026〕12号",
        notice_date=dt.date(2026, 3, 10),
        payment="缴至安澜县农商银行，或者通过电子支付系统缴纳",
    )


def text_of(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def runs_of(content: bytes):
    doc = Document(io.BytesIO(content))
    for p in doc.paragraphs:
        yield from p.runs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    yield from p.runs


# The contestable acts and what the rights paragraph calls them.
CONTESTED = {
    d.RECTIFICATION_ORDER: "本指令",
    d.ON_SITE_DECISION: "本决定",
    d.REVIEW_OPINION: "本意见",
    d.PENALTY_DECISION: "本决定",
}


@pytest.mark.parametrize("kind", d.KINDS)
def test_given_each_kind_when_built_then_title_number_parties_and_fonts_read_back(kind):
    built = d.build(facts_of(kind))
    doc = Document(io.BytesIO(built.content))
    assert built.kind == kind and built.title == d.TITLES[kind]
    assert doc.paragraphs[0].text == d.TITLES[kind]
    number = f"安澜应急{d.ABBREVIATIONS[kind]}〔2026〕12号"
    assert built.number == number and doc.paragraphs[1].text == number
    assert doc.core_properties.title == d.TITLES[kind]
    assert doc.core_properties.subject == number
    text = text_of(built.content)
    assert PARTY.name in text
    assert "安澜县应急管理局" in text
    if kind != d.PENALTY_NOTICE:  # the notice is signed by the authority alone
        assert "王明（执法证号：33050012345）" in text
        assert "李华（执法证号：33050012346）" in text
    # Every run names its east-Asian font; the title's is 宋体, the body's 仿宋 (or 黑体).
    runs = [r for r in runs_of(built.content) if r.text]
    assert runs
    for run in runs:
        east_asia = run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        assert east_asia in {"宋体", "仿宋", "黑体"}, run.text
    assert runs[0].text == d.TITLES[kind]
    assert runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert built.sha256 == hashlib.sha256(built.content).hexdigest()


@pytest.mark.parametrize("kind", sorted(CONTESTED))
def test_given_a_contestable_act_then_the_review_and_suit_rights_are_stated(kind):
    text = text_of(d.build(facts_of(kind)).content)
    act = CONTESTED[kind]
    assert (
        f"如不服{act}，可以自收到本文书之日起六十日内依法向安澜县人民政府申请行政复议，"
        "或者在六个月内依法向安澜县人民法院提起行政诉讼。"
    ) in text


def test_given_no_appeal_body_or_court_then_the_rights_name_them_generically():
    authority = d.Authority(name="安澜县应急管理局", short="安澜应急")
    text = text_of(d.build(facts_of(d.PENALTY_DECISION, authority=authority)).content)
    assert "向有管辖权的行政复议机关申请行政复议" in text
    assert "向有管辖权的人民法院提起行政诉讼" in text


@pytest.mark.parametrize(
    "kind", [d.RECTIFICATION_ORDER, d.ON_SITE_DECISION, d.PENALTY_NOTICE, d.PENALTY_DECISION]
)
def test_given_a_decision_then_its_legal_basis_is_cited(kind):
    text = text_of(d.build(facts_of(kind)).content)
    if kind in (d.RECTIFICATION_ORDER, d.ON_SITE_DECISION):
        assert "依据：《中华人民共和国安全生产法》第六十五条第一款第三项。" in text
        assert "《中华人民共和国安全生产法》第六十五条第一款第三项：“……”" in text
    else:
        assert "违反了《中华人民共和国安全生产法》第四十一条第二款的规定" in text
        assert "依据《中华人民共和国安全生产法》第一百零二条的规定" in text


def test_given_a_check_record_then_time_place_items_findings_and_signatures():
    text = text_of(d.check_record(facts_of(d.CHECK_RECORD)).content)
    assert "检查时间 | 2026年3月5日9时05分至2026年3月5日11时30分" in text
    assert "检查场所 | 安澜甲化工有限公司厂区" in text
    assert "现场负责人 | 钱二" in text
    assert "1. 重大危险源监测监控" in text
    assert (
        "1. 1号储罐区：可燃气体报警器未投入使用（违反《中华人民共和国安全生产法》第四十一条第二款"
        "的规定）〔隐患编号 YH-2026-0001〕"
    ) in text
    assert "被检查单位现场负责人（签名）" in text
    assert "申请行政复议" not in text  # a record decides nothing


def test_given_an_order_then_the_deadline_and_the_record_it_follows():
    text = text_of(d.rectification_order(facts_of(d.RECTIFICATION_ORDER)).content)
    assert "于2026年3月20日前整改完毕" in text
    assert "（安澜应急检记〔2026〕11号）" in text
    assert "被检查单位签收人（签字）" in text
    assert "安澜县应急管理局（盖章）" in text


def test_given_on_site_measures_then_each_measure_and_the_lift_condition():
    text = text_of(d.on_site_decision(facts_of(d.ON_SITE_DECISION)).content)
    assert "1. 从1号储罐区撤出作业人员" in text and "2. 停止使用1号储罐" in text
    assert "解除条件：隐患排除后" in text


def test_given_a_review_with_an_item_left_then_it_says_so_item_by_item():
    text = text_of(d.review_opinion(facts_of(d.REVIEW_OPINION)).content)
    assert "《责令限期整改指令书》（安澜应急责改〔2026〕12号）" in text
    assert "复查结果：已整改" in text
    assert "复查结果：未整改：作业票制度未修订" in text
    assert "尚有1项问题未整改完毕" in text


def test_given_a_penalty_notice_then_state_a_case_and_hearing_rights_with_their_days():
    text = text_of(d.penalty_notice(facts_of(d.PENALTY_NOTICE)).content)
    assert "拟对你单位作出如下行政处罚：警告，罚款人民币贰万元整（¥20,000.00）。" in text
    assert "《中华人民共和国行政处罚法》第四十四条" in text
    assert "有权进行陈述和申辩" in text and "3日内" in text
    assert "有权要求举行听证" in text and "5日内" in text
    assert "联系电话：0572-1234567" in text
    no_hearing = text_of(d.penalty_notice(facts_of(d.PENALTY_NOTICE, hearing=False)).content)
    assert "听证" not in no_hearing


def test_given_a_penalty_decision_then_fine_payment_and_notice_it_follows():
    text = text_of(d.penalty_decision(facts_of(d.PENALTY_DECISION)).content)
    assert "当事人 | 安澜甲化工有限公司" in text
    assert "统一社会信用代码 | 91330500MA2B000001" in text
    assert "法定代表人 | 赵一" in text
    assert "决定给予你单位如下行政处罚：警告，罚款人民币贰万元整（¥20,000.00）。" in text
    assert "《行政处罚告知书》（安澜应急罚告〔2026〕12号）" in text
    assert "2026年3月10日" in text
    assert "15日内缴纳（缴至安澜县农商银行" in text
    assert "本决定不停止执行" in text


# --- numbers, corrections, reproducibility ----------------------------------------------------


def test_given_issuer_kind_year_serial_then_the_number_reads_like_the_hazard_notices():
    assert d.document_number("安澜应急", d.PENALTY_DECISION, 2026, 12) == "安澜应急罚〔2026〕12号"
    # anjian.hazards.documents.format_number's form: 安澜应急责改〔2026〕1号
    assert (
        d.document_number("安澜应急", d.RECTIFICATION_ORDER, 2026, 1) == "安澜应急责改〔2026〕1号"
    )
    assert [d.document_number("安澜应急", k, 2026, 3) for k in d.KINDS] == [
        "安澜应急检记〔2026〕3号",
        "安澜应急责改〔2026〕3号",
        "安澜应急现决〔2026〕3号",
        "安澜应急复查〔2026〕3号",
        "安澜应急罚告〔2026〕3号",
        "安澜应急罚〔2026〕3号",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("安澜应急", "memo", 2026, 1),
        ("", d.PENALTY_DECISION, 2026, 1),
        ("安澜应急", d.PENALTY_DECISION, 26, 1),
        ("安澜应急", d.PENALTY_DECISION, 2026, 0),
    ],
)
def test_given_a_bad_part_then_no_number(args):
    with pytest.raises(ValueError):
        d.document_number(*args)


def test_given_no_number_yet_then_a_draft_is_marked_unnumbered():
    built = d.build(facts_of(d.RECTIFICATION_ORDER, number=""))
    assert built.number == "（未编号）"
    assert Document(io.BytesIO(built.content)).paragraphs[1].text == "（未编号）"


@pytest.mark.parametrize("kind", d.KINDS)
def test_given_a_correction_then_it_names_the_old_number_and_the_reason(kind):
    old = d.document_number("安澜应急", kind, 2026, 11)
    fix = d.Correction(number=old, reason="当事人名称有误")
    text = text_of(d.build(facts_of(kind, corrects=fix)).content)
    assert f"更正：本文书更正 {old}，更正理由：当事人名称有误" in text
    assert "本文书更正" not in text_of(d.build(facts_of(kind)).content)


@pytest.mark.parametrize("kind", d.KINDS)
def test_given_identical_facts_then_identical_text_bytes_and_hash(kind):
    first, second = d.build(facts_of(kind)), d.build(facts_of(kind))
    assert text_of(first.content) == text_of(second.content)
    assert first.content == second.content and first.sha256 == second.sha256
    other = d.build(facts_of(kind, number=d.document_number("安澜应急", kind, 2026, 13)))
    assert other.sha256 != first.sha256


def test_given_the_builders_table_then_every_kind_has_one():
    assert set(d.BUILDERS) == set(d.KINDS) == set(d.TITLES) == set(d.ABBREVIATIONS)
    with pytest.raises(TypeError):
        d.build(d.DocumentFacts(authority=AUTHORITY, party=PARTY, issued_on=DAY))


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("20000", "贰万元整"),
        ("1500.5", "壹仟伍佰元伍角"),
        ("100500", "壹拾万零伍佰元整"),
        ("100000500", "壹亿零伍佰元整"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("1005", "壹仟零伍元整"),
        ("100.05", "壹佰元零伍分"),
        ("0", "零元整"),
    ],
)
def test_given_a_fine_then_its_amount_in_capitals(amount, words):
    assert d.amount_upper(Decimal(amount)) == words


def test_given_the_pure_modules_when_imported_then_no_django():
    code = (
        "import sys, anjian.inspections.documents, anjian.core.wordoc;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
