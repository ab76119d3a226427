"""The chat tool's inquiry counts as a file — 询单数导入文件 (CSV or .xlsx), no database.

Columns found by their header, in any order: 日期, 工号, 咨询量 (also 询单数 / 询单量 / 咨询数).
Each row becomes an ``ImportRow`` (``day``, ``employee_no``, ``count``) or Chinese errors beside
the column; 工号, scope, month lock and duplicates are the service's checks.
"""

from __future__ import annotations

from typing import Any

from kefu.core.xlsx import DATE_ERROR, ImportRow, cell_date, cell_number, cell_text

from .orderfile import read_table

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_COUNT = 100_000

HEADERS: dict[str, tuple[str, ...]] = {
    "day": ("日期", "统计日期"),
    "employee_no": ("工号", "客服工号", "员工工号"),
    "count": ("咨询量", "询单数", "询单量", "咨询数", "接待人数"),
}
LABELS = {"day": "日期", "employee_no": "工号", "count": "咨询量"}


def _header(cells: list[Any]) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        label = cell_text(cell).replace("\ufeff", "").replace("*", "").replace(" ", "")
        for key, names in HEADERS.items():
            if label in names and key not in found.values():
                found[index] = key
    return found if set(found.values()) == set(HEADERS) else None


def _row(line: int, cells: list[Any], header: dict[int, str]) -> ImportRow:
    row = ImportRow(line=line, values={})
    for index, key in header.items():
        raw = cells[index] if index < len(cells) else None
        if key == "day":
            try:
                day = cell_date(raw)
            except (ValueError, OverflowError):
                row.errors[key] = DATE_ERROR
                continue
            if day is None:
                row.errors[key] = "请填写日期"
            else:
                row.values[key] = day
        elif key == "count":
            try:
                number = cell_number(raw)
            except (ValueError, ArithmeticError):
                row.errors[key] = "必须是整数"
                continue
            if number is None:
                row.errors[key] = "请填写咨询量"
            elif number != number.to_integral_value() or not 0 <= number <= MAX_COUNT:
                row.errors[key] = f"须为 0～{MAX_COUNT} 的整数"
            else:
                row.values[key] = int(number)
        else:
            text = cell_text(raw).upper()
            if not text:
                row.errors[key] = "请填写工号"
            row.values[key] = text
    return row


def read_rows(data: bytes) -> list[ImportRow]:
    """Rows of an uploaded inquiry file (``orderfile.read_table``: same header search, blank
    lines and row limit as the order export)."""
    return read_table(
        data,
        find_header=_header,
        read_row=_row,
        max_bytes=MAX_FILE_BYTES,
        no_header="没有找到表头：应包含“日期”“工号”“咨询量”三列",
        no_rows="文件中没有询单数记录",
        sheet_title="询单数",
    )
