"""Demo compensation — 演示投诉赔偿 for ``manage.py seed_demo`` (CMP-9).

The demo complaints (``kefu/complaints/demo.py``) close one investigated case with findings: the
warehouse's named 责任人 (认定比例) and 物流部 as a unit (按基点分摊). Importing the findings of
their closing months, as 客服主管 KF002 would with "导入责任认定", creates the compensations,
their 处分 lines in the ledger and a projected instalment schedule. Idempotent.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kefu.complaints.models import ResponsibilityFinding
from kefu.org.models import Employee

from .services import compensation_import_month


def seed_demo_compensation(actor: Any) -> int:
    """Import every month with findings up to this month; returns how many months were read."""
    this_month = timezone.localdate().replace(day=1)
    months = sorted(
        set(
            ResponsibilityFinding.objects.filter(month__lte=this_month).values_list(
                "month", flat=True
            )
        )
    )
    supervisor = Employee.objects.filter(employee_no="KF002").select_related("user").first()
    who = supervisor.user if supervisor is not None else actor
    for month in months:
        compensation_import_month(month=month, actor=who)
    return len(months)
