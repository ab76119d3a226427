"""Reading a 员工档案 workbook into rows — 读取导入文件 (format checks only, no lookups).

The file-level work (type, size, header row, row limit, plain cells) is ``kefu.core.xlsx``;
this module adds the sheet's own cells: 专长, 状态 and 角色.
"""

from typing import Any

from kefu.core import xlsx
from kefu.core.xlsx import ImportResult, ImportRow, RowError

from ..choices import EmployeeStatus, Speciality
from . import layout
from .layout import COLUMNS, ROLE_BY_LABEL, ROLE_SEPARATORS, SHEET_TITLE, Column

__all__ = ["ImportResult", "ImportRow", "RowError", "read_rows"]

_SPECIALITY_BY_LABEL = {label: value for value, label in Speciality.choices}
_STATUS_BY_LABEL = {label: value for value, label in EmployeeStatus.choices}


def _parse_cell(column: Column, raw: Any, row: ImportRow) -> None:
    if xlsx.parse_basic_cell(column, raw, row):
        return
    key = column.key
    text = xlsx.cell_text(raw)
    if column.kind == "speciality":
        # Unknown labels pass through: validate_employee_values reports them.
        row.values[key] = _SPECIALITY_BY_LABEL.get(text, text) if text != "无" else ""
    elif column.kind == "status":
        if text and text not in _STATUS_BY_LABEL and text not in EmployeeStatus.values:
            row.errors[key] = "状态应为“在职”或“离职”"
        row.values[key] = _STATUS_BY_LABEL.get(text, text)
    elif column.kind == "roles":
        for sep in ROLE_SEPARATORS:
            text = text.replace(sep, " ")
        labels = [part for part in text.split() if part]
        unknown = [label for label in labels if label not in ROLE_BY_LABEL]
        if unknown:
            row.errors[key] = f"未知角色：{'、'.join(unknown)}"
        row.values[key] = sorted({ROLE_BY_LABEL[x] for x in labels if x in ROLE_BY_LABEL})
    else:  # pragma: no cover - every column of COLUMNS has a kind handled above
        raise ValueError(f"unknown column kind {column.kind!r}")


def read_rows(data: bytes) -> list[ImportRow]:
    """Parse an uploaded 员工档案 file into rows; DomainError for a file that cannot be used."""
    # The limits are read from ``layout`` on every call, so tests (and operators) patch them there.
    spec = xlsx.SheetSpec(
        sheet_title=SHEET_TITLE,
        columns=COLUMNS,
        required_key="employee_no",
        parse_cell=_parse_cell,
        no_header_message="未找到表头行（应包含“工号”“姓名”等列），请以导出的文件为模板填写",
        no_rows_message="文件中没有员工数据",
        max_file_bytes=layout.MAX_FILE_BYTES,
        max_rows=layout.MAX_ROWS,
        header_search_rows=layout.HEADER_SEARCH_ROWS,
        max_columns=layout.MAX_COLUMNS,
    )
    return xlsx.read_rows(data, spec)
