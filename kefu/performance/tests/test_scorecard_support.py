"""Helpers of the score-card tests (no tests here): ledger lines written straight into the
table (the booking path has its own tests), a 十分制 department, a closed month's snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.core.models import Policy
from kefu.core.policy import clear_policy_cache
from kefu.org.tests.factories import DepartmentFactory, EmployeeFactory
from kefu.performance.choices import IncidentCategory, IncidentStatus, MonthCloseStatus
from kefu.performance.models import Incident, MonthClose, PayrollLine

D = Decimal
MONTH = dt.date(2026, 10, 1)


def line(
    employee: Any,
    points: str | Decimal,
    *,
    month: dt.date = MONTH,
    rule: str = "posture",
    status: str = IncidentStatus.CONFIRMED,
    category: str | None = None,
    money: str = "0",
    day: int = 5,
    description: str = "",
) -> Incident:
    """One ledger line of ``employee`` booked in ``month``."""
    pts = D(points)
    return Incident.objects.create(
        employee=employee,
        day=month.replace(day=day),
        month=month,
        rule=rule,
        rule_name={"posture": "坐姿站姿不端", "late": "迟到", "customer_praise": "受客户表扬"}.get(
            rule, rule
        ),
        category=category or (IncidentCategory.ADDITION if pts > 0 else IncidentCategory.DEDUCTION),
        points=pts,
        money=D(money),
        status=status,
        description=description,
        created_at=timezone.now(),
    )


def ten_point_department(org: dict[str, Any], people: int = 2) -> tuple[Any, list[Any]]:
    """Department 十分制组 (code TEN) scored on the 10-point scale by a policy version in force
    since 2025 (written directly: the service refuses to back-date)."""
    dept = DepartmentFactory(name="十分制组", code="TEN", parent=org["hq"])
    current = Policy.objects.filter(domain="performance").order_by("-version").first()
    assert current is not None
    body = dict(current.body)
    body["department_schemes"] = {"TEN": "points10"}
    Policy.objects.create(
        domain="performance",
        version=current.version + 1,
        effective_from=dt.date(2025, 1, 1),
        body=body,
    )
    clear_policy_cache()
    members = [
        EmployeeFactory(department=dept, position=org["agent_position"]) for _ in range(people)
    ]
    return dept, members


def close_month(org: dict[str, Any], month: dt.date, snapshot: dict[Any, dict[str, Any]]) -> None:
    """Mark ``month`` closed with PayrollLine rows ``{employee: {score, scheme, amounts, flags}}``."""
    gm = org["gm"].user
    now = timezone.now()
    MonthClose.objects.create(
        month=month,
        status=MonthCloseStatus.CLOSED,
        approved_by=gm,
        approved_at=now,
        closed_at=now,
    )
    for emp, row in snapshot.items():
        amounts = row.get("amounts", {})
        PayrollLine.objects.create(
            month=month,
            employee=emp,
            department_name=emp.department.name,
            scheme=row.get("scheme", "points100"),
            score=D(row["score"]),
            amounts=amounts,
            net=sum((D(v) for v in amounts.values()), D(0)),
            flags=row.get("flags", []),
            created_at=now,
        )
