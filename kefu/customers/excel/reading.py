"""Reading a 客户档案 workbook into rows — 读取导入文件 (format checks only, no lookups)."""

from typing import Any

from kefu.core import xlsx
from kefu.core.xlsx import ImportRow

from ..choices import CustomerType
from ..phones import PHONE_HINT, is_valid_phone, normalize_phone
from . import layout
from .layout import COLUMNS, PHONE_SEPARATORS, SHEET_TITLE, Column

_TYPE_BY_LABEL = {label: value for value, label in CustomerType.choices}


def split_phones(text: str) -> list[str]:
    """The numbers of one 电话 cell, as typed (separators 、,;/ and line breaks)."""
    for sep in PHONE_SEPARATORS:
        text = text.replace(sep, "\n")
    return [part.strip() for part in text.split("\n") if part.strip()]


def _parse_cell(column: Column, raw: Any, row: ImportRow) -> None:
    if xlsx.parse_basic_cell(column, raw, row):
        return
    key = column.key
    text = xlsx.cell_text(raw)
    if column.kind == "customer_type":
        value = _TYPE_BY_LABEL.get(text, text)
        if text and value not in CustomerType.values:
            row.errors[key] = f"客户类型应为{'、'.join(CustomerType.labels)}之一"
        row.values[key] = value
    elif column.kind == "phones":
        parts = split_phones(text)
        if any("*" in part for part in parts):
            # An exported, masked number (138****5678): the row keeps the phones it has.
            row.values["phones_masked"] = True
            row.values[key] = [normalize_phone(p) for p in parts if "*" not in p]
        else:
            row.values[key] = [normalize_phone(p) for p in parts]
        bad = [p for p in parts if "*" not in p and not is_valid_phone(normalize_phone(p))]
        if bad:
            row.errors[key] = f"{'、'.join(bad)}：{PHONE_HINT}"
    else:  # pragma: no cover - every column of COLUMNS has a kind handled above
        raise ValueError(f"unknown column kind {column.kind!r}")


def read_rows(data: bytes) -> list[ImportRow]:
    """Parse an uploaded 客户档案 file into rows; DomainError for a file that cannot be used."""
    spec = xlsx.SheetSpec(
        sheet_title=SHEET_TITLE,
        columns=COLUMNS,
        required_key="name",
        parse_cell=_parse_cell,
        no_header_message="未找到表头行（应包含“客户名称”“电话”等列），请以导出的文件为模板填写",
        no_rows_message="文件中没有客户数据",
        max_file_bytes=layout.MAX_FILE_BYTES,
        max_rows=layout.MAX_ROWS,
        header_search_rows=layout.HEADER_SEARCH_ROWS,
        max_columns=layout.MAX_COLUMNS,
    )
    return xlsx.read_rows(data, spec)
