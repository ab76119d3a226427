"""Excel exports of the visits module — 回访任务导出, 日结周报 (layout of ``kefu.core.xlsx``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from kefu.core.xlsx import Column, ExportFile, write_workbook

from .models import VisitTask
from .selectors import SummaryRow

TASK_COLUMNS = (
    Column("receipt", "回访单号", 14),
    Column("customer", "客户", 24),
    Column("source", "回访来源", 14),
    Column("due", "计划回访日期", 14, "date"),
    Column("attempt", "第几次", 8, "number"),
    Column("assignee", "回访员", 12),
    Column("status", "状态", 10),
    Column("outcome", "回访结果", 14),
    Column("visited", "回访时间", 18, "datetime"),
    Column("notes", "回访记录", 40),
)

WEEKLY_COLUMNS = (
    Column("department", "部门", 24),
    Column("planned", "应回访", 10, "number"),
    Column("done", "已回访", 10, "number"),
    Column("satisfied", "满意", 10, "number"),
    Column("problems", "发现问题/不满意", 16, "number"),
    Column("no_answer", "无人接听", 10, "number"),
    Column("rate", "完成率（%）", 12, "number"),
)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def tasks_workbook(tasks: Iterable[VisitTask], on: dt.date) -> ExportFile:
    rows: list[list[Any]] = [
        [
            t.receipt_no,
            t.customer.name,
            t.get_source_display(),
            t.due_date,
            t.attempt,
            t.assignee.name if t.assignee else "",
            t.get_status_display(),
            t.get_outcome_display() if t.outcome else "",
            _local(t.visited_at),
            t.notes,
        ]
        for t in tasks
    ]
    content, count = write_workbook(
        sheet_title="回访任务",
        title=f"回访任务（{on:%Y-%m-%d}导出）",
        columns=TASK_COLUMNS,
        rows=rows,
        text_columns=("receipt",),
    )
    return ExportFile(content, count, f"回访任务{on:%Y%m%d}.xlsx")


def weekly_title(start: dt.date) -> str:
    end = start + dt.timedelta(days=6)
    return f"回访日结周报（{start:%Y-%m-%d}至{end:%Y-%m-%d}）"


def weekly_workbook(start: dt.date, rows: list[SummaryRow]) -> ExportFile:
    data = [
        [r.department, r.planned, r.done, r.satisfied, r.problems, r.no_answer, r.done_rate]
        for r in rows
    ]
    content, count = write_workbook(
        sheet_title="日结周报",
        title=weekly_title(start),
        columns=WEEKLY_COLUMNS,
        rows=data,
        number_formats={"rate": "0.0"},
    )
    return ExportFile(content, count, f"{weekly_title(start)}.xlsx")


ACTION_COLUMNS = (
    Column("receipt", "回访单号", 14),
    Column("customer", "客户", 24),
    Column("description", "问题及纠正措施", 40),
    Column("department", "责任部门", 16),
    Column("due", "完成期限", 14, "date"),
    Column("status", "状态", 10),
    Column("ticket", "关联工单", 18),
    Column("created_by", "登记人", 12),
    Column("created", "登记时间", 18, "datetime"),
    Column("closed", "完成时间", 18, "datetime"),
    Column("result", "整改结果", 40),
)


def actions_workbook(actions: Iterable[Any], on: dt.date) -> ExportFile:
    """纠正措施 list as Excel (the filtered list the exporter sees)."""
    rows: list[list[Any]] = []
    for a in actions:
        ticket = a.visit.follow_up_ticket or a.visit.ticket
        rows.append(
            [
                a.visit.receipt_no,
                a.visit.customer.name,
                a.description,
                a.department.name if a.department else "",
                a.due_date,
                a.get_status_display(),
                ticket.number if ticket else "",
                a.created_by.name,
                _local(a.created_at),
                _local(a.closed_at),
                a.result,
            ]
        )
    content, count = write_workbook(
        sheet_title="纠正措施",
        title=f"纠正措施（{on:%Y-%m-%d}导出）",
        columns=ACTION_COLUMNS,
        rows=rows,
        text_columns=("receipt", "ticket"),
    )
    return ExportFile(content, count, f"纠正措施{on:%Y%m%d}.xlsx")
