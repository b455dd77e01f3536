"""Reading an Excel import file, shared by every importer (risk lists, hazard ledgers,
monitoring points): the file checks (size, .xlsx not .xls, readable), the header row
against the template's columns, the data rows (blank rows left out, a row limit), and the
errors — each with its row and column letter, collected so that a file is refused whole,
with every problem listed, and nothing is written.

Writing the template is shared too (template_workbook, template_help): the data sheet
with its coloured, annotated headers and drop-down lists, and the help sheet with the
rules, one line per column and the worked example. Each importer adds only what is its
own (date formats, a number range, reference tables).

The messages are Chinese: the templates and the ledgers imported are Chinese documents.
No Django import; openpyxl is loaded when a file is read or a template written.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

logger = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any encrypted Office file
NOT_XLSX = "文件不是 Excel 工作簿（.xlsx）。请下载导入模板，填写后按 .xlsx 格式上传。"
_SPACES = re.compile(r"[\r\n\t]+")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    letter: str
    required: bool
    limit: int | None
    help: str


def letter(index: int) -> str:
    """The column letter of a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class RowError:
    """One problem: in a cell (row and column), in a row, or in the file (neither)."""

    row: int | None
    column: str | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


def cell_error(column: Column, row: int, text: str) -> RowError:
    return RowError(
        row, column.letter, column.header, f"第{row}行 {column.letter}列（{column.header}）：{text}"
    )


def file_error(text: str) -> RowError:
    return RowError(None, None, "file", text)


def _column_order(name: str | None) -> tuple[int, str]:
    # Column letters sort as the sheet does when shorter ones come first (Z before AA).
    return (len(name or ""), name or "")


class ImportRejected(Exception):
    """Nothing was written; `errors` lists every problem found, in row and column order."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row or 0, _column_order(e.column), e.message))
        super().__init__("; ".join(e.message for e in self.errors[:5]))

    def as_list(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.errors]


@dataclass(frozen=True)
class SheetFormat:
    """What an importer's file looks like."""

    columns: tuple[Column, ...]
    sheet_name: str  # the template's sheet; else the first sheet is read
    empty_message: str  # said when the sheet has headers but no data rows
    keep_line_breaks: bool  # multi-line text cells (hazard ledgers) or one line (risk lists)
    max_rows: int = 5000
    max_bytes: int = 10 * 1024 * 1024
    max_scanned_rows: int = 50_000  # blank rows count too: a sheet formatted to row 1,048,576

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def too_many(self) -> str:
        return f"数据超过 {self.max_rows} 行，请拆分为多个文件分批导入。"


def cell_text(value: Any, *, keep_line_breaks: bool) -> str | None:
    """The cell as text: numbers without a spurious ".0", dates as ISO dates, line breaks
    kept or folded into a space. None when the cell holds a control character no text
    field may contain."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = unicodedata.normalize("NFC", text)
    if keep_line_breaks:
        text = text.strip()
        allowed = "\r\n\t"
    else:
        text = _SPACES.sub(" ", text).strip()
        allowed = ""
    if any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in text):
        return None
    return text


def _read_bytes(source: bytes | IO[bytes], fmt: SheetFormat) -> bytes:
    data = (
        bytes(source) if isinstance(source, bytes | bytearray) else source.read(fmt.max_bytes + 1)
    )
    if len(data) > fmt.max_bytes:
        raise ImportRejected(
            [file_error(f"文件超过 {fmt.max_bytes // (1024 * 1024)} MB，请分批导入。")]
        )
    if not data:
        raise ImportRejected([file_error("上传的文件是空的。")])
    return data


def _open_sheet(data: bytes, fmt: SheetFormat) -> tuple[Any, Any]:
    from openpyxl import load_workbook

    if data.startswith(OLE_MAGIC):
        raise ImportRejected(
            [
                file_error(
                    "文件是旧版 Excel（.xls）或已加密的工作簿，无法读取。"
                    "请在 Excel 中“另存为 Excel 工作簿（.xlsx）”并取消密码后再上传。"
                )
            ]
        )
    if not data.startswith(XLSX_MAGIC):
        raise ImportRejected([file_error(NOT_XLSX)])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any failure to parse is the file's fault, never a 500
        logger.info("unreadable import file: %r", exc)
        raise ImportRejected([file_error(NOT_XLSX)]) from exc
    if fmt.sheet_name in workbook.sheetnames:
        return workbook, workbook[fmt.sheet_name]
    if not workbook.worksheets:
        raise ImportRejected([file_error(NOT_XLSX)])
    return workbook, workbook.worksheets[0]


def header_errors(row: tuple[Any, ...], fmt: SheetFormat) -> list[RowError]:
    """The header row against the template (spaces and line breaks inside a header are
    ignored: Excel users wrap long headers)."""
    errors = []
    for index, column in enumerate(fmt.columns):
        got = cell_text(row[index], keep_line_breaks=True) if index < len(row) else ""
        got = _SPACES.sub("", got or "").strip()
        if got == column.header:
            continue
        if not got:
            message = f"第1行 {column.letter}列：缺少表头“{column.header}”"
        else:
            message = f"第1行 {column.letter}列：表头应为“{column.header}”，实际为“{got}”"
        errors.append(RowError(1, column.letter, column.header, message))
    width = len(fmt.columns)
    for index in range(width, len(row)):
        extra = cell_text(row[index], keep_line_breaks=False)
        if extra:
            at = letter(index)
            errors.append(
                RowError(
                    1,
                    at,
                    extra,
                    f"第1行 {at}列：多余的列“{extra}”，请使用导入模板的 {width} 列",
                )
            )
    if errors:
        errors.append(
            file_error(
                "表头与导入模板不一致（应为："
                + "、".join(fmt.headers)
                + "）。请下载最新模板后重新填写。"
            )
        )
    return errors


def read_rows(source: bytes | IO[bytes], fmt: SheetFormat) -> list[tuple[int, tuple[Any, ...]]]:
    """The data rows as (Excel row number, one value per column), blank rows left out.
    Refuses a file that is not an xlsx, has the wrong headers, has no data or has more
    than `fmt.max_rows` rows."""
    data = _read_bytes(source, fmt)
    workbook, sheet = _open_sheet(data, fmt)
    try:
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or not any(cell_text(v, keep_line_breaks=True) for v in header):
            raise ImportRejected([file_error("表格是空的：第1行应为表头，第2行起为数据。")])
        wrong = header_errors(tuple(header), fmt)
        if wrong:
            raise ImportRejected(wrong)
        out: list[tuple[int, tuple[Any, ...]]] = []
        width = len(fmt.columns)
        for number, row in enumerate(rows, start=2):
            if number > fmt.max_scanned_rows:
                raise ImportRejected([file_error(fmt.too_many())])
            cells = tuple(row[:width]) + (None,) * (width - len(row[:width]))
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            if len(out) >= fmt.max_rows:
                raise ImportRejected([file_error(fmt.too_many())])
            out.append((number, cells))
    except ImportRejected:
        raise
    except Exception as exc:  # a corrupt part discovered while streaming the sheet
        logger.info("unreadable import sheet: %r", exc)
        raise ImportRejected([file_error(NOT_XLSX)]) from exc
    finally:
        workbook.close()
    if not out:
        raise ImportRejected([file_error(fmt.empty_message)])
    return out


# --- the template ---------------------------------------------------------------------------

REQUIRED_FILL = "1F4E79"  # required headers darker than optional ones
OPTIONAL_FILL = "5B7FA6"
HELP_TABLE_HEADER = ("列", "表头", "是否必填", "说明与允许的取值")


def required_label(column: Column) -> str:
    return "必填" if column.required else "选填"


def template_workbook(
    columns: Sequence[Column],
    *,
    sheet_name: str,
    max_rows: int,
    widths: Mapping[str, float],
    default_width: float,
    lists: Mapping[str, Sequence[str]],
    strict_lists: bool = True,
    note_size: tuple[int, int] | None = None,
) -> tuple[Any, Any]:
    """A new workbook whose first sheet `sheet_name` is the data sheet: row 1 holds the
    headers (filled by required/optional, a note "必填。/选填。" + the column's help) and
    stays frozen; the columns named in `lists` get a drop-down of their values down to
    row `max_rows` + 1. Returns (workbook, sheet) for the importer's own additions.

    `strict_lists` refuses a value typed outside the list (with a message naming the
    values); an importer that also takes aliases keeps the list as a suggestion only.
    `note_size` is the note's (width, height) in points; None keeps openpyxl's default.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    required_fill = PatternFill("solid", fgColor=REQUIRED_FILL)
    optional_fill = PatternFill("solid", fgColor=OPTIONAL_FILL)
    size = {} if note_size is None else {"width": note_size[0], "height": note_size[1]}
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = required_fill if column.required else optional_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(f"{required_label(column)}。{column.help}", "anjian", **size)
        sheet.column_dimensions[column.letter].width = widths.get(column.key, default_width)
    sheet.freeze_panes = "A2"
    by_key = {c.key: c for c in columns}
    for key, choices in lists.items():
        column = by_key[key]
        if strict_lists:
            refuse: dict[str, Any] = {
                "showErrorMessage": True,
                "errorTitle": column.header,
                "error": "应为 " + "/".join(choices) + " 之一",
            }
        else:
            refuse = {"showErrorMessage": False}
        validation = DataValidation(
            type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True, **refuse
        )
        validation.add(f"{column.letter}2:{column.letter}{max_rows + 1}")
        sheet.add_data_validation(validation)
    return workbook, sheet


def template_help(
    sheet: Any,
    columns: Sequence[Column],
    *,
    title: str,
    rules: Iterable[str],
    example_title: str,
    example: Iterable[Sequence[Any]],
    widths: Mapping[str, float],
    tables: Iterable[Sequence[Any]] = (),
) -> None:
    """Fill the help sheet: the title, the numbered `rules` (one line each), the column
    table (letter, header, required or not, help), the importer's own `tables` (reference
    values; each block starts with its blank row), then `example_title`, the headers and
    the `example` rows, which import as they are."""
    from openpyxl.styles import Font

    from anjian.core import xlsx

    lines: list[Sequence[Any]] = [(title,), (), *((rule,) for rule in rules), (), HELP_TABLE_HEADER]
    header_row = len(lines)
    lines += [(c.letter, c.header, required_label(c), c.help) for c in columns]
    lines += [*tables, (), (example_title,), tuple(c.header for c in columns), *example]
    for values in lines:
        xlsx.append(sheet, values)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for column_letter, width in widths.items():
        sheet.column_dimensions[column_letter].width = width
