"""投诉统计表 as Excel — the monthly complaint statistics 行政人事部 hands to the GM (CMP-7, RPT-1).

One workbook, one sheet per block: 汇总, 按投诉范围, 按责任部门, 按责任人, 投诉明细. Every sheet has
the title row "YYYY年M月客户投诉统计表", a bold header row of Chinese column names frozen under it,
sensible widths, numbers as numbers and times as Excel dates (the layout of ``kefu.core.xlsx``).
The figures are ``selectors.complaint_stats`` — the same as the statistics page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from kefu.core.xlsx import Column, ExportFile, workbook_bytes, write_sheet

from . import selectors
from .choices import Ground, ProcedureStatus
from .models import Complaint
from .stats import closure_days, closure_limit

OBJECT_TYPE = "complaints.complaint"
MONEY = "#,##0.00"
DAYS = "0.00"
PERCENT = "0.0"


def title_of(month: dt.date) -> str:
    return f"{month.year}年{month.month}月客户投诉统计表"


def filename_of(month: dt.date) -> str:
    return f"{title_of(month)}.xlsx"


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the Shanghai wall-clock time people see on the pages.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _sheet(
    wb: Workbook,
    *,
    name: str,
    title: str,
    columns: tuple[Column, ...],
    rows: Iterable[list[Any]],
    formats: dict[str, str] | None = None,
    first: bool = False,
) -> Any:
    """One sheet of the statistics workbook, in the common export layout (kefu.core.xlsx)."""
    ws = wb.active if first else wb.create_sheet()
    write_sheet(
        ws, sheet_title=name, title=title, columns=columns, rows=rows, number_formats=formats
    )
    return ws


SUMMARY = (Column("item", "项目", 28), Column("value", "数值", 16), Column("note", "说明", 44))
BY_GROUND = (
    Column("ground", "投诉范围", 48),
    Column("count", "件数", 10, "number"),
    Column("share", "占比（%）", 12, "number"),
)
BY_DEPARTMENT = (
    Column("department", "责任部门", 24),
    Column("count", "件数", 10, "number"),
    Column("loss", "分摊损失金额（元）", 20, "number"),
    Column("fines", "罚款金额（元）", 16, "number"),
)
BY_PERSON = (
    Column("person", "责任人", 16),
    Column("department", "所属责任部门", 24),
    Column("count", "件数", 10, "number"),
    Column("loss", "分摊损失金额（元）", 20, "number"),
    Column("fines", "罚款金额（元）", 16, "number"),
)
DETAIL = (
    Column("number", "受理编号", 14),
    Column("ticket", "工单编号", 18),
    Column("complainant", "投诉客户名称", 22),
    Column("ground", "投诉范围", 30),
    Column("demands", "客户要求", 18),
    Column("amount", "涉及金额（元）", 14, "number"),
    Column("accepted", "受理决定", 10),
    Column("status", "当前环节", 16),
    Column("department", "受理部门", 16),
    Column("received", "收到投诉时间", 18, "datetime"),
    Column("due", "结案期限", 18, "datetime"),
    Column("closed", "结案时间", 18, "datetime"),
    Column("days", "用时（天）", 10, "number"),
    Column("on_time", "按期结案", 10),
)


def _summary_rows(stats: dict[str, Any]) -> list[list[Any]]:
    days = stats["close_days"]
    return [
        ["投诉总数", stats["total"], "本月收到的客户投诉"],
        ["受理", stats["accepted"], ""],
        ["不受理", stats["rejected"], "属客户原因，已说明理由"],
        ["待受理", stats["undecided"], ""],
        ["已结案", stats["closed"], ""],
        ["未结案", stats["open"], ""],
        [f"{days}天内结案", stats["closed_on_time"], f"第二十六条：接到投诉{days}天内结案"],
        ["按期结案率（%）", stats["closed_on_time_rate"], "占已结案件数"],
        ["平均结案用时（天）", stats["average_closure_days"], ""],
        [
            "最长结案用时（天）",
            stats["longest_closure_days"],
            stats["longest_closure_label"] and f"投诉 {stats['longest_closure_label']}",
        ],
    ]


def _detail_rows(complaints: Iterable[Complaint], close_days: int) -> Iterable[list[Any]]:
    for c in complaints:
        ticket = c.ticket
        days = closure_days(ticket.received_at, c.closed_at) if c.closed_at else None
        limit = closure_limit(ticket.received_at, ticket.resolution_due, close_days=close_days)
        on_time = "" if c.closed_at is None else ("是" if c.closed_at <= limit else "否")
        yield [
            c.number or "",
            ticket.number,
            c.complainant_name,
            Ground(c.ground).label if c.ground in Ground.values else c.ground,
            "、".join(c.demand_labels),
            float(c.amount_involved),
            {True: "受理", False: "不受理"}.get(c.accepted, "待受理"),
            ProcedureStatus(c.status).label,
            c.investigating_department.name if c.investigating_department_id else "",
            _local(ticket.received_at),
            _local(ticket.resolution_due),
            _local(c.closed_at),
            days,
            on_time,
        ]


def month_complaints(user: Any, month: dt.date) -> list[Complaint]:
    """The complaints received in ``month`` that ``user``'s statistics count (none without the
    statistics right, like ``complaint_stats``)."""
    if not selectors.can_view_stats(user):
        return []
    start, end = selectors.month_bounds(month)
    return list(
        selectors.complaints_for_user(user, received_from=start, received_to=end).order_by(
            "ticket__received_at", "id"
        )
    )


def export_stats(*, actor: Any, month: dt.date) -> ExportFile:
    """The month's 投诉统计表 workbook, as ``actor``'s statistics page shows it."""
    stats = selectors.complaint_stats(actor, month)
    title = title_of(stats["month"])
    total = stats["total"] or 0
    wb = Workbook()
    _sheet(wb, name="汇总", title=title, columns=SUMMARY, rows=_summary_rows(stats), first=True)
    _sheet(
        wb,
        name="按投诉范围",
        title=title,
        columns=BY_GROUND,
        rows=(
            [g["label"], g["count"], round(100 * g["count"] / total, 1) if total else 0.0]
            for g in stats["by_ground"]
        ),
        formats={"share": PERCENT},
    )
    _sheet(
        wb,
        name="按责任部门",
        title=title,
        columns=BY_DEPARTMENT,
        rows=(
            [d["department"], d["count"], float(d["loss"]), float(d["fines"])]
            for d in stats["by_department"]
        ),
        formats={"loss": MONEY, "fines": MONEY},
    )
    _sheet(
        wb,
        name="按责任人",
        title=title,
        columns=BY_PERSON,
        rows=(
            [p["person"], p["department"], p["count"], float(p["loss"]), float(p["fines"])]
            for p in stats["by_person"]
        ),
        formats={"loss": MONEY, "fines": MONEY},
    )
    complaints = month_complaints(actor, stats["month"])
    _sheet(
        wb,
        name="投诉明细",
        title=title,
        columns=DETAIL,
        rows=_detail_rows(complaints, stats["close_days"]),
        formats={"amount": MONEY, "days": DAYS},
    )
    return ExportFile(
        content=workbook_bytes(wb), count=len(complaints), filename=filename_of(stats["month"])
    )
