"""seed_demo for 投诉赔偿: imports every month with findings, idempotent (CMP-9)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kefu.compensation.demo import seed_demo_compensation
from kefu.compensation.models import Compensation
from kefu.core.models import AuditEvent
from kefu.performance.models import Incident

from .factories import add_qc, complaint, finding

pytestmark = pytest.mark.django_db


def test_seed_demo_imports_findings_once(org):
    add_qc(org)
    c = complaint(org)
    finding(c, department=org["qc"], employee=org["qc1"], loss_share="1080", sanction="warning")
    finding(c, department=org["qc"], loss_share="720", sanction="circulated_criticism")
    assert seed_demo_compensation(org["sysadmin"].user) == 1
    assert sorted(Compensation.objects.values_list("amount", flat=True)) == [
        Decimal("120.00"),
        Decimal("240.00"),
        Decimal("360.00"),
        Decimal("1080.00"),
    ]
    assert Incident.objects.get().rule == "warning"
    counts = (Compensation.objects.count(), Incident.objects.count(), AuditEvent.objects.count())
    seed_demo_compensation(org["sysadmin"].user)
    assert (
        Compensation.objects.count(),
        Incident.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_seed_demo_without_findings_does_nothing(org):
    assert seed_demo_compensation(org["sysadmin"].user) == 0
    assert not Compensation.objects.exists()


def test_seed_demo_shows_a_unit_share_split_by_base_points(org):
    """The demo's 物流组 finding (a unit, no named person): the demo staffs the empty group and
    the loss is split by base points (CMP-9), the parts adding up to the loss."""
    from kefu.compensation.demo import UNIT_STAFF
    from kefu.org.models import Employee, Position
    from kefu.org.tests.factories import DepartmentFactory, PositionFactory

    if not Position.objects.filter(name="仓库管理员").exists():
        PositionFactory(name="仓库管理员")
    log = DepartmentFactory(name="物流组", code="LOG", parent=org["hq"])
    c = complaint(org)
    finding(c, department=log, loss_share="720", sanction="circulated_criticism")
    assert seed_demo_compensation(org["sysadmin"].user) == 1
    staff = Employee.objects.filter(department=log).order_by("employee_no")
    assert [e.employee_no for e in staff] == [s[0] for s in UNIT_STAFF["LOG"]]
    rows = list(
        Compensation.objects.filter(employee__department=log)
        .order_by("employee__employee_no")
        .values_list("basis", "unit_name", "unit_base_points", "base_points", "amount")
    )
    assert rows == [
        ("base_points", "物流组", Decimal("3.70"), Decimal("1.00"), Decimal("194.60")),
        ("base_points", "物流组", Decimal("3.70"), Decimal("1.20"), Decimal("233.51")),
        ("base_points", "物流组", Decimal("3.70"), Decimal("1.50"), Decimal("291.89")),
    ]
    assert sum(r[-1] for r in rows) == Decimal("720")
    # Idempotent: no second hiring, no second compensation.
    counts = (Employee.objects.count(), Compensation.objects.count())
    seed_demo_compensation(org["sysadmin"].user)
    assert (Employee.objects.count(), Compensation.objects.count()) == counts
