"""Reading a 员工档案 workbook into rows — 读取导入文件 (format checks only, no lookups)."""

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from kefu.core.errors import DomainError

from ..choices import EmployeeStatus, Speciality
from . import layout
from .layout import (
    COLUMN_BY_LABEL,
    ROLE_BY_LABEL,
    ROLE_SEPARATORS,
    SHEET_TITLE,
    Column,
)


# --- reading ----------------------------------------------------------------------------------
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


def _file_error(message: str) -> DomainError:
    return DomainError("import_file_invalid", message, fields={"file": message})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _date(value: Any) -> dt.date | None:
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
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _number(value: Any) -> Decimal | None:
    """A number cell as Decimal; raises ValueError for anything that is not one.

    Size and decimal places are left to ``validate_employee_values``, as for a form entry.
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


_SPECIALITY_BY_LABEL = {label: value for value, label in Speciality.choices}
_STATUS_BY_LABEL = {label: value for value, label in EmployeeStatus.choices}


def _parse_cell(column: Column, raw: Any, row: ImportRow) -> None:
    key = column.key
    try:
        if column.kind == "date":
            row.values[key] = _date(raw)
        elif column.kind == "number":
            try:
                row.values[key] = _number(raw)
            except ValueError:
                row.errors[key] = "必须是数字"
                row.values[key] = None
        elif column.kind == "speciality":
            text = _text(raw)
            # Unknown labels pass through: validate_employee_values reports them.
            row.values[key] = _SPECIALITY_BY_LABEL.get(text, text) if text != "无" else ""
        elif column.kind == "status":
            text = _text(raw)
            if text and text not in _STATUS_BY_LABEL and text not in EmployeeStatus.values:
                row.errors[key] = "状态应为“在职”或“离职”"
            row.values[key] = _STATUS_BY_LABEL.get(text, text)
        elif column.kind == "roles":
            text = _text(raw)
            for sep in ROLE_SEPARATORS:
                text = text.replace(sep, " ")
            labels = [part for part in text.split() if part]
            unknown = [label for label in labels if label not in ROLE_BY_LABEL]
            if unknown:
                row.errors[key] = f"未知角色：{'、'.join(unknown)}"
            row.values[key] = sorted({ROLE_BY_LABEL[x] for x in labels if x in ROLE_BY_LABEL})
        else:
            row.values[key] = _text(raw)
    except (ValueError, OverflowError):
        row.errors[key] = "日期格式不正确（应为 YYYY-MM-DD）"
        row.values[key] = None


def _open_sheet(data: bytes) -> Any:
    if data[:4] != b"PK\x03\x04":
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise _file_error("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
        raise _file_error("文件不是有效的 Excel（.xlsx）文件")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError) as exc:
        raise _file_error("文件已损坏或不是有效的 Excel（.xlsx）文件，无法读取") from exc
    except Exception as exc:  # any other parser failure on an untrusted file is the file's fault
        raise _file_error("文件已损坏或不是有效的 Excel（.xlsx）文件，无法读取") from exc
    if SHEET_TITLE in workbook.sheetnames:
        return workbook, workbook[SHEET_TITLE]
    return workbook, workbook.worksheets[0]


def _header_map(cells: Iterable[Any]) -> dict[int, Column]:
    found: dict[int, Column] = {}
    for index, value in enumerate(cells):
        label = _text(value).replace("*", "").replace(" ", "")
        column = COLUMN_BY_LABEL.get(label)
        if column and column not in found.values():
            found[index] = column
    return found


def read_rows(data: bytes) -> list[ImportRow]:
    """Parse an uploaded 员工档案 file into rows; DomainError for a file that cannot be used."""
    if len(data) > layout.MAX_FILE_BYTES:
        raise _file_error(f"文件过大，请不要超过 {layout.MAX_FILE_BYTES // (1024 * 1024)} MB")
    workbook, sheet = _open_sheet(data)
    try:
        return _read_sheet(sheet)
    except DomainError:
        raise
    except Exception as exc:  # a malformed sheet part surfaces only while streaming rows
        raise _file_error("文件已损坏或不是有效的 Excel（.xlsx）文件，无法读取") from exc
    finally:
        workbook.close()


def _read_sheet(sheet: Any) -> list[ImportRow]:
    header: dict[int, Column] | None = None
    rows: list[ImportRow] = []
    cells_by_row = sheet.iter_rows(values_only=True, max_col=layout.MAX_COLUMNS)
    for line, cells in enumerate(cells_by_row, start=1):
        if header is None:
            if line > layout.HEADER_SEARCH_ROWS:
                break
            candidate = _header_map(cells)
            if any(c.key == "employee_no" for c in candidate.values()):
                header = candidate
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        if len(rows) >= layout.MAX_ROWS:
            raise _file_error(
                f"数据行过多：一次最多导入 {layout.MAX_ROWS} 行，请拆分文件后分批导入"
            )
        row = ImportRow(line=line, values={})
        for index, column in header.items():
            _parse_cell(column, cells[index] if index < len(cells) else None, row)
        rows.append(row)
    if header is None:
        raise _file_error("未找到表头行（应包含“工号”“姓名”等列），请以导出的文件为模板填写")
    if not rows:
        raise _file_error("文件中没有员工数据")
    return rows
