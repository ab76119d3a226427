"""考勤 Excel: the team list export, and the 考勤月报 in the layout a 考勤员 sends to 行政人事部 —
a summary sheet (one line per person, totals, signature line) and the daily grid with the symbols
of a paper 考勤表 (√ 迟 早 缺 旷 假 休)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kefu.core.xlsx import HEADER_FILL, Column, ExportFile, workbook_bytes, write_workbook
from kefu.workforce.shifts import shift_names

from .models import AttendanceDay
from .report import LEGEND, MonthReport, ReportLine

DAY_COLUMNS = (
    Column("day", "日期", 12, "date"),
    Column("employee_no", "工号", 10),
    Column("name", "姓名", 10),
    Column("team", "班组", 12),
    Column("code", "排班", 10),
    Column("shift_start", "上班时间", 17, "datetime"),
    Column("shift_end", "下班时间", 17, "datetime"),
    Column("clock_in", "上班打卡", 17, "datetime"),
    Column("clock_out", "下班打卡", 17, "datetime"),
    Column("status", "考勤结果", 10),
    Column("late", "迟到（分钟）", 12, "number"),
    Column("early", "早退（分钟）", 12, "number"),
    Column("points", "扣分", 8, "number"),
    Column("money", "罚款（元）", 10, "number"),
    Column("detail", "考勤事件", 40),
)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def days_workbook(rows: Iterable[AttendanceDay]) -> ExportFile:
    """The filtered 考勤 list as one sheet (times in Asia/Shanghai, deductions as positive)."""

    def values() -> Iterable[list[Any]]:
        names: dict[dt.date, dict[str, str]] = {}
        for r in rows:
            if r.day not in names:
                names[r.day] = shift_names(r.day)
            yield [
                r.day,
                r.employee.employee_no,
                r.employee.name,
                r.employee.team.name if r.employee.team else "",
                names[r.day].get(r.code, r.code),
                _local(r.shift_start),
                _local(r.shift_end),
                _local(r.clock_in),
                _local(r.clock_out),
                r.get_status_display(),
                r.late_minutes or None,
                r.early_minutes or None,
                float(-r.points) if r.points else None,
                float(-r.money) if r.money else None,
                "；".join(p["description"] for p in r.penalties),
            ]

    content, count = write_workbook(
        sheet_title="考勤",
        title="考勤记录",
        columns=DAY_COLUMNS,
        rows=values(),
        number_formats={"points": "0.0#", "money": "#,##0.00"},
        text_columns=("employee_no",),
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return ExportFile(content=content, count=count, filename=f"考勤记录_{stamp}.xlsx")


# --- 考勤月报 ------------------------------------------------------------------------------------
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor=HEADER_FILL)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WEEKDAYS = "一二三四五六日"


def _summary_headers(report: MonthReport) -> list[tuple[str, int]]:
    return [
        ("序号", 6),
        ("工号", 10),
        ("姓名", 10),
        ("班组", 12),
        ("应出勤（天）", 9),
        ("实出勤（天）", 9),
        ("迟到（次）", 8),
        ("迟到（分钟）", 9),
        ("早退（次）", 8),
        ("早退（分钟）", 9),
        ("缺卡（次）", 8),
        ("旷工（天）", 8),
        ("旷班（天）", 8),
        ("请假（天）", 8),
        *[(f"{kind}（天）", 8) for kind in report.leave_types],
        ("休息（天）", 8),
        ("补卡（次）", 8),
        ("扣分", 8),
        ("罚款（元）", 10),
        ("扣工资（天）", 9),
        ("备注", 28),
    ]


def _summary_values(report: MonthReport, line: ReportLine, index: int | str) -> list[Any]:
    def num(value: Decimal) -> float:
        return float(value)

    return [
        index,
        line.person.employee_no,
        line.person.name,
        line.person.team,
        line.scheduled_days,
        line.worked_days,
        line.late_count,
        line.late_minutes,
        line.early_count,
        line.early_minutes,
        line.missed_count,
        line.absence_days,
        line.truancy_days,
        line.leave_days,
        *[line.leave_by_type.get(kind, 0) for kind in report.leave_types],
        line.rest_days,
        line.corrections,
        num(line.deducted_points),
        num(line.fined),
        num(line.pay_days),
        line.note,
    ]


def _title(ws: Any, row: int, text: str, width: int, *, size: int = 14) -> None:
    ws.cell(row=row, column=1, value=text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = ws.cell(row=row, column=1)
    cell.font = Font(bold=True, size=size)
    cell.alignment = Alignment(horizontal="center" if size > 11 else "left", vertical="center")


def _header_row(ws: Any, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _FILL, _CENTER, _BORDER


def monthly_workbook(
    report: MonthReport, *, department: str, due: dt.date, submitted: str = ""
) -> ExportFile:
    """The 考勤月报 workbook: 考勤汇总 (summary, totals, signature line) and 考勤明细 (daily grid)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "考勤汇总"
    month = report.month
    headers = _summary_headers(report)
    width = len(headers)
    _title(ws, 1, f"{department} {month.year}年{month.month}月考勤汇总表", width)
    info = (
        f"考勤期间：{report.days[0]:%Y-%m-%d} 至 {report.days[-1]:%Y-%m-%d}　　"
        f"报送：行政人事部　　报送截止：{due:%Y-%m-%d}" + (f"　　{submitted}" if submitted else "")
    )
    _title(ws, 2, info, width, size=10)
    _header_row(ws, 3, [h for h, _ in headers])
    ws.row_dimensions[3].height = 32
    for col, (_, w) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = w
    row = 4
    for index, line in enumerate(report.lines, start=1):
        for col, value in enumerate(_summary_values(report, line, index), start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = _BORDER
            if col == 2:
                cell.number_format = "@"
        row += 1
    for col, value in enumerate(_summary_values(report, report.totals, "合计"), start=1):
        cell = ws.cell(row=row, column=col, value=value if col != 2 else "")
        cell.border, cell.font = _BORDER, _BOLD
    ws.cell(
        row=row + 2,
        column=1,
        value="考勤员：　　　　　　部门负责人：　　　　　　行政人事部签收：　　　　　　日期：",
    )
    ws.freeze_panes = "E4"

    grid = wb.create_sheet("考勤明细")
    days = report.days
    gwidth = 3 + len(days)
    _title(grid, 1, f"{department} {month.year}年{month.month}月考勤明细表", gwidth)
    _title(grid, 2, f"符号：{LEGEND}", gwidth, size=10)
    _header_row(grid, 3, ["工号", "姓名", "班组", *[str(d.day) for d in days]])
    _header_row(grid, 4, ["", "", "", *[WEEKDAYS[d.weekday()] for d in days]])
    for col, w in ((1, 10), (2, 10), (3, 12)):
        grid.column_dimensions[get_column_letter(col)].width = w
    for col in range(4, gwidth + 1):
        grid.column_dimensions[get_column_letter(col)].width = 4.5
    for r, line in enumerate(report.lines, start=5):
        values = [line.person.employee_no, line.person.name, line.person.team]
        values += [line.grid.get(d, "") for d in days]
        for col, value in enumerate(values, start=1):
            cell = grid.cell(row=r, column=col, value=value)
            cell.border = _BORDER
            if col > 3:
                cell.alignment = _CENTER
    grid.freeze_panes = "D5"
    filename = f"{department}_{month.year}年{month.month}月考勤月报.xlsx"
    return ExportFile(content=workbook_bytes(wb), count=len(report.lines), filename=filename)
