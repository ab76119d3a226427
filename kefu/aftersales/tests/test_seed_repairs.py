"""seed_repairs — 维修单规模测试数据: small runs on the test database (the 1M run is bench-only).

On SQLite this checks the portable generator; with DATABASE_URL=postgres://… the set-based SQL
one. Either way every generated order must be one the services could have left behind.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory

from .. import services
from ..clocks import RepairFacts
from ..flow import TRANSITIONS
from ..management.commands._repair_plan import clock_fields, status_of
from ..models import Installation, NumberCounter, RepairOrder

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"^WX(\d{8})-(\d{4,})$")
STAGES = (
    "assigned_at",
    "arrived_at",
    "fixed_at",
    "spare_at",
    "remote_at",
    "signed_at",
    "closed_at",
)


def _seed(count: int, *extra: str) -> str:
    out = io.StringIO()
    call_command("seed_repairs", "--count", str(count), *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _reachable() -> set[str]:
    seen, todo = {"reported"}, ["reported"]
    while todo:
        s = todo.pop()
        for (a, _), b in TRANSITIONS.items():
            if a == s and b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def test_generated_orders_are_consistent(org: dict[str, Any]) -> None:
    output = _seed(600, "--days", "60")
    assert "600" in output and "not audited" in output
    now = timezone.now()
    orders = list(RepairOrder.objects.select_related("installation"))
    assert len(orders) == 600
    assert not AuditEvent.objects.filter(object_type="aftersales.repairorder").exists()
    statuses = Counter(o.status for o in orders)
    assert statuses["closed"] > 400 and len(statuses) >= 4, statuses
    assert set(statuses) <= _reachable()
    per_day: dict[str, list[int]] = {}
    for o in orders:
        at = {k: getattr(o, k) for k in STAGES}
        assert status_of(at) == o.status, o.number
        present = [v for v in at.values() if v is not None]
        assert all(o.reported_at <= v <= now for v in present), o.number
        assert (o.technician_id is not None) == (o.assigned_at is not None)
        assert o.arrival_due > o.reported_at and o.spare_due >= o.fixed_due >= o.arrival_due
        facts = RepairFacts(o.reported_at, o.arrived_at, o.fixed_at, o.spare_at, o.remote_at)
        dues = {"arrival": o.arrival_due, "fixed": o.fixed_due, "spare": o.spare_due}
        expected = clock_fields(
            facts, dues, status=o.status, closed_at=o.closed_at, now=now, warn=4
        )
        if o.status == "closed":
            assert o.next_check_at is None
            for key in ("arrival_breached", "fixed_breached", "spare_breached", "breached"):
                assert getattr(o, key) == expected[key], (o.number, key)
            assert o.notified == expected["notified"]
        else:
            # Open orders were checked when the command ran (a moment before ``now``).
            assert o.breached == expected["breached"] or o.next_check_at is not None
        if o.installation_id:
            inst = o.installation
            assert o.customer_id == inst.customer_id
            day = timezone.localtime(o.reported_at, SHANGHAI).date()
            assert inst.acceptance_date <= day
            assert o.in_warranty == (inst.acceptance_date <= day <= inst.warranty_end)
        else:
            assert not o.in_warranty
        m = NUMBER.match(o.number)
        assert m, o.number
        per_day.setdefault(m.group(1), []).append(int(m.group(2)))
    for day, seqs in per_day.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), day
        assert NumberCounter.objects.get(key=f"WX{day}").last == len(seqs)
    breached = sum(o.breached for o in orders) / len(orders)
    assert 0.02 < breached < 0.4, breached
    for inst in Installation.objects.all():
        assert inst.warranty_end > inst.acceptance_date
        assert (inst.product_id is None) == (inst.kind == "project")


def test_numbers_continue_after_the_services(org: dict[str, Any]) -> None:
    sup = org["supervisor"].user
    first = services.repair_create(actor=sup, customer=CustomerFactory(), fault="无法开机")
    _seed(50, "--days", "1", "--customers", "0", "--installations", "0")
    later = services.repair_create(actor=sup, customer=CustomerFactory(), fault="无法开机")
    numbers = list(RepairOrder.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 52
    day = first.number[2:10]
    today = [int(n.split("-")[1]) for n in numbers if n[2:10] == day]
    assert int(later.number.split("-")[1]) == max(today)


def test_bad_arguments(org: dict[str, Any]) -> None:
    with pytest.raises(CommandError):
        _seed(0)
    with pytest.raises(CommandError):
        _seed(10, "--days", "0")
