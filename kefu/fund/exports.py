"""部门基金台账 as Excel — shared by the page and the API (UI.md: title row, Chinese headers,
frozen header, widths, amounts and balances as numbers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download
from kefu.org.models import Department

from . import selectors
from .choices import FundEntryStatus

EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = (
    Column("day", "日期", 12, "date"),
    Column("kind", "类型", 10),
    Column("description", "摘要", 40),
    Column("amount", "金额（元）", 12, "number"),
    Column("running", "余额（元）", 12, "number"),
    Column("status", "状态", 8),
    Column("by", "经办人", 12),
    Column("decided", "审批完成时间", 17, "datetime"),
)


def user_name(user: Any) -> str:
    """The employee's name behind a login (经办人); 系统 for lines the system booked."""
    if user is None:
        return "系统"
    employee = getattr(user, "employee", None)
    if employee is not None:
        return employee.name
    return user.get_full_name() or user.get_username()


def export_rows(
    department: Department, month: dt.date | None, *, kind: str, status: str
) -> list[list[Any]]:
    rows: list[list[Any]] = []
    entries = selectors.ledger_entries(department.pk, month=month, kind=kind, status=status)
    for e in entries[:EXPORT_LIMIT]:
        effective = e.status == FundEntryStatus.EFFECTIVE and e.running is not None
        rows.append(
            [
                e.day,
                e.get_kind_display(),
                e.description,
                float(e.amount),
                float(e.running) if effective else None,
                e.get_status_display(),
                user_name(e.created_by),
                timezone.localtime(e.decided_at).replace(tzinfo=None) if e.decided_at else None,
            ]
        )
    return rows


def export_response(
    department: Department, month: dt.date | None, *, kind: str, status: str
) -> HttpResponse:
    """The .xlsx download of one department's ledger (a month, or all of it)."""
    today = timezone.localdate()
    span = f"{month:%Y-%m}" if month else "全部"
    content, _ = write_workbook(
        sheet_title="部门基金",
        title=f"{department.name} 部门基金台账（{span}，{today:%Y-%m-%d}导出）",
        columns=EXPORT_COLUMNS,
        rows=export_rows(department, month, kind=kind, status=status),
        number_formats={"amount": "#,##0.00", "running": "#,##0.00"},
    )
    return xlsx_download(content, f"部门基金台账_{department.name}_{today:%Y%m%d}.xlsx")
