"""Demo compensation — 演示投诉赔偿 for ``manage.py seed_demo`` (CMP-9).

The demo complaints (``kefu/complaints/demo.py``) close one investigated case with findings: the
warehouse's named 责任人 马刚 (60 %, 认定比例) and 物流组 as a unit (40 %, 按基点分摊). Importing the
findings of their closing months, as 客服主管 KF002 would with "导入责任认定", creates the
compensations, their 处分 lines in the ledger and a projected instalment schedule. Idempotent.

The demo company has nobody in 物流组, so a unit's share would have no one to fall on; the demo
hires the group's three loaders first (through the org service, audited like any hire), with
different base points, so the unit's share shows the CMP-9 split: loss ÷ the unit's total base
points × each person's base points (¥720 over 1.0 + 1.2 + 1.5 基点 → ¥194.60, ¥233.51, ¥291.89).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.complaints.models import ResponsibilityFinding
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Department, Employee, Position

from .services import compensation_import_month

# 物流组's staff: (工号, 姓名, 基点, 月绩效奖金).
UNIT_STAFF: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "LOG": (
        ("WL001", "郑海涛", "1.0", "800"),
        ("WL002", "冯立军", "1.2", "1000"),
        ("WL003", "韩春生", "1.5", "1200"),
    ),
}
STAFF_POSITION = "仓库管理员"
STAFF_SUPERIOR = "CK001"


def _staff_units(actor: Any, months: list[dt.date]) -> int:
    """Hire the demo staff of a unit that a finding makes responsible as a whole but that has
    nobody in it yet; returns how many were hired (0 on a second run)."""
    from kefu.org.services import employee_create

    codes = set(
        ResponsibilityFinding.objects.filter(
            month__in=months, employee__isnull=True, team__isnull=True
        ).values_list("department__code", flat=True)
    )
    position = Position.objects.filter(name=STAFF_POSITION).first()
    superior = Employee.objects.filter(employee_no=STAFF_SUPERIOR).first()
    hired = 0
    for code in sorted(codes & set(UNIT_STAFF)):
        dept = Department.objects.filter(code=code).first()
        if dept is None or position is None:
            continue
        if Employee.objects.filter(department=dept, status=EmployeeStatus.ACTIVE).exists():
            continue
        for no, name, points, bonus in UNIT_STAFF[code]:
            if Employee.objects.filter(employee_no=no).exists():
                continue
            employee_create(
                actor=actor,
                employee_no=no,
                name=name,
                hire_date=dt.date(2021, 4, 1),
                department=dept,
                position=position,
                superior=superior,
                base_points=Decimal(points),
                monthly_bonus=Decimal(bonus),
                roles=[Role.WAREHOUSE.value],
            )
            hired += 1
    return hired


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
    _staff_units(actor, months)
    supervisor = Employee.objects.filter(employee_no="KF002").select_related("user").first()
    who = supervisor.user if supervisor is not None else actor
    for month in months:
        compensation_import_month(month=month, actor=who)
    return len(months)
