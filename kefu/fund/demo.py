"""Demo fund lines — 演示部门基金 for ``manage.py seed_demo`` (PERF-7).

The ledger demo credits a few fines to the departments' funds; here 客服部 gets an opening income
(登记收入 by its manager), one team activity approved along the whole chain and one still waiting
for the first approver. Made through the services by the people who would act. Idempotent:
nothing is written when 客服部's fund already has income or spending lines.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.org.approval_flow import approval_current
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Department, Employee

from . import services
from .choices import FundEntryKind
from .models import FundEntry

logger = logging.getLogger(__name__)

DEPARTMENT = "CS"
OPENING = (Decimal("1500.00"), "部门基金箱上月结余转入")
APPROVED = (Decimal("360.00"), "售前组月度生日会（蛋糕、水果）")
PENDING = (Decimal("800.00"), "客服部季度团建聚餐")


def _holder(department: Department, role: Role) -> Employee | None:
    return (
        Employee.objects.filter(
            department=department,
            status=EmployeeStatus.ACTIVE,
            user__is_active=True,
            user__groups__name=role.label,
        )
        .select_related("user")
        .order_by("employee_no")
        .first()
    )


def seed_demo_fund(actor: Any) -> None:
    department = Department.objects.filter(code=DEPARTMENT).first()
    if department is None:
        return
    own = FundEntry.objects.filter(
        department=department, kind__in=[FundEntryKind.INCOME, FundEntryKind.SPENDING]
    )
    if own.exists():
        return
    keeper = _holder(department, Role.CS_MANAGER) or _holder(department, Role.SUPERVISOR)
    lead = _holder(department, Role.TEAM_LEAD)
    if keeper is None or lead is None:
        logger.info("fund demo skipped: 客服部 has no manager or team lead")
        return
    today = timezone.localdate()
    month = today.replace(day=1)
    try:
        services.fund_income_record(
            actor=keeper.user,
            department=department,
            day=month,
            amount=OPENING[0],
            description=OPENING[1],
        )
        spent = services.fund_spending_request(
            actor=lead.user,
            department=department,
            day=max(month, today - dt.timedelta(days=5)),
            amount=APPROVED[0],
            description=APPROVED[1],
        )
        while (step := approval_current(spent)) is not None:
            spent = services.fund_spending_decide(
                actor=step.approver.user, entry=spent, approve=True, reason="同意"
            )
        services.fund_spending_request(
            actor=lead.user,
            department=department,
            day=today,
            amount=PENDING[0],
            description=PENDING[1],
        )
    except DomainError as exc:
        logger.warning("fund demo incomplete: %s", exc.message)
