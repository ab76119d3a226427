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
