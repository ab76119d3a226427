"""Fines into the fund — 罚款计入部门基金 (PERF-7): called by the incident ledger's services in
their transaction, never by pages. A confirmed fine credits its department's fund; the reversal
of a fine debits it again. Each incident moves the fund at most once (OneToOne)."""

from __future__ import annotations

from django.utils import timezone

from kefu.core import audit

from .choices import FundEntryKind, FundEntryStatus
from .models import FundEntry


def fund_credit_fine(*, incident: object, actor: object | None = None) -> FundEntry | None:
    """Book a confirmed fine (money < 0 on the ledger) as income of the fined person's department.

    Returns the entry, or None when there is nothing to book (no money deducted, already booked,
    or the person has no department).
    """
    from kefu.performance.models import Incident

    assert isinstance(incident, Incident)
    if incident.money >= 0 or FundEntry.objects.filter(incident=incident).exists():
        return None
    department_id = incident.employee.department_id
    if department_id is None:
        return None
    entry = FundEntry.objects.create(
        department_id=department_id,
        day=incident.day,
        kind=FundEntryKind.FINE,
        amount=-incident.money,
        description=f"罚款：{incident.employee.name} {incident.rule_name}"[:200],
        incident=incident,
        status=FundEntryStatus.EFFECTIVE,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor, action="fund.fine_credited", obj=entry, after={"amount": str(entry.amount)}
    )
    return entry


def fund_reverse_fine(*, reversal: object, actor: object | None = None) -> FundEntry | None:
    """Book the reversal of a fine: the fund gives back what the original credited (or the part
    the reversal cancels). None when the original never credited the fund."""
    from kefu.performance.models import Incident

    assert isinstance(reversal, Incident) and reversal.reverses_id
    credited = FundEntry.objects.filter(
        incident_id=reversal.reverses_id, kind=FundEntryKind.FINE
    ).first()
    if credited is None or reversal.money <= 0:
        return None
    amount = min(reversal.money, credited.amount)
    entry = FundEntry.objects.create(
        department_id=credited.department_id,
        day=timezone.localdate(),
        kind=FundEntryKind.FINE_REVERSAL,
        amount=-amount,
        description=f"罚款冲销：{reversal.employee.name} {reversal.rule_name}"[:200],
        incident=reversal,
        status=FundEntryStatus.EFFECTIVE,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor, action="fund.fine_reversed", obj=entry, after={"amount": str(entry.amount)}
    )
    return entry
