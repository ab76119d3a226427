"""Payroll lines of the incident ledger — 奖惩台账的工资核算输入 (PERF-6..8, PERF-10, CMP-7).

For the month close (``register_payroll_source("ledger", …)``): the money of every *counted* line
booked in the month, summed per employee in SQL — 罚款 and 扣分 money → "fines", 奖励 and 加分 money
→ "rewards", 处分 → "sanction_deduction"; a reversal entry (冲销) goes to the column of the line it
cancels, so a revocation booked in a later month gives the money back there. Live lines proposing
dismissal (the third 未交班 or service complaint of a month) add the flag
"建议辞退（<条目>第N次）".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Case, CharField, F, Sum, When

from .choices import COUNTED_STATUSES, IncidentCategory, IncidentStatus
from .models import Incident
from .payroll import FLAG, PayLine

COLUMN_OF_CATEGORY: dict[str, str] = {
    IncidentCategory.FINE: "fines",
    IncidentCategory.DEDUCTION: "fines",
    IncidentCategory.REWARD: "rewards",
    IncidentCategory.ADDITION: "rewards",
    IncidentCategory.SANCTION: "sanction_deduction",
}


def ledger_payroll_lines(
    month: dt.date, employee_ids: Sequence[int] | None = None
) -> list[PayLine]:
    """The ledger's lines of ``month`` (first day): one per employee and column, plus flags.
    Two queries whatever the number of people."""
    month = month.replace(day=1)
    qs = Incident.objects.filter(month=month, status__in=COUNTED_STATUSES)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    kind = Case(
        When(category=IncidentCategory.REVERSAL, then=F("reverses__category")),
        default=F("category"),
        output_field=CharField(),
    )
    sums = (
        qs.annotate(kind=kind)
        .values("employee_id", "kind")
        .annotate(total=Sum("money"))
        .order_by("employee_id", "kind")
    )
    totals: dict[tuple[int, str], Decimal] = {}
    for row in sums:
        column = COLUMN_OF_CATEGORY.get(row["kind"])
        if column is None or not row["total"]:
            continue
        key = (row["employee_id"], column)
        totals[key] = totals.get(key, Decimal("0")) + row["total"]
    lines = [
        PayLine(employee_id=emp, column=column, amount=amount)
        for (emp, column), amount in sorted(totals.items())
        if amount
    ]
    flags = (
        qs.filter(
            dismissal_proposed=True,
            reverses__isnull=True,
            status__in=(IncidentStatus.CONFIRMED, IncidentStatus.APPEALED),
        )
        .order_by("employee_id", "day", "id")
        .values_list("employee_id", "rule_name", "occurrence")
    )
    for emp, rule_name, occurrence in flags:
        note = (
            f"建议辞退（{rule_name}第{occurrence}次）" if occurrence else f"建议辞退（{rule_name}）"
        )
        lines.append(PayLine(employee_id=emp, column=FLAG, amount=Decimal("0"), note=note))
    return lines
