"""The shared Word writer (anjian.core.wordoc): the page, the fonts, and bytes that
depend on the content only when an issue time is given. Pure: no database."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.oxml.ns import qn

from anjian.core import wordoc as w

MOMENT = dt.datetime(2026, 3, 5, 8, 30, tzinfo=dt.UTC)


def sample(moment: dt.datetime | None = MOMENT) -> bytes:
    doc = w.new_document()
    w.title(doc, "标题")
    w.para(doc, "正文", bold_lead="依据：", indent=True)
    w.heading(doc, "一、情况")
    w.table(doc, [("企业名称", "甲公司"), ("隐患描述", "第一行\n第二行")])
    w.signature(doc, "安澜县应急管理局", dt.date(2026, 3, 5))
    w.receipt(doc)
    return w.to_bytes(doc, "标题", "安澜应急责改〔2026〕1号", moment=moment)


def test_given_a_document_then_a4_gbt9704_margins_and_east_asian_fonts():
    doc = Document(io.BytesIO(sample()))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    fonts = [
        r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for p in doc.paragraphs
        for r in p.runs
    ]
    assert fonts[:4] == ["宋体", "仿宋", "仿宋", "黑体"]
    assert doc.paragraphs[0].runs[0].bold and doc.paragraphs[1].runs[0].bold
    assert doc.tables[0].rows[1].cells[1].text == "第一行\n第二行"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "安澜县应急管理局（盖章）\n2026年3月5日" in text
    assert "签收人（签字）" in text and "企业主要负责人（签字）" in text
    assert doc.core_properties.subject == "安澜应急责改〔2026〕1号"


def test_given_an_issue_time_then_the_same_content_gives_the_same_bytes():
    first, second = sample(), sample()
    assert first == second and w.sha256(first) == w.sha256(second)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 3, 5, 8, 30, 0)}
        assert z.testzip() is None
    props = Document(io.BytesIO(first)).core_properties
    assert props.created == props.modified == MOMENT
    assert w.sha256(sample(MOMENT + dt.timedelta(days=1))) != w.sha256(first)


def test_given_no_issue_time_then_still_a_document_and_dates_read_in_chinese():
    assert Document(io.BytesIO(sample(None))).paragraphs[0].text == "标题"
    assert w.date_zh(dt.date(2026, 12, 1)) == "2026年12月1日"
    assert w.date_zh(None) == w.TO_BE_SET
