"""Order export — 订单导出文件: reading the shop's order export (CSV or Excel), no database.

Columns found by their header, in any order: 订单号, 商品, 数量, 单价 and/or 金额, 买家, 付款时间,
备注 (the agent's 工号 is written in the order remarks), and optionally 订单状态 and 拍下时间. A row
whose status is 等待买家付款 is an unpaid order (``kind`` "unpaid": 拍下时间 with hour and minute
required, no 付款时间); 交易关闭 without a 付款时间 is ``closed``; every other row is a sale. CSV in UTF-8 (BOM allowed) or GBK;
Excel .xlsx (first sheet). Each row becomes an ``ImportRow`` with typed values or Chinese errors
beside the column; the business checks (工号, scope, month lock, duplicates) are the service's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
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
    "status": ("订单状态", "交易状态"),
    "placed_at": ("拍下时间", "下单时间", "创建时间", "订单创建时间"),
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
    "status": "订单状态",
    "placed_at": "拍下时间",
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
PLACED_ERROR = "拍下时间格式不正确（应为 YYYY-MM-DD HH:MM，须含时分）"
WAITING_STATUSES = ("等待买家付款", "待付款", "未付款")
CLOSED_STATUSES = ("交易关闭", "已关闭", "交易取消")
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


def _moment(value: Any) -> tuple[dt.datetime, bool]:
    """A cell as a naive date-time and whether it carried a time of day; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0), True
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min), False
    text = " ".join(str(value).split())
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt), "%H" in fmt
        except ValueError:
            continue
    raise ValueError(text)


def raw_rows(data: bytes, sheet_title: str = "订单") -> list[tuple[int, list[Any]]]:
    """(line, cells) of a CSV (UTF-8/GBK, any delimiter) or .xlsx file (first or named sheet)."""
    if data[:4] == b"PK\x03\x04":
        workbook, sheet = open_workbook(data, sheet_title)
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


def read_table(
    data: bytes,
    *,
    find_header: Callable[[list[Any]], dict[int, str] | None],
    read_row: Callable[[int, list[Any], dict[int, str]], ImportRow],
    max_bytes: int,
    no_header: str,
    no_rows: str,
    sheet_title: str = "订单",
) -> list[ImportRow]:
    """The data rows of an uploaded sales file (订单 or 询单数): the header is looked for in the
    first ``HEADER_SEARCH_ROWS`` lines, blank lines are skipped, at most ``MAX_ROWS`` rows.
    DomainError (under the file field, ``no_header`` / ``no_rows`` as its text) for a file that
    cannot be used at all."""
    if len(data) > max_bytes:
        raise file_error(f"文件过大，请不要超过 {max_bytes // (1024 * 1024)} MB")
    header: dict[int, str] | None = None
    rows: list[ImportRow] = []
    for line, cells in raw_rows(data, sheet_title):
        if header is None:
            if line > HEADER_SEARCH_ROWS:
                break
            header = find_header(list(cells))
            continue
        if all(cell_text(c) == "" for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise file_error(f"数据行过多：一次最多导入 {MAX_ROWS} 行，请拆分文件后分批导入")
        rows.append(read_row(line, list(cells), header))
    if header is None:
        raise file_error(no_header)
    if not rows:
        raise file_error(no_rows)
    return rows


def read_rows(data: bytes) -> list[ImportRow]:
    """Rows of an uploaded order export (see ``read_table``)."""
    return read_table(
        data,
        find_header=_header,
        read_row=_row,
        max_bytes=MAX_FILE_BYTES,
        no_header="没有找到表头：应包含“订单号”“商品”“数量”“单价”或“金额”“付款时间”“备注”等列",
        no_rows="文件中没有订单记录",
    )


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
                moment, _ = _moment(raw)
            except (ValueError, OverflowError):
                row.errors[key] = TIME_ERROR
                continue
            row.values[key], row.values["paid_moment"] = moment.date(), moment
        elif key == "placed_at":
            if raw is None or cell_text(raw) == "":
                continue
            try:
                moment, timed = _moment(raw)
            except (ValueError, OverflowError):
                row.errors[key] = PLACED_ERROR
                continue
            if timed:
                row.values[key] = moment
            else:
                row.errors[key] = PLACED_ERROR
        else:
            text = cell_text(raw)
            row.values[key] = text
            if not text and key in ("order_no", "item"):
                row.errors[key] = f"请填写{LABELS[key]}"
    _classify(row)
    if not row.errors and row.values.get("unit_price") is None and row.values.get("amount") is None:
        row.errors["amount"] = "请填写单价或金额"
    return row


def _classify(row: ImportRow) -> None:
    """Set ``kind``: "unpaid" (等待买家付款), "closed" (交易关闭, never paid) or "sale"."""
    status = row.values.get("status", "").replace(" ", "")
    no_payment = "paid_at" not in row.values and row.errors.get("paid_at") == "请填写付款时间"
    if status in WAITING_STATUSES:
        row.values["kind"] = "unpaid"
        if no_payment:
            row.errors.pop("paid_at")
        if "placed_at" not in row.values and "placed_at" not in row.errors:
            row.errors["placed_at"] = "等待买家付款的订单须填写拍下时间（含时分）"
    elif status in CLOSED_STATUSES and "paid_at" not in row.values:
        row.values["kind"] = "closed"
        if no_payment:
            row.errors.pop("paid_at")
    else:
        row.values["kind"] = "sale"
