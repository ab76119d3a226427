"""Roster Excel — 排班表导出与导入 (WFM-2), in the grid layout of the page.

The sheet: a title row (``售前组 2026年03月排班表（第2版·已发布）``), a header row 工号 · 姓名 ·
``1日一`` … ``31日二`` · the totals (白班 … 休息 · 请假), one row per person with the shift names
(白班 / 晚班 / 休息 / 请假) coloured as on the page; weekend and holiday columns are shaded.

Import reads the same layout back into the team's draft: every cell and row is checked (工号 of
a member, a known code, the hard rules of ``check_person``); any error → nothing is imported and
every error is reported with its row (``第5行 3日：…``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kefu.core.xlsx import (
    Column,
    RowError,
    cell_text,
    file_error,
    open_workbook,
    workbook_bytes,
    write_sheet,
)

from .grid import Grid
from .rostering.problem import LEAVE, REST

SHEET_TITLE = "排班表"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 500
FILLS = {
    "day": "DDEBF7",
    "night": "E4DFEC",
    "evening": "FCE4D6",
    "sunday": "FFF2CC",
    "early": "E2EFDA",
    "middle": "D9E1F2",
    "graveyard": "D0CECE",
    "rest": "F2F2F2",
    "leave": "FFD7D7",
}
WEEKEND_FILL = "FFF7E6"
HOLIDAY_FILL = "FFE0E0"
_DAY_HEADER = re.compile(r"^(\d{1,2})日")
_TITLE_MONTH = re.compile(r"(\d{4})年(\d{1,2})月")


def day_label(day: dt.date, weekday: str) -> str:
    return f"{day.day}日{weekday}"


def roster_title(grid: Grid) -> str:
    r = grid.roster
    return (
        f"{r.team.name} {r.month.year}年{r.month.month:02d}月排班表"
        f"（第{r.version}版·{r.get_status_display()}）"
    )


def roster_filename(grid: Grid) -> str:
    r = grid.roster
    return f"排班表_{r.team.name}_{r.month:%Y-%m}_v{r.version}.xlsx"


def roster_workbook(grid: Grid) -> bytes:
    """The grid as an .xlsx in the page's layout."""
    columns = [Column("no", "工号", 10), Column("name", "姓名", 10)]
    columns += [Column(f"d{d.day.day}", day_label(d.day, d.weekday), 6) for d in grid.days]
    columns += [Column(f"t_{c}", name, 7) for c, name, _ in grid.shifts]
    columns += [Column("t_rest", "休息", 6), Column("t_leave", "请假", 6)]
    rows = [
        [
            r.employee_no,
            r.name,
            *[c.name if c.code else "" for c in r.cells],
            *r.counts,
            r.rest,
            r.leave,
        ]
        for r in grid.rows
    ]
    wb = Workbook()
    ws = wb.active
    write_sheet(
        ws,
        sheet_title=SHEET_TITLE,
        title=roster_title(grid),
        columns=tuple(columns),
        rows=rows,
        text_columns=("no",),
    )
    first_day_col = 3
    for i, d in enumerate(grid.days):
        col = first_day_col + i
        shade = (
            HOLIDAY_FILL if d.holiday else (WEEKEND_FILL if d.weekend and not d.adjusted else "")
        )
        if shade:
            ws.cell(row=2, column=col).fill = PatternFill("solid", fgColor=shade)
        for r_index, row in enumerate(grid.rows, start=3):
            code = row.cells[i].code
            cell = ws.cell(row=r_index, column=col)
            cell.alignment = Alignment(horizontal="center")
            colour = FILLS.get(code)
            if colour:
                cell.fill = PatternFill("solid", fgColor=colour)
    # Per-day totals under the people: 白班人数 (需求) per day.
    line = len(grid.rows) + 4
    for t in grid.totals:
        ws.cell(row=line, column=2, value=f"{t.name}人数").font = Font(bold=True)
        for i, fig in enumerate(t.days):
            cell = ws.cell(row=line, column=first_day_col + i, value=fig.count)
            cell.alignment = Alignment(horizontal="center")
            if fig.short:
                cell.font = Font(color="C00000", bold=True)
        line += 1
        ws.cell(row=line, column=2, value=f"{t.name}需求").font = Font(color="808080")
        for i, fig in enumerate(t.days):
            if fig.need is not None:
                ws.cell(row=line, column=first_day_col + i, value=fig.need).alignment = Alignment(
                    horizontal="center"
                )
        line += 1
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = None
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    last = get_column_letter(len(columns))
    ws.print_title_rows = "1:2"
    ws.print_area = f"A1:{last}{max(line, 3)}"
    return workbook_bytes(wb)


@dataclass
class ParsedSheet:
    """An uploaded roster sheet read cell by cell — 读取结果."""

    month: dt.date | None
    header_line: int
    rows: list[tuple[int, str, dict[dt.date, str]]]  # (line, 工号, day → raw text)
    errors: list[RowError]


def read_roster_sheet(data: bytes, month: dt.date, days: list[dt.date]) -> ParsedSheet:
    """Read the grid layout: the title's month, the header (工号 + one column per day), and
    each person's raw cell texts. Only file-level problems raise; the rest are row errors."""
    if len(data) > MAX_FILE_BYTES:
        raise file_error(f"文件过大，请不要超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    workbook, sheet = open_workbook(data, SHEET_TITLE)
    try:
        return _read(sheet, month, days)
    except Exception as exc:
        if hasattr(exc, "code"):
            raise
        raise file_error("文件已损坏或不是有效的 Excel（.xlsx）文件，无法读取") from exc
    finally:
        workbook.close()


def _read(sheet: Any, month: dt.date, days: list[dt.date]) -> ParsedSheet:
    errors: list[RowError] = []
    by_number = {d.day: d for d in days}
    header: dict[int, Any] | None = None
    header_line = 0
    found_month: dt.date | None = None
    rows: list[tuple[int, str, dict[dt.date, str]]] = []
    for line, cells in enumerate(sheet.iter_rows(values_only=True, max_col=80), start=1):
        texts = [cell_text(v) for v in cells]
        if header is None:
            if line > 20:
                break
            joined = " ".join(texts)
            m = _TITLE_MONTH.search(joined)
            if m and found_month is None:
                found_month = dt.date(int(m.group(1)), int(m.group(2)), 1)
            labels = [t.replace("*", "").replace(" ", "") for t in texts]
            if "工号" in labels:
                header, header_line = {}, line
                for index, label in enumerate(labels):
                    if label == "工号":
                        header[index] = "no"
                        continue
                    dm = _DAY_HEADER.match(label)
                    if dm and int(dm.group(1)) in by_number:
                        header[index] = by_number[int(dm.group(1))]
            continue
        if not any(texts):
            continue
        no_index = next(i for i, k in header.items() if k == "no")
        no = texts[no_index] if no_index < len(texts) else ""
        if not no:
            # The per-day totals under the grid (白班人数 / 白班需求) have no 工号: not a person.
            continue
        if len(rows) >= MAX_ROWS:
            raise file_error(f"数据行过多：一次最多导入 {MAX_ROWS} 行")
        values = {
            key: (texts[i] if i < len(texts) else "")
            for i, key in header.items()
            if isinstance(key, dt.date)
        }
        rows.append((line, no, values))
    if header is None:
        raise file_error("找不到表头：请使用导出的排班表模板（须有“工号”和“1日”…各日期列）")
    missing_days = [d for d in days if d not in header.values()]
    if missing_days:
        errors.append(
            RowError(
                header_line,
                "",
                "表头缺少日期列：" + "、".join(f"{d.day}日" for d in missing_days[:10]),
            )
        )
    if found_month is not None and found_month != month:
        errors.append(
            RowError(
                header_line,
                "",
                f"文件是{found_month.year}年{found_month.month}月的排班表，"
                f"与草稿月份{month.year}年{month.month}月不符",
            )
        )
    if not rows:
        raise file_error("文件中没有人员排班数据")
    return ParsedSheet(month=found_month, header_line=header_line, rows=rows, errors=errors)


def code_lookup(
    names: dict[str, str], layout: list[str], labels: dict[str, str] | None = None
) -> dict[str, str]:
    """Text in a cell → code: the shift's Chinese name, its code, its one-character grid label,
    休息/休, 请假/假."""
    out = {"休息": REST, "休": REST, REST: REST, "请假": LEAVE, "假": LEAVE, LEAVE: LEAVE}
    for code in layout:
        out[code] = code
        out[names.get(code, code)] = code
        if labels and code in labels:
            out.setdefault(labels[code], code)
    return out
