"""Word documents for officials, built with python-docx (no template engine, no Django):
the page, fonts and building blocks that the hazard notices and the enforcement
documents share.

A4 with the margins of GB/T 9704-2012 (official documents: top 37 mm, bottom 35 mm, left
28 mm, right 26 mm), the title in 宋体 bold, the body in 仿宋 (the east-Asian font is set on
every run through w:rFonts/@w:eastAsia, so Word does not fall back to a Latin font).

``to_bytes`` saves; given ``moment`` it also fixes the two things python-docx would take
from the clock (the core properties' created/modified and the zip entries' times), so the
same content always gives the same bytes and the same SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "宋体"  # 方正小标宋 is the official face but is rarely installed; 宋体 is
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(14)  # 四号: the notices carry tables; 三号 (16 pt) makes them run over
TABLE_SIZE = Pt(12)  # 小四
TO_BE_SET = "（待落实）"

CENTER = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT

PRINCIPAL_LINE = "企业主要负责人（签字）：________________"


def _east_asia(r_pr: Any, east_asia: str) -> None:
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), east_asia)


def fonts(run: Any, *, east_asia: str = BODY_FONT, size: Length | None = None, bold=False) -> None:
    """Set a run's Latin and east-Asian fonts (Word ignores font.name for CJK text)."""
    run.font.name = LATIN_FONT
    _east_asia(run._element.get_or_add_rPr(), east_asia)
    if size is not None:
        run.font.size = size
    run.font.bold = bold or None


def new_document() -> Any:
    """An empty A4 portrait document with the GB/T 9704-2012 margins and 仿宋 body."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    _east_asia(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    return doc


def title(doc: Any, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = CENTER
    p.paragraph_format.space_after = Pt(12)
    fonts(p.add_run(text), east_asia=TITLE_FONT, size=TITLE_SIZE, bold=True)


def para(
    doc: Any,
    text: str = "",
    *,
    bold_lead: str = "",
    align: Any = None,
    indent: bool = False,
    size: Length | None = None,
) -> Any:
    """A body paragraph; ``bold_lead`` is a bold label before the text ("依据：")."""
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(28)  # two characters
    if bold_lead:
        fonts(p.add_run(bold_lead), size=size, bold=True)
    if text:
        fonts(p.add_run(text), size=size)
    return p


def heading(doc: Any, text: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    fonts(p.add_run(text), east_asia=HEADING_FONT, size=BODY_SIZE, bold=True)


def table(doc: Any, rows: list[tuple[str, str]]) -> Any:
    """A two-column label | value table; a value's newlines become paragraphs."""
    grid = doc.add_table(rows=0, cols=2)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = grid.add_row().cells
        cells[0].width, cells[1].width = Mm(38), Mm(118)
        for cell, text, bold in ((cells[0], label, True), (cells[1], value, False)):
            paragraph = cell.paragraphs[0]
            for n, line in enumerate((text or "").split("\n")):
                if n:
                    paragraph = cell.add_paragraph()
                fonts(paragraph.add_run(line), size=TABLE_SIZE, bold=bold)
    return grid


def date_zh(day: dt.date | None) -> str:
    """2026年3月5日; no date yet reads （待落实）."""
    if day is None:
        return TO_BE_SET
    return f"{day.year}年{day.month}月{day.day}日"


def signature(doc: Any, body: str, day: dt.date) -> None:
    """The seal line: the issuing body (盖章) and the date, flush right."""
    doc.add_paragraph()
    for text in (f"{body}（盖章）", date_zh(day)):
        para(doc, text, align=RIGHT)


def receipt(doc: Any, *, signer: str = "签收人", principal: bool = True) -> None:
    """The receipt lines the recipient signs by hand."""
    doc.add_paragraph()
    para(doc, f"{signer}（签字）：________________      签收日期：______年____月____日")
    if principal:
        para(doc, PRINCIPAL_LINE)


# A zip entry cannot be dated before 1980 (the DOS date format).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _fixed_zip(content: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    """The same parts in the same order, every entry dated ``when``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def to_bytes(doc: Any, title: str, subject: str, *, moment: dt.datetime | None = None) -> bytes:
    """The .docx bytes with its title and subject (the document's number) in its
    properties. With ``moment`` (the issue time) the bytes depend on the content only."""
    props = doc.core_properties
    props.title, props.subject, props.author = title, subject, "anjian"
    if moment is not None:
        # Naive UTC is what python-docx writes as W3CDTF; seconds are enough.
        utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment
        utc = utc.replace(tzinfo=None, microsecond=0)
        props.created = props.modified = utc
        props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    content = buffer.getvalue()
    if moment is None:
        return content
    when = max(_ZIP_EPOCH, tuple(utc.timetuple())[:6])
    return _fixed_zip(content, when)  # type: ignore[arg-type]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


__all__ = [
    "BODY_FONT",
    "BODY_SIZE",
    "CENTER",
    "CONTENT_TYPE",
    "HEADING_FONT",
    "LATIN_FONT",
    "RIGHT",
    "TABLE_SIZE",
    "TITLE_FONT",
    "TITLE_SIZE",
    "TO_BE_SET",
    "date_zh",
    "fonts",
    "heading",
    "new_document",
    "para",
    "receipt",
    "sha256",
    "signature",
    "table",
    "title",
    "to_bytes",
]
