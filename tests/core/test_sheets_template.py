"""The shared import-template writer (core.sheets.template_workbook / template_help): the
data sheet's headers, notes and drop-down lists, and the help sheet's rules, column table,
reference tables and example rows, read back with openpyxl."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from anjian.core import sheets, xlsx

COLUMNS = (
    sheets.Column("name", "名称", "A", True, 64, "如“1号储罐区”。"),
    sheets.Column("kind", "类型", "B", False, None, "应为 甲/乙 之一。"),
    sheets.Column("note", "备注", "C", False, 255, "可不填。"),
)
EXAMPLE = (("1号储罐区", "甲", "=1+1"), ("2号储罐区", "", ""))


def build(*, strict: bool = True) -> bytes:
    workbook, _sheet = sheets.template_workbook(
        COLUMNS,
        sheet_name="数据",
        max_rows=100,
        widths={"name": 24},
        default_width=12,
        lists={"kind": ("甲", "乙")},
        strict_lists=strict,
        note_size=(320, 120),
    )
    sheets.template_help(
        workbook.create_sheet("填写说明"),
        COLUMNS,
        title="导入说明",
        rules=("1. 第一条。", "2. 第二条。"),
        tables=[(), ("参考表",), ("甲", "一类")],
        example_title="填写示例",
        example=EXAMPLE,
        widths={"D": 80},
    )
    return xlsx.save(workbook)


def test_given_columns_when_the_template_is_written_then_the_data_sheet_has_headers_notes_and_lists():
    book = load_workbook(io.BytesIO(build()))
    assert book.sheetnames == ["数据", "填写说明"]
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == ["名称", "类型", "备注"]
    assert sheet["A1"].comment.text == "必填。如“1号储罐区”。"
    assert sheet["B1"].comment.text == "选填。应为 甲/乙 之一。"
    assert sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb.endswith(sheets.REQUIRED_FILL)
    assert sheet["B1"].fill.fgColor.rgb.endswith(sheets.OPTIONAL_FILL)
    assert sheet.freeze_panes == "A2"
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (24, 12)
    assert sheet.max_row == 1  # no data rows: the example is on the help sheet
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"甲,乙"'
    assert str(validation.sqref) == "B2:B101"
    assert validation.showErrorMessage and validation.error == "应为 甲/乙 之一"


def test_given_lists_that_only_suggest_when_written_then_other_values_are_not_refused():
    sheet = load_workbook(io.BytesIO(build(strict=False)))["数据"]
    (validation,) = sheet.data_validations.dataValidation
    assert not validation.showErrorMessage and validation.error is None


def test_given_rules_tables_and_an_example_when_written_then_the_help_sheet_lists_them_in_order():
    sheet = load_workbook(io.BytesIO(build()))["填写说明"]
    rows = [tuple(v for v in r if v is not None) for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        ("导入说明",),
        (),
        ("1. 第一条。",),
        ("2. 第二条。",),
        (),
        sheets.HELP_TABLE_HEADER,
        ("A", "名称", "必填", "如“1号储罐区”。"),
        ("B", "类型", "选填", "应为 甲/乙 之一。"),
        ("C", "备注", "选填", "可不填。"),
        (),
        ("参考表",),
        ("甲", "一类"),
        (),
        ("填写示例",),
        ("名称", "类型", "备注"),
        ("1号储罐区", "甲", "=1+1"),
        ("2号储罐区",),
    ]
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 14
    assert all(c.font.bold for c in sheet[6])
    assert sheet.column_dimensions["D"].width == 80
    # An example's text that looks like a formula stays text.
    assert sheet["C16"].data_type == "s" and sheet["C16"].quotePrefix
