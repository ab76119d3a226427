"""Test helpers for 投诉赔偿: a 质检部 with people of base points 1/2/3 and findings made directly
(the complaints app's own tests cover how findings arise)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.complaints.models import Complaint, ResponsibilityFinding
from kefu.complaints.tests.factories import open_complaint
from kefu.org.choices import Level
from kefu.org.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    TeamFactory,
)


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def add_qc(org: dict[str, Any], *, bonus: str = "800", parent: str = "hq") -> dict[str, Any]:
    """质检部 (QC, under ``parent``) with 一组: QC1 (1 基点), QC2 (2), QC3 (3, not in the team),
    bonus ``bonus``."""
    dept = DepartmentFactory(name="质检部", code="QC", parent=org[parent])
    team = TeamFactory(department=dept, name="质检一组")
    pos = PositionFactory(name="质检员", level=Level.AGENT)
    people = []
    for no, points, in_team in (("QC1", "1", True), ("QC2", "2", True), ("QC3", "3", False)):
        people.append(
            EmployeeFactory(
                employee_no=no,
                name=f"质检{no[-1]}",
                department=dept,
                team=team if in_team else None,
                superior=org["dgm"],
                position=pos,
                base_points=Decimal(points),
                monthly_bonus=Decimal(bonus),
                roles=[],
            )
        )
    org.update({"qc": dept, "qc_team": team, "qc1": people[0], "qc2": people[1], "qc3": people[2]})
    return org


def complaint(org: dict[str, Any]) -> Complaint:
    return open_complaint(org["agent_a1"])


def finding(
    complaint: Complaint,
    *,
    department: Any,
    loss_share: str = "0",
    team: Any = None,
    employee: Any = None,
    sanction: str = "none",
    service: bool = False,
    occurrence: int | None = None,
    fine: str = "0",
    month: dt.date | None = None,
) -> ResponsibilityFinding:
    month = month or this_month()
    return ResponsibilityFinding.objects.create(
        complaint=complaint,
        department=department,
        team=team,
        employee=employee,
        share_percent=Decimal("100"),
        loss_amount=Decimal(loss_share),
        loss_share=Decimal(loss_share),
        proposed_sanction=sanction,
        is_service_attitude=service,
        service_month=month if service else None,
        occurrence=occurrence,
        fine_amount=Decimal(fine),
        month=month,
        created_at=timezone.now(),
    )
