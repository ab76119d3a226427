"""Demo ledger data — seeded through the services, idempotent."""

from __future__ import annotations

import pytest

from kefu.performance.choices import MonthCloseStatus
from kefu.performance.demo import seed_demo_performance
from kefu.performance.models import Appeal, Incident, MonthClose, PayrollLine


@pytest.mark.django_db
def test_demo_is_idempotent(org: dict, make_employee) -> None:
    team = org["team_a"]
    team.leader = org["lead_a"]
    team.save(update_fields=["leader"])
    make_employee(employee_no="KF013", name="客服甲三", team=team, department=org["cs"])
    seed_demo_performance(None)
    n = Incident.objects.count()
    assert n >= 7
    assert set(Incident.objects.values_list("status", flat=True)) >= {"confirmed", "proposed"}
    assert Appeal.objects.filter(status="pending").count() == 1
    # The month before last is closed through the real workflow, with its payroll snapshot.
    closed = MonthClose.objects.get()
    assert closed.status == MonthCloseStatus.CLOSED
    assert closed.reviewed_by == org["manager"].user and closed.approved_by == org["gm"].user
    lines = PayrollLine.objects.filter(month=closed.month).count()
    assert lines > 0
    seed_demo_performance(None)
    assert Incident.objects.count() == n and Appeal.objects.count() == 1
    assert MonthClose.objects.count() == 1
    assert PayrollLine.objects.filter(month=closed.month).count() == lines
