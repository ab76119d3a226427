"""Time-clock CSV — 考勤机打卡记录文件: reading the export of a time clock (no database).

Columns 工号, 时间 and optionally 类型 (上班 / 下班 / empty) and 设备, in any order, found by their
header; UTF-8 (with or without BOM) or GBK, as Excel and most time clocks save it on a Chinese
Windows. Each row becomes an ``ImportRow`` with typed values or Chinese errors beside the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from kefu.core.xlsx import ImportRow, file_error

from .choices import Direction

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10

HEADERS: dict[str, tuple[str, ...]] = {
    "employee_no": ("工号", "员工工号", "员工编号", "考勤号"),
    "time": ("时间", "打卡时间", "刷卡时间", "日期时间"),
    "direction": ("类型", "打卡类型", "上下班"),
    "device": ("设备", "考勤机", "机器号", "设备名称"),
}
LABELS = {"employee_no": "工号", "time": "时间", "direction": "类型", "device": "设备"}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
)
TIME_ERROR = "时间格式不正确（应为 YYYY-MM-DD HH:MM 或 YYYY-MM-DD HH:MM:SS）"
DIRECTIONS = {
    "": Direction.UNKNOWN,
    "上班": Direction.IN,
    "上班打卡": Direction.IN,
    "签到": Direction.IN,
    "in": Direction.IN,
    "下班": Direction.OUT,
    "下班打卡": Direction.OUT,
    "签退": Direction.OUT,
    "out": Direction.OUT,
}
DIRECTION_ERROR = "类型只能是“上班”“下班”或留空"


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM allowed) first, then GBK (GB18030, its superset)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件")


def parse_time(text: str) -> dt.datetime:
    """A naive local time from the file; ValueError when it is not one of TIME_FORMATS."""
    value = " ".join(text.split())
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(text)


def _header(cells: list[str]) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        label = cell.replace("\ufeff", "").replace("*", "").replace(" ", "").strip()
        for key, names in HEADERS.items():
            if label in names and key not in found.values():
                found[index] = key
    keys = set(found.values())
    return found if {"employee_no", "time"} <= keys else None


def read_rows(data: bytes) -> list[ImportRow]:
    """Rows of an uploaded time-clock CSV; DomainError (under the file field) for a file that
    cannot be used at all: too big, wrong encoding, no header, no rows, too many rows."""
    if len(data) > MAX_FILE_BYTES:
        raise file_error(f"文件过大，请不要超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        raise file_error("请上传 CSV 文件（在 Excel 中“另存为” CSV 格式）")
    text = decode(data).replace("\x00", "")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    header: dict[int, str] | None = None
    rows: list[ImportRow] = []
    try:
        for line, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if header is None:
                if line > HEADER_SEARCH_ROWS:
                    break
                header = _header(cells)
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise file_error(f"数据行过多：一次最多导入 {MAX_ROWS} 行，请拆分文件后分批导入")
            rows.append(_row(line, cells, header))
    except csv.Error as exc:
        raise file_error("文件不是有效的 CSV 文件，无法读取") from exc
    if header is None:
        raise file_error("没有找到表头：第一行应包含“工号”和“时间”两列（“类型”可选）")
    if not rows:
        raise file_error("文件中没有打卡记录")
    return rows


def _row(line: int, cells: list[str], header: dict[int, str]) -> ImportRow:
    row = ImportRow(line=line, values={})
    for index, key in header.items():
        raw = cells[index].strip() if index < len(cells) else ""
        if key == "employee_no":
            row.values[key] = raw[:20]
            if not raw:
                row.errors[key] = "请填写工号"
        elif key == "time":
            row.values[key] = None
            if not raw:
                row.errors[key] = "请填写打卡时间"
            else:
                try:
                    row.values[key] = parse_time(raw)
                except ValueError:
                    row.errors[key] = TIME_ERROR
        elif key == "direction":
            value = DIRECTIONS.get(raw.lower() if raw.isascii() else raw)
            row.values[key] = value if value is not None else Direction.UNKNOWN
            if value is None:
                row.errors[key] = DIRECTION_ERROR
        else:
            row.values[key] = raw[:60]
    return row
