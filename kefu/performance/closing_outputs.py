"""Month-close outputs — 奖罚通知单, 人事公布单 and 工资核算表 (CMP-7, PERF-8, PERF-10).

The same content feeds the A4 print page and the PDF (pdf.py); the payroll workbook is the frozen
PayrollLine snapshot of a closed month (or a live preview of an open one). Everything is limited
to the employees the reader may see (``employee_scope_filter``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.core.xlsx import Column, ExportFile, write_workbook
from kefu.org.models import Employee
from kefu.org.selectors import employee_scope_filter

from .choices import COUNTED_STATUSES, IncidentCategory, IncidentStatus, MonthCloseStatus
from .models import Incident, MonthClose, PayrollLine
from .payroll import COLUMNS
from .services.closing import build_payroll_lines, month_label

ZERO = Decimal("0")
DISMISSAL = "辞退"


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _name(user: Any) -> str:
    if user is None:
        return ""
    employee = getattr(user, "employee", None)
    return (employee.name if employee else "") or user.get_username()


@dataclass(frozen=True)
class Approval:
    """The signature block: 经理审核 and 总经理批准 (names and times; empty while pending)."""

    status_label: str
    reviewed_by: str = ""
    reviewed_at: str = ""
    approved_by: str = ""
    approved_at: str = ""


def approval_of(month: dt.date) -> Approval:
    close = (
        MonthClose.objects.filter(month=month)
        .select_related("reviewed_by__employee", "approved_by__employee")
        .first()
    )
    if close is None:
        return Approval(status_label=MonthCloseStatus.OPEN.label)
    return Approval(
        status_label=close.get_status_display(),
        reviewed_by=_name(close.reviewed_by),
        reviewed_at=_local(close.reviewed_at),
        approved_by=_name(close.approved_by),
        approved_at=_local(close.approved_at),
    )


# --- 奖罚通知单 -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoticeLine:
    day: dt.date
    rule_name: str
    category: str
    points: Decimal
    money: Decimal


@dataclass
class NoticeEntry:
    employee_no: str
    name: str
    department: str
    team: str
    lines: list[NoticeLine] = field(default_factory=list)

    @property
    def points_total(self) -> Decimal:
        return sum((x.points for x in self.lines), ZERO)

    @property
    def money_total(self) -> Decimal:
        return sum((x.money for x in self.lines), ZERO)


@dataclass
class Notice:
    """奖罚通知单 of a month."""

    month: dt.date
    entries: list[NoticeEntry]
    approval: Approval
    printed_at: str
    title: str = "奖罚通知单"

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def number(self) -> str:
        return f"JF-{self.month:%Y%m}"

    @property
    def rewards_total(self) -> Decimal:
        return sum((x.money for e in self.entries for x in e.lines if x.money > 0), ZERO)

    @property
    def penalties_total(self) -> Decimal:
        return sum((x.money for e in self.entries for x in e.lines if x.money < 0), ZERO)

    @property
    def money_total(self) -> Decimal:
        return self.rewards_total + self.penalties_total


def _counted(month: dt.date, user: Any) -> Any:
    return (
        Incident.objects.filter(month=month, status__in=COUNTED_STATUSES)
        .filter(employee__in=Employee.objects.filter(employee_scope_filter(user)).values("pk"))
        .select_related("employee__department", "employee__team")
    )


def notice_for(month: dt.date, user: Any) -> Notice:
    """奖罚通知单: per employee every counted reward and penalty booked in ``month`` (reversals
    included, so the totals are what is paid) with the approval block."""
    entries: dict[int, NoticeEntry] = {}
    labels = dict(IncidentCategory.choices)
    qs = _counted(month, user).order_by("employee__employee_no", "day", "pk")
    for inc in qs:
        emp = inc.employee
        entry = entries.get(emp.pk)
        if entry is None:
            entry = entries[emp.pk] = NoticeEntry(
                employee_no=emp.employee_no,
                name=emp.name,
                department=emp.department.name if emp.department_id else "",
                team=emp.team.name if emp.team_id else "",
            )
        name = inc.rule_name if inc.reverses_id is None else f"冲销：{inc.rule_name}"
        entry.lines.append(
            NoticeLine(
                day=inc.day,
                rule_name=name,
                category=labels.get(inc.category, inc.category),
                points=inc.points,
                money=inc.money,
            )
        )
    return Notice(
        month=month,
        entries=list(entries.values()),
        approval=approval_of(month),
        printed_at=_local(timezone.now()),
    )


# --- 人事公布单 -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicationItem:
    employee_no: str
    name: str
    department: str
    what: str
    day: dt.date | None
    note: str = ""


@dataclass
class Publication:
    """人事公布单: the month's sanctions (PERF-10), dismissal proposals and rewards."""

    month: dt.date
    sanctions: list[PublicationItem]
    dismissals: list[PublicationItem]
    rewards: list[PublicationItem]
    approval: Approval
    printed_at: str
    title: str = "人事公布单"

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def number(self) -> str:
        return f"RS-{self.month:%Y%m}"


def _item(inc: Incident, note: str = "") -> PublicationItem:
    emp = inc.employee
    return PublicationItem(
        employee_no=emp.employee_no,
        name=emp.name,
        department=emp.department.name if emp.department_id else "",
        what=inc.rule_name,
        day=inc.day,
        note=note or inc.description,
    )


def publication_for(month: dt.date, user: Any) -> Publication:
    """人事公布单 of ``month``: live (not revoked) sanctions and rewards; dismissal proposals from
    the ledger (建议辞退 lines) and, once closed, the flags of the payroll snapshot."""
    live = (
        _counted(month, user)
        .filter(reverses__isnull=True)
        .exclude(status=IncidentStatus.REVOKED)
        .order_by("employee__employee_no", "day", "pk")
    )
    sanctions, rewards, dismissals = [], [], []
    seen: set[str] = set()
    for inc in live:
        if inc.category == IncidentCategory.SANCTION:
            sanctions.append(_item(inc))
        elif inc.category == IncidentCategory.REWARD:
            money = f"奖励 ¥{inc.money:,.2f}" if inc.money else ""
            rewards.append(_item(inc, money))
        if inc.dismissal_proposed and inc.employee.employee_no not in seen:
            seen.add(inc.employee.employee_no)
            dismissals.append(_item(inc, f"建议辞退（{inc.rule_name}）"))
    flagged = (
        PayrollLine.objects.filter(month=month)
        .filter(employee__in=Employee.objects.filter(employee_scope_filter(user)).values("pk"))
        .exclude(flags=[])
        .select_related("employee")
        .order_by("employee__employee_no")
    )
    for line in flagged:
        wanted = [f for f in line.flags if DISMISSAL in f]
        if wanted and line.employee.employee_no not in seen:
            seen.add(line.employee.employee_no)
            dismissals.append(
                PublicationItem(
                    employee_no=line.employee.employee_no,
                    name=line.employee.name,
                    department=line.department_name,
                    what="、".join(wanted),
                    day=None,
                    note=f"考核分 {line.score}",
                )
            )
    return Publication(
        month=month,
        sanctions=sanctions,
        dismissals=dismissals,
        rewards=rewards,
        approval=approval_of(month),
        printed_at=_local(timezone.now()),
    )


# --- 工资核算表 -----------------------------------------------------------------------------------
def payroll_columns() -> tuple[Column, ...]:
    """工号, 姓名, 部门, 班组, every payroll column in order, 合计."""
    return (
        Column("employee_no", "工号", width=10),
        Column("name", "姓名", width=10),
        Column("department", "部门", width=14),
        Column("team", "班组", width=12),
        *(Column(c.key, c.label, width=max(10, len(c.label) * 2 + 2)) for c in COLUMNS),
        Column("net", "合计", width=12),
    )


def _row(line: PayrollLine, no: str, name: str) -> list[Any]:
    values: list[Any] = [no, name, line.department_name, line.team_name]
    for column in COLUMNS:
        if column.key == "score":
            values.append(Decimal(line.score))
        else:
            values.append(Decimal(line.amounts.get(column.key, "0")))
    values.append(Decimal(line.net))
    return values


def payroll_rows(month: dt.date, user: Any) -> Iterator[list[Any]]:
    """The closed month's rows from its PayrollLine snapshot, by 工号."""
    qs = (
        PayrollLine.objects.filter(month=month)
        .filter(employee__in=Employee.objects.filter(employee_scope_filter(user)).values("pk"))
        .select_related("employee")
        .only(
            "department_name",
            "team_name",
            "score",
            "amounts",
            "net",
            "employee__employee_no",
            "employee__name",
        )
        .order_by("employee__employee_no")
    )
    for line in qs.iterator(chunk_size=2000):
        yield _row(line, line.employee.employee_no, line.employee.name)


def preview_rows(month: dt.date, user: Any) -> Iterator[list[Any]]:
    """An open month's rows computed now from the payroll sources (预览, not frozen)."""
    visible = dict(
        Employee.objects.filter(employee_scope_filter(user)).values_list("pk", "employee_no")
    )
    names = dict(Employee.objects.filter(pk__in=visible).values_list("pk", "name"))
    lines = [pl for pl in build_payroll_lines(month) if pl.employee_id in visible]
    lines.sort(key=lambda pl: visible[pl.employee_id])
    for line in lines:
        yield _row(line, visible[line.employee_id], names[line.employee_id])


def payroll_workbook(month: dt.date, user: Any, *, preview: bool = False) -> ExportFile:
    """工资核算表 (.xlsx): title row, Chinese headers, frozen header, numbers as numbers."""
    columns = payroll_columns()
    money = {c.key: "#,##0.00" for c in COLUMNS if c.money}
    money["net"] = "#,##0.00"
    money["score"] = "0.00"
    label = month_label(month)
    title = f"工资核算表（{label}）" + ("（预览，未结账）" if preview else "")
    rows = preview_rows(month, user) if preview else payroll_rows(month, user)
    content, count = write_workbook(
        sheet_title="工资核算表", title=title, columns=columns, rows=rows, number_formats=money
    )
    suffix = "_预览" if preview else ""
    return ExportFile(
        content=content, count=count, filename=f"工资核算表_{month:%Y%m}{suffix}.xlsx"
    )
