"""The downloadable Excel template of the risk-register import (importer.py reads it back).

Sheet 1 (风险管控清单): the 18 headers, drop-down lists on the columns with fixed values,
a note on each header. Sheet 2 (填写说明): the rules, every allowed value, the factor
tables of LEC / LS / MES and a worked example. Built on request, so it always matches the
importer's own column list and the current hazard factors.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from anjian.core import sheets, xlsx

from . import methods
from .importer import (
    ASSESS_METHODS,
    BY_KEY,
    COLUMNS,
    CONTROL_LEVELS,
    CYCLE_UNIT_CHOICES,
    HELP_SHEET_NAME,
    MAX_CYCLE,
    MAX_ROWS,
    MEASURE_CLASSES,
    OBJECT_KINDS,
    SHEET_NAME,
)
from .reference import hazard_factors

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "风险分级管控清单导入模板.xlsx"

BOLD = Font(bold=True)
WIDTHS = {
    "object": 20,
    "object_kind": 12,
    "unit": 20,
    "department": 14,
    "person": 10,
    "control_level": 10,
    "hazard_factors": 22,
    "event": 26,
    "measure": 36,
    "classification": 12,
    "check_content": 36,
    "cycle": 10,
    "cycle_unit": 10,
    "check_person": 12,
    "method": 10,
    "f1": 8,
    "f2": 8,
    "f3": 8,
}
LISTS = {
    "object_kind": tuple(OBJECT_KINDS),
    "control_level": tuple(CONTROL_LEVELS),
    "classification": tuple(MEASURE_CLASSES),
    "cycle_unit": CYCLE_UNIT_CHOICES,
    "method": tuple(ASSESS_METHODS),
}
EXAMPLE = (
    ("1号储罐区", "区域场所", "液氨储罐", "储运车间", "王工", "车间", "有毒有害气体", "液氨泄漏中毒",
     "储罐设置液位、压力监测和高低限报警", "工程技术", "检查液位、压力报警是否正常投用", "1", "天",
     "李班长", "LEC", "3", "6", "15"),
    ("1号储罐区", "区域场所", "液氨储罐", "", "", "", "", "液氨泄漏中毒",
     "配备正压式空气呼吸器和防毒面具", "应急措施", "检查应急器材是否齐全有效", "1", "月",
     "李班长", "", "", "", ""),
    ("1号储罐区", "区域场所", "液氨储罐", "", "", "", "", "储罐超压爆炸",
     "安全阀定期校验", "维护保养", "检查安全阀校验是否在有效期内", "1", "年",
     "设备科张工", "", "", "", ""),
)  # fmt: skip


def _values(numbers) -> str:
    return "、".join(methods.render_number(v) for v in numbers)


EXAMPLE_TITLE = "填写示例（3 行：同一单元的 3 条措施）"


def build_template() -> bytes:
    workbook, sheet = sheets.template_workbook(
        COLUMNS,
        sheet_name=SHEET_NAME,
        max_rows=MAX_ROWS,
        widths=WIDTHS,
        default_width=12,
        lists=LISTS,
        note_size=(320, 120),
    )
    sheet.row_dimensions[1].height = 24
    column = BY_KEY["cycle"]
    validation = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2=str(MAX_CYCLE),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=column.header,
        error=f"应为 1 至 {MAX_CYCLE} 的整数",
    )
    validation.add(f"{column.letter}2:{column.letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(validation)

    _help_sheet(workbook.create_sheet(HELP_SHEET_NAME))
    return xlsx.save(workbook)


def _help_sheet(sheet: Any) -> None:
    tables: list[tuple[object, ...]] = [
        (),
        ("评估方法的取值表",),
        ("方法", "L/M 列", "E 列", "C/S 列"),
        ("LEC（D=L×E×C）", "L：" + _values(methods.LEC_L), "E：" + _values(methods.LEC_E),
         "C：" + _values(methods.LEC_C)),
        ("LS（R=L×S）", "L：" + _values(methods.LS_L), "（留空）", "S：" + _values(methods.LS_S)),
        ("MES（R=M×E×S）", "M：" + _values(methods.MES_M), "E：" + _values(methods.MES_E),
         "S：" + _values(methods.MES_S)),
        (),
        ("危险因素的取值",),
        ("名称", "代码"),
    ]  # fmt: skip
    tables += [(f["name"], f["code"]) for f in hazard_factors()]
    sheets.template_help(
        sheet,
        COLUMNS,
        title="风险分级管控清单导入说明",
        rules=(
            "1. 在“风险管控清单”工作表中，第1行为表头（请勿修改），从第2行起每行填写一条管控措施。",
            "2. 风险分析对象、风险分析单元、风险事件按名称归组：同一单元的多条措施，每行都要重复填写对象、单元和事件名称（不要合并单元格）。",
            "3. 责任部门、责任人、管控层级、危险因素和评估列属于单元：在该单元的第一行填写，后续行可留空；如填写，必须与第一行一致。",
            "4. 每条管控措施会生成一项隐患排查任务（排查内容、排查周期、周期单位、排查责任人）。",
            "5. 评估方法可不填；填写时该单元按所填方法和默认分级配置评估定级（红/橙/黄/蓝）。",
            f"6. 每个文件最多 {MAX_ROWS} 行。只要有一行有误，整个文件都不会导入，并列出全部错误（行号、列号和原因）。",
            "7. 本企业已有同名的风险分析单元时不能重复导入；已有同名、同类型的风险分析对象会直接沿用。",
        ),
        tables=tables,
        example_title=EXAMPLE_TITLE,
        example=EXAMPLE,
        widths={"A": 22, "B": 22, "C": 22, "D": 80},
    )  # fmt: skip
    for row in sheet.iter_rows():
        first = row[0]
        if isinstance(first.value, str) and first.value in (
            "评估方法的取值表",
            "危险因素的取值",
            EXAMPLE_TITLE,
        ):
            first.font = BOLD


__all__ = ["CONTENT_TYPE", "FILENAME", "build_template"]
