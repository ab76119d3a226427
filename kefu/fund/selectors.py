"""部门基金 reads (PERF-7), always scoped to what the user may read.

Transparency is the rule: every member of a department reads its own department's fund (an agent
included), a department's head also the departments below it; 行政人事部, 副总经理 and 总经理
read every department's fund. Nobody else reads another department's fund.

Balance — 基金余额 = the sum of the department's effective lines (已入账); pending, rejected and
cancelled spendings never count. The ledger shows the running balance (余额) after each effective
line in the order (day, id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from kefu.org.choices import Role
from kefu.org.models import ApprovalStep, Department
from kefu.org.roles import roles_of
from kefu.org.selectors import department_descendant_ids, employee_of

from .choices import FundEntryKind, FundEntryStatus
from .models import FundEntry

VIEW = "fund.view_fundentry"
EXPORT = "fund.export_fund"
REQUEST_SPENDING = "fund.request_spending"
RECORD_INCOME = "fund.record_income"

# Roles that read every department's fund (PERF-7: the leadership and 行政人事部).
ALL_DEPARTMENTS_ROLES = frozenset({Role.HR.value, Role.DEPUTY_GM.value, Role.GM.value})

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def money(value: Decimal | None) -> Decimal:
    """Two decimals (SQLite sums lose the column's scale)."""
    return (value or ZERO).quantize(Decimal("0.01"))


def fund_department_ids_for_user(user: Any) -> set[int] | None:
    """Ids of the departments whose fund ``user`` may read; None means every department."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW):
        return set()
    if getattr(user, "is_superuser", False) or ALL_DEPARTMENTS_ROLES & {
        str(r) for r in roles_of(user)
    }:
        return None
    me = employee_of(user)
    if me is None or me.department_id is None:
        return set()
    ids = {me.department_id}
    headed = list(Department.objects.filter(head=me).values_list("id", flat=True))
    if headed:
        tree = list(Department.objects.values_list("id", "parent_id"))
        for root in headed:
            ids |= department_descendant_ids(root, tree)
    return ids


def fund_departments_for_user(user: Any) -> QuerySet[Department]:
    """The departments whose fund ``user`` may read — 可查看的部门基金, in the org's order."""
    ids = fund_department_ids_for_user(user)
    qs = Department.objects.order_by("sort_order", "id")
    return qs if ids is None else qs.filter(pk__in=ids)


def fund_can_read(user: Any, department_id: int) -> bool:
    ids = fund_department_ids_for_user(user)
    return ids is None or department_id in ids


def fund_entries_for_user(user: Any) -> QuerySet[FundEntry]:
    """Fund lines ``user`` may read: the readable departments' lines, plus the spendings the
    user requested or is an approver of (an approver above the department sees what to decide)."""
    ids = fund_department_ids_for_user(user)
    if ids is None:
        return FundEntry.objects.all()
    scope = Q(department_id__in=ids)
    me = employee_of(user)
    if me is not None and user.has_perm(VIEW):
        steps = ApprovalStep.objects.filter(kind="fund_spending", approver=me).values("subject_id")
        scope |= Q(kind=FundEntryKind.SPENDING, pk__in=steps)
        scope |= Q(kind=FundEntryKind.SPENDING, created_by=user)
    return FundEntry.objects.filter(scope)


def fund_entry_get_for_user(user: Any, pk: int) -> FundEntry:
    """One line, or FundEntry.DoesNotExist when missing or outside what the user may read."""
    return (
        fund_entries_for_user(user).select_related("department", "created_by__employee").get(pk=pk)
    )


def fund_balance(department_id: int, *, exclude_pk: int | None = None) -> Decimal:
    """基金余额: the sum of the department's effective lines."""
    qs = FundEntry.objects.filter(department_id=department_id, status=FundEntryStatus.EFFECTIVE)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return money(qs.aggregate(s=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))["s"])


def fund_pending_spending(department_id: int, *, exclude_pk: int | None = None) -> Decimal:
    """待审批支出: the (negative) sum of the department's spendings still in approval."""
    qs = FundEntry.objects.filter(
        department_id=department_id,
        kind=FundEntryKind.SPENDING,
        status=FundEntryStatus.PENDING,
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return money(qs.aggregate(s=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))["s"])


def fund_balances(department_ids: list[int] | None) -> dict[int, Decimal]:
    """Balance per department (one query); departments without lines are absent (¥0.00)."""
    qs = FundEntry.objects.filter(status=FundEntryStatus.EFFECTIVE)
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    rows = qs.values("department_id").annotate(s=Sum("amount")).values_list("department_id", "s")
    return {dept: money(total) for dept, total in rows}


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    """First day of ``month`` and first day of the next month."""
    start = month.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt


def parse_month(value: str | None) -> dt.date | None:
    """'2026-11' → 2026-11-01; None when absent or not a month."""
    try:
        return dt.datetime.strptime((value or "").strip()[:7], "%Y-%m").date()
    except ValueError:
        return None


@dataclass(frozen=True)
class MonthTotals:
    """本月收入 / 本月支出 of effective lines (spending shown as a positive figure)."""

    income: Decimal
    spending: Decimal


def fund_month_totals(department_id: int, month: dt.date) -> MonthTotals:
    start, end = month_range(month)
    row = FundEntry.objects.filter(
        department_id=department_id,
        status=FundEntryStatus.EFFECTIVE,
        day__gte=start,
        day__lt=end,
    ).aggregate(
        income=Coalesce(Sum("amount", filter=Q(amount__gt=0)), Value(ZERO), output_field=_MONEY),
        spending=Coalesce(Sum("amount", filter=Q(amount__lt=0)), Value(ZERO), output_field=_MONEY),
    )
    return MonthTotals(income=money(row["income"]), spending=money(-row["spending"]))


def _running_balance() -> Subquery:
    """余额 after a line: the effective lines of its department up to (day, id) inclusive."""
    upto = (
        FundEntry.objects.filter(
            department_id=OuterRef("department_id"), status=FundEntryStatus.EFFECTIVE
        )
        .filter(Q(day__lt=OuterRef("day")) | Q(day=OuterRef("day"), pk__lte=OuterRef("pk")))
        .order_by()
        .values("department_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Subquery(upto, output_field=_MONEY)


def ledger_entries(
    department_id: int,
    *,
    month: dt.date | None = None,
    kind: str = "",
    status: str = "",
) -> QuerySet[FundEntry]:
    """台账: the department's lines, newest first, filtered, each with its running balance
    (``running``; meaningful for effective lines) and the requester joined."""
    qs = FundEntry.objects.filter(department_id=department_id)
    if month is not None:
        start, end = month_range(month)
        qs = qs.filter(day__gte=start, day__lt=end)
    if kind in FundEntryKind.values:
        qs = qs.filter(kind=kind)
    if status in FundEntryStatus.values:
        qs = qs.filter(status=status)
    return (
        qs.select_related("created_by").annotate(running=_running_balance()).order_by("-day", "-id")
    )
