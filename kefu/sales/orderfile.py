"""Order export — 订单导出文件: reading the shop's order export (CSV or Excel), no database.

Columns found by their header, in any order: 订单号, 商品, 数量, 单价 and/or 金额, 买家, 付款时间,
备注 (the agent's 工号 is written in the order remarks). CSV in UTF-8 (BOM allowed) or GBK;
Excel .xlsx (first sheet). Each row becomes an ``ImportRow`` with typed values or Chinese errors
beside the column; the business checks (工号, scope, month lock, duplicates) are the service's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

from kefu.core.xlsx import ImportRow, cell_number, cell_text, file_error, open_workbook

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10
MAX_AMOUNT = Decimal("9999999999.99")

HEADERS: dict[str, tuple[str, ...]] = {
    "order_no": ("订单号", "订单编号", "订单号码"),
    "item": ("商品", "商品名称", "宝贝标题", "商品标题", "产品"),
    "quantity": ("数量", "购买数量", "宝贝数量"),
    "unit_price": ("单价", "商品单价", "价格", "商品价格"),
    "amount": ("金额", "实付金额", "小计", "买家实际支付金额", "销售额"),
    "customer_name": ("买家", "买家会员名", "买家昵称", "客户", "客户名称"),
    "paid_at": ("付款时间", "支付时间", "成交时间", "日期"),
    "remarks": ("备注", "卖家备注", "订单备注", "客服备注"),
}
LABELS = {
    "order_no": "订单号",
    "item": "商品",
    "quantity": "数量",
    "unit_price": "单价",
    "amount": "金额",
    "customer_name": "买家",
    "paid_at": "付款时间",
    "remarks": "备注",
}
REQUIRED = ("order_no", "item", "quantity", "paid_at", "remarks")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
TIME_ERROR = "付款时间格式不正确（应为 YYYY-MM-DD HH:MM）"
# A 工号 in the remarks: letters then digits (KF011, E00012) or a number of 3+ digits.
EMPLOYEE_NO = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,4}\d{2,8}|\d{3,8})(?![A-Za-z0-9])")


def employee_numbers_in(text: str) -> list[str]:
    """Candidate 工号 written in an order's remarks, in order, upper-cased, without repeats."""
    found: list[str] = []
    for match in EMPLOYEE_NO.findall(text or ""):
        value = match.upper()
        if value not in found:
            found.append(value)
    return found


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件")


def _paid_day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).split())
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _raw_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    if data[:4] == b"PK\x03\x04":
        workbook, sheet = open_workbook(data, "订单")
        try:
            return [
                (line, list(cells))
                for line, cells in enumerate(sheet.iter_rows(values_only=True, max_col=60), 1)
            ]
        except Exception as exc:
            raise file_error("文件已损坏或不是有效的 Excel（.xlsx）文件，无法读取") from exc
        finally:
            workbook.close()
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise file_error("不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV 后再导入")
    text = _decode(data).replace("\x00", "")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(enumerate(csv.reader(io.StringIO(text), dialect), start=1))
    except csv.Error as exc:
        raise file_error("文件不是有效的 CSV 文件，无法读取") from exc


def _header(cells: list[Any]) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        label = cell_text(cell).replace("\ufeff", "").replace("*", "").replace(" ", "")
        for key, names in HEADERS.items():
            if label in names and key not in found.values():
                found[index] = key
    keys = set(found.values())
    if set(REQUIRED) <= keys and keys & {"unit_price", "amount"}:
        return found
    return None


def read_rows(data: bytes) -> list[ImportRow]:
    """Rows of an uploaded order export; DomainError (under the file field) for a file that
    cannot be used at all."""
    if len(data) > MAX_FILE_BYTES:
        raise file_error(f"文件过大，请不要超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    header: dict[int, str] | None = None
    rows: list[ImportRow] = []
    for line, cells in _raw_rows(data):
        if header is None:
            if line > HEADER_SEARCH_ROWS:
                break
            header = _header(cells)
            continue
        if all(cell_text(c) == "" for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise file_error(f"数据行过多：一次最多导入 {MAX_ROWS} 行，请拆分文件后分批导入")
        rows.append(_row(line, cells, header))
    if header is None:
        raise file_error(
            "没有找到表头：应包含“订单号”“商品”“数量”“单价”或“金额”“付款时间”“备注”等列"
        )
    if not rows:
        raise file_error("文件中没有订单记录")
    return rows


def _row(line: int, cells: list[Any], header: dict[int, str]) -> ImportRow:
    row = ImportRow(line=line, values={})
    for index, key in header.items():
        raw = cells[index] if index < len(cells) else None
        if key in ("quantity", "unit_price", "amount"):
            try:
                number = cell_number(raw)
            except (ValueError, ArithmeticError):
                row.errors[key] = "必须是数字"
                continue
            row.values[key] = number
            if number is None:
                if key == "quantity":
                    row.errors[key] = "请填写数量"
            elif key == "quantity" and (number <= 0 or number != number.to_integral_value()):
                row.errors[key] = "数量必须是正整数"
            elif number < 0 or number > MAX_AMOUNT:
                row.errors[key] = "金额不能为负数或过大"
        elif key == "paid_at":
            if raw is None or cell_text(raw) == "":
                row.errors[key] = "请填写付款时间"
                continue
            try:
                row.values[key] = _paid_day(raw)
            except ValueError:
                row.errors[key] = TIME_ERROR
        else:
            text = cell_text(raw)
            row.values[key] = text
            if not text and key in ("order_no", "item"):
                row.errors[key] = f"请填写{LABELS[key]}"
    if not row.errors and row.values.get("unit_price") is None and row.values.get("amount") is None:
        row.errors["amount"] = "请填写单价或金额"
    return row
