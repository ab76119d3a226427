"""Excel workbooks — Excel 导入导出公共部分: the pieces every module's import and export share.

A module describes its sheet with ``Column`` rows and keeps its own business checks; this file
reads uploaded cells into typed values (``cell_text``, ``cell_date``, ``cell_number``), finds the
header row by its Chinese labels, turns a workbook into ``ImportRow`` objects with file-level
checks (type, size, row limit), and writes the export layout UI.md asks for: a merged title row,
a bold header row, frozen panes, an auto-filter, sensible widths, dates as dates and numbers as
numbers.

Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from .errors import DomainError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
DATE_ERROR = "日期格式不正确（应为 YYYY-MM-DD）"
NUMBER_ERROR = "必须是数字"
_CORRUPT = "文件已损坏或不是有效的 Excel（.xlsx）文件，无法读取"


@dataclass(frozen=True)
class Column:
    """One column of a module's sheet: the key its values are stored under, the Chinese header,
    the width in characters and the kind of cell (``text``, ``date``, ``datetime``, ``number``,
    or a module's own kind that its cell parser understands)."""

    key: str
    label: str
    width: int
    kind: str = "text"


@dataclass
class ImportRow:
    """One data row of an uploaded file: its Excel row number, typed values, parse errors.

    ``values`` holds only the columns present in the file, keyed by ``Column.key``.
    """

    line: int
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RowError:
    """One problem of an import, shown as "第5行 手机号：格式不正确"."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"第{self.line}行 {self.field}：{self.message}"
        return f"第{self.line}行：{self.message}"


@dataclass
class ImportResult:
    """What an import did — 导入结果: counts, or the errors that stopped it (then nothing changed)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        """The result as a background job stores it (``BackgroundJob.result``)."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [
                {"row": e.line, "field": e.field, "message": e.message} for e in self.errors
            ],
        }

    @property
    def summary(self) -> str:
        """One line for the notification: the counts, or how many errors stopped the import."""
        if self.errors:
            return f"发现 {len(self.errors)} 处错误，本次未导入任何数据"
        text = f"成功导入 {self.created} 条，更新 {self.updated} 条"
        return text + (f"（{self.unchanged} 条无变化）" if self.unchanged else "")


def file_error(message: str) -> DomainError:
    """A file that cannot be imported at all, shown under the upload field."""
    return DomainError("import_file_invalid", message, fields={"file": message})


# --- cells --------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """A cell as trimmed text; whole floats lose their ``.0`` (a phone typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def cell_date(value: Any) -> dt.date | None:
    """A cell as a date; raises ValueError for anything that is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_excel(value).date()  # a date typed into a cell formatted as a number
    text = str(value).strip()
    if not text:
        return None
    text = text.split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_number(value: Any) -> Decimal | None:
    """A number cell as Decimal; raises ValueError for anything that is not one.

    Size and decimal places are left to the module's validation, as for a form entry.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = str(value)  # repr of a float is its shortest exact decimal: 1234.56, not …5599
    else:
        text = str(value).strip().replace(",", "").replace("¥", "").replace("，", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():
        raise ValueError(text)
    return number


def parse_basic_cell(column: Column, raw: Any, row: ImportRow) -> bool:
    """Store a ``text``/``date``/``number`` cell in ``row`` (or its error); False for other kinds.

    ``datetime`` columns are written by exports only (创建时间…) and are not read back.
    """
    key = column.key
    if column.kind == "date":
        try:
            row.values[key] = cell_date(raw)
        except (ValueError, OverflowError):
            row.errors[key] = DATE_ERROR
            row.values[key] = None
        return True
    if column.kind == "number":
        try:
            row.values[key] = cell_number(raw)
        except ValueError:
            row.errors[key] = NUMBER_ERROR
            row.values[key] = None
        return True
    if column.kind == "datetime":
        return True
    if column.kind == "text":
        row.values[key] = cell_text(raw)
        return True
    return False


# --- reading ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetSpec:
    """How to read one module's sheet.

    ``required_key`` is the column whose header marks the header row. The limits are technical
    (they bound one request's memory and time), not business rules; they are read when a file is
    read, so a module may keep them in a module it lets tests patch.
    """

    sheet_title: str
    columns: tuple[Column, ...]
    required_key: str
    parse_cell: Callable[[Column, Any, ImportRow], None]
    no_header_message: str
    no_rows_message: str
    max_file_bytes: int
    max_rows: int
    header_search_rows: int = 20
    max_columns: int = 60


def open_workbook(data: bytes, sheet_title: str) -> tuple[Any, Any]:
    """The workbook and its sheet named ``sheet_title`` (else the first); DomainError otherwise."""
    if data[:4] != b"PK\x03\x04":
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise file_error("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
        raise file_error("文件不是有效的 Excel（.xlsx）文件")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError) as exc:
        raise file_error(_CORRUPT) from exc
    except Exception as exc:  # any other parser failure on an untrusted file is the file's fault
        raise file_error(_CORRUPT) from exc
    if sheet_title in workbook.sheetnames:
        return workbook, workbook[sheet_title]
    return workbook, workbook.worksheets[0]


def header_map(cells: Iterable[Any], columns_by_label: Mapping[str, Column]) -> dict[int, Column]:
    """Cell index → column for a candidate header row ("*" and spaces in a label are ignored)."""
    found: dict[int, Column] = {}
    for index, value in enumerate(cells):
        label = cell_text(value).replace("*", "").replace(" ", "")
        column = columns_by_label.get(label)
        if column and column not in found.values():
            found[index] = column
    return found


def read_rows(data: bytes, spec: SheetSpec) -> list[ImportRow]:
    """Parse an uploaded workbook into rows; DomainError for a file that cannot be used."""
    if len(data) > spec.max_file_bytes:
        raise file_error(f"文件过大，请不要超过 {spec.max_file_bytes // (1024 * 1024)} MB")
    workbook, sheet = open_workbook(data, spec.sheet_title)
    try:
        return _read_sheet(sheet, spec)
    except DomainError:
        raise
    except Exception as exc:  # a malformed sheet part surfaces only while streaming rows
        raise file_error(_CORRUPT) from exc
    finally:
        workbook.close()


def _read_sheet(sheet: Any, spec: SheetSpec) -> list[ImportRow]:
    by_label = {c.label: c for c in spec.columns}
    header: dict[int, Column] | None = None
    rows: list[ImportRow] = []
    cells_by_row = sheet.iter_rows(values_only=True, max_col=spec.max_columns)
    for line, cells in enumerate(cells_by_row, start=1):
        if header is None:
            if line > spec.header_search_rows:
                break
            candidate = header_map(cells, by_label)
            if any(c.key == spec.required_key for c in candidate.values()):
                header = candidate
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        if len(rows) >= spec.max_rows:
            raise file_error(f"数据行过多：一次最多导入 {spec.max_rows} 行，请拆分文件后分批导入")
        row = ImportRow(line=line, values={})
        for index, column in header.items():
            spec.parse_cell(column, cells[index] if index < len(cells) else None, row)
        rows.append(row)
    if header is None:
        raise file_error(spec.no_header_message)
    if not rows:
        raise file_error(spec.no_rows_message)
    return rows


# --- writing ------------------------------------------------------------------------------------
HEADER_FILL = "DDEBF7"


@dataclass(frozen=True)
class ExportFile:
    """An export ready to send: the .xlsx bytes, how many records it holds, its file name."""

    content: bytes
    count: int
    filename: str


def write_sheet(
    ws: Any,
    *,
    sheet_title: str,
    title: str,
    columns: tuple[Column, ...],
    rows: Iterable[list[Any]],
    number_formats: Mapping[str, str] | None = None,
    text_columns: Iterable[str] = (),
) -> int:
    """Fill ``ws`` in the export layout; returns the number of data rows.

    Merged title row, bold header row on a fill, column widths, frozen header, auto-filter.
    ``number_formats`` maps column keys to Excel formats; ``text_columns`` are stored as text so
    Excel keeps leading zeros and never turns a phone into 1.38E+10. ``date`` and ``datetime``
    columns get date formats, so they sort and filter as dates. Empty cells get no format.
    """
    number_formats = dict(number_formats or {})
    text_keys = set(text_columns)
    ws.title = sheet_title
    last_col = get_column_letter(len(columns))
    ws.append([title])
    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    ws.append([c.label for c in columns])
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    formats: list[str | None] = []
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
        if column.kind == "date":
            formats.append("yyyy-mm-dd")
        elif column.kind == "datetime":
            formats.append("yyyy-mm-dd hh:mm")
        elif column.key in number_formats:
            formats.append(number_formats[column.key])
        elif column.key in text_keys:
            formats.append("@")
        else:
            formats.append(None)
    count = 0
    for values in rows:
        ws.append(values)
        count += 1
        for cell, number_format in zip(ws[ws.max_row], formats, strict=True):
            if number_format and cell.value is not None:
                cell.number_format = number_format
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{last_col}{max(ws.max_row, 2)}"
    return count


def write_workbook(
    *,
    sheet_title: str,
    title: str,
    columns: tuple[Column, ...],
    rows: Iterable[list[Any]],
    number_formats: Mapping[str, str] | None = None,
    text_columns: Iterable[str] = (),
) -> tuple[bytes, int]:
    """An export workbook of one sheet (bytes, number of data rows) — see ``write_sheet``."""
    wb = Workbook()
    count = write_sheet(
        wb.active,
        sheet_title=sheet_title,
        title=title,
        columns=columns,
        rows=rows,
        number_formats=number_formats,
        text_columns=text_columns,
    )
    return workbook_bytes(wb), count


def workbook_bytes(wb: Any) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
