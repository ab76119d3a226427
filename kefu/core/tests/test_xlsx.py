"""Shared Excel pieces — Excel 导入导出公共部分: cells, header row, file checks, export layout."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kefu.core import xlsx
from kefu.core.errors import DomainError

COLUMNS = (
    xlsx.Column("code", "编号", 10),
    xlsx.Column("day", "日期", 12, "date"),
    xlsx.Column("amount", "金额", 12, "number"),
    xlsx.Column("at", "时间", 17, "datetime"),
)


def workbook(rows: list[list[Any]], title: str = "表") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def spec(**over: Any) -> xlsx.SheetSpec:
    values: dict[str, Any] = {
        "sheet_title": "表",
        "columns": COLUMNS,
        "required_key": "code",
        "parse_cell": lambda column, raw, row: xlsx.parse_basic_cell(column, raw, row),
        "no_header_message": "没有表头",
        "no_rows_message": "没有数据",
        "max_file_bytes": 1024 * 1024,
        "max_rows": 10,
    }
    values.update(over)
    return xlsx.SheetSpec(**values)


@pytest.mark.parametrize(
    ("raw", "text"),
    [(None, ""), (13812345678.0, "13812345678"), (" 甲 ", "甲"), (True, "True"), (1.5, "1.5")],
)
def test_cell_text(raw: Any, text: str) -> None:
    assert xlsx.cell_text(raw) == text


def test_cell_date_and_number() -> None:
    assert xlsx.cell_date("2025/3/1") == dt.date(2025, 3, 1)
    assert xlsx.cell_date("2025年03月01日") == dt.date(2025, 3, 1)
    assert xlsx.cell_date(dt.datetime(2025, 3, 1, 9, 30)) == dt.date(2025, 3, 1)
    assert xlsx.cell_date(45717) == dt.date(2025, 3, 1)  # a date typed into a number cell
    with pytest.raises(ValueError):
        xlsx.cell_date("下周一")
    assert xlsx.cell_number("¥1,234.50") == Decimal("1234.50")
    assert xlsx.cell_number(1234.56) == Decimal("1234.56")
    with pytest.raises(ValueError):
        xlsx.cell_number("NaN")


def test_read_rows_finds_the_header_below_a_title_and_parses_cells() -> None:
    content = workbook(
        [
            ["标题（导出时间 …）"],
            ["编号*", "金 额", "日期", "无关列"],
            ["A1", "12.5", "2025-03-01", "x"],
            [None, None, None, None],
            ["A2", "abc", "明天", None],
        ]
    )
    first, second = xlsx.read_rows(content, spec())
    assert (first.line, first.values) == (
        3,
        {"code": "A1", "amount": Decimal("12.5"), "day": dt.date(2025, 3, 1)},
    )
    assert second.line == 5
    assert second.errors == {"amount": xlsx.NUMBER_ERROR, "day": xlsx.DATE_ERROR}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"plain text", "文件不是有效的 Excel"),
        (b"\xd0\xcf\x11\xe0rest", "旧版 .xls"),
        (b"PK\x03\x04broken", "文件已损坏"),
        (workbook([["甲", "乙"], ["1", "2"]]), "没有表头"),
        (workbook([["编号"]]), "没有数据"),
        (workbook([["编号"], *[[f"A{n}"] for n in range(11)]]), "一次最多导入 10 行"),
    ],
)
def test_unusable_files_are_refused_under_the_file_field(content: bytes, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        xlsx.read_rows(content, spec())
    assert message in caught.value.message
    assert set(caught.value.fields) == {"file"}


def test_too_large_a_file_is_refused_before_it_is_opened() -> None:
    with pytest.raises(DomainError) as caught:
        xlsx.read_rows(b"x" * 2048, spec(max_file_bytes=1024))
    assert "文件过大" in caught.value.message


def test_write_workbook_layout() -> None:
    content, count = xlsx.write_workbook(
        sheet_title="表",
        title="表（导出时间 2025-03-01 09:00）",
        columns=COLUMNS,
        rows=iter([["007", dt.date(2025, 3, 1), Decimal("1234.5"), dt.datetime(2025, 3, 1, 9, 0)]]),
        number_formats={"amount": "#,##0.00"},
        text_columns={"code"},
    )
    assert count == 1
    ws = load_workbook(io.BytesIO(content)).active
    assert ws.title == "表" and ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:D3"
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == ["编号", "日期", "金额", "时间"]
    assert ws[2][0].font.bold
    code, day, amount, at = ws[3]
    assert (code.value, code.number_format) == ("007", "@")
    assert day.number_format == "yyyy-mm-dd"
    assert amount.number_format == "#,##0.00" and amount.value == 1234.5
    assert at.number_format == "yyyy-mm-dd hh:mm"
    assert ws.column_dimensions["D"].width == 17
