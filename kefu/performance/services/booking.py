"""Booking — 奖惩入账: the core write path of the incident ledger, used by every other service
(manual entry, imports from attendance/handover/complaints/sales, appeals, month close).

``incident_book`` turns a catalogue rule into a ledger line with the amounts of the policy version
in force on the event's day, the escalation of the month and the booking month (the first open
one). ``incident_confirm`` makes a proposal count. ``incident_reverse`` cancels a line with a
reversal entry (and optionally books the corrected line) — the original's amounts are never edited.
Fines move the department fund in the same transaction (PERF-7).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.core.policy import fine_policy, policy_version_on
from kefu.fund.fines import fund_credit_fine, fund_reverse_fine
from kefu.org.models import Employee

from ..choices import IncidentCategory, IncidentSource, IncidentStatus
from ..models import Incident
from ..periods import booking_month, month_end, month_start
from ..policy import DOMAIN, CatalogueRule, performance_policy
from ..rules import escalated_fine, signed, within

ZERO = Decimal("0")


def _snapshot(incident: Incident) -> dict[str, Any]:
    return {
        "employee": incident.employee_id,
        "day": incident.day.isoformat(),
        "month": incident.month.isoformat(),
        "rule": incident.rule,
        "points": str(incident.points),
        "money": str(incident.money),
        "status": incident.status,
        "source": incident.source,
        "occurrence": incident.occurrence,
    }


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def month_occurrences(*, employee_id: int, rule: str, day: dt.date) -> int:
    """How many live lines of ``rule`` the person already has in ``day``'s calendar month
    (revoked lines do not count: a revoked complaint is no complaint)."""
    start = month_start(day)
    return (
        Incident.objects.filter(
            employee_id=employee_id,
            rule=rule,
            day__gte=start,
            day__lte=month_end(start),
            reverses__isnull=True,
        )
        .exclude(status=IncidentStatus.REVOKED)
        .count()
    )


def _amounts(
    rule: CatalogueRule,
    *,
    employee_id: int,
    day: dt.date,
    points: Decimal | None,
    money: Decimal | None,
    quantity: Decimal | None,
    occurrence: int | None,
    check_ranges: bool,
) -> tuple[Decimal, Decimal, int | None, bool]:
    factor = quantity if (rule.per_unit and quantity) else Decimal(1)
    dismissal = False
    if rule.escalation:
        occurrence = (
            occurrence or month_occurrences(employee_id=employee_id, rule=rule.code, day=day) + 1
        )
        esc = getattr(fine_policy(day), rule.escalation)
        fine, dismissal = escalated_fine(
            occurrence, first=esc.first, multiplier=esc.multiplier, dismissal_on=esc.dismissal_on
        )
        money = fine if money is None else money
    if points is None:
        points = rule.points * factor
    elif check_ranges and not within(abs(points), rule.points_min, rule.points_max):
        raise DomainError(
            "points_out_of_range",
            f"“{rule.name}”的分值须在 {rule.points_min}～{rule.points_max} 之间",
            fields={"points": "超出制度规定的范围"},
        )
    if money is None:
        money = rule.money * factor
    elif (
        check_ranges
        and not rule.escalation
        and not within(abs(money), rule.money_min, rule.money_max)
    ):
        raise DomainError(
            "money_out_of_range",
            f"“{rule.name}”的金额须在 {rule.money_min}～{rule.money_max} 元之间",
            fields={"money": "超出制度规定的范围"},
        )
    return signed(rule.category, points), signed(rule.category, money), occurrence, dismissal


@transaction.atomic
def incident_book(
    *,
    actor: Any,
    employee: Employee,
    day: dt.date,
    rule_code: str,
    source: str = IncidentSource.MANUAL,
    points: Decimal | None = None,
    money: Decimal | None = None,
    quantity: Decimal | None = None,
    occurrence: int | None = None,
    evidence_ref: str = "",
    evidence_link: str = "",
    description: str = "",
    confirm: bool | None = None,
) -> Incident:
    """Book one reward or penalty — 登记奖惩事件.

    ``points``/``money`` are magnitudes (the rule's category gives the sign); None takes the
    catalogue's amount of the policy in force on ``day`` (× ``quantity`` for per-unit rules).
    Escalating rules (CMP-11, WFM-7) count the person's live lines of the rule in the calendar
    month unless the source states the ``occurrence``. ``confirm`` None: auto-confirmed when the
    source is in the policy's ``auto_confirm_sources``, else proposed. With an ``evidence_ref``
    the call is idempotent: the line already booked for that evidence is returned unchanged.
    """
    if evidence_ref:
        existing = Incident.objects.filter(
            source=source, evidence_ref=evidence_ref, reverses__isnull=True
        ).first()
        if existing is not None:
            return existing
    policy = performance_policy(day)
    rule = policy.rule(rule_code)
    if rule is None:
        raise DomainError(
            "unknown_rule", f"制度中没有奖惩条目“{rule_code}”", fields={"rule": "请选择条目"}
        )
    manual = source == IncidentSource.MANUAL
    if manual and not rule.manual:
        raise DomainError(
            "rule_not_manual",
            f"“{rule.name}”由系统从相关模块自动产生，不能手工登记",
            fields={"rule": "请选择可手工登记的条目"},
        )
    if employee.status != "active" and manual:
        raise DomainError("employee_inactive", "该员工已离职", fields={"employee": "已离职"})
    if day > timezone.localdate():
        raise DomainError("future_day", "发生日期不能晚于今天", fields={"day": "不能晚于今天"})
    for value, name in ((points, "points"), (money, "money"), (quantity, "quantity")):
        if value is not None and value < 0:
            raise DomainError(
                "negative_amount", "请填写正数（扣减或奖励由条目决定）", fields={name: "须≥0"}
            )
    pts, mny, occ, dismissal = _amounts(
        rule,
        employee_id=employee.pk,
        day=day,
        points=points,
        money=money,
        quantity=quantity,
        occurrence=occurrence,
        check_ranges=manual,
    )
    if confirm is None:
        confirm = source in policy.auto_confirm_sources
    now = timezone.now()
    incident = Incident.objects.create(
        employee=employee,
        day=day,
        month=booking_month(day),
        rule=rule.code,
        rule_name=rule.name,
        category=rule.category,
        points=pts,
        money=mny,
        quantity=quantity or ZERO,
        occurrence=occ,
        dismissal_proposed=dismissal,
        source=source,
        evidence_ref=evidence_ref,
        evidence_link=evidence_link,
        description=description,
        status=IncidentStatus.CONFIRMED if confirm else IncidentStatus.PROPOSED,
        policy_version=policy_version_on(DOMAIN, day),
        recorded_by=_user(actor),
        created_at=now,
        confirmed_by=_user(actor) if confirm else None,
        confirmed_at=now if confirm else None,
    )
    audit.record(
        actor=actor, action="performance.incident_booked", obj=incident, after=_snapshot(incident)
    )
    if confirm and rule.to_fund:
        fund_credit_fine(incident=incident, actor=actor)
    return incident


@transaction.atomic
def incident_confirm(*, actor: Any, incident: Incident) -> Incident:
    """Confirm a proposed line — 确认: from now on it counts (and a fine credits the fund)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.PROPOSED:
        raise ConflictError("not_proposed", "只有“待确认”的事件可以确认")
    before = _snapshot(incident)
    incident.status = IncidentStatus.CONFIRMED
    incident.confirmed_by = _user(actor)
    incident.confirmed_at = timezone.now()
    # A proposal waiting across a close is booked in the first open month when confirmed.
    incident.month = booking_month(incident.day)
    incident.save(update_fields=["status", "confirmed_by", "confirmed_at", "month"])
    audit.record(
        actor=actor,
        action="performance.incident_confirmed",
        obj=incident,
        before=before,
        after=_snapshot(incident),
    )
    rule = performance_policy(incident.day).rule(incident.rule)
    if rule is None or rule.to_fund:
        fund_credit_fine(incident=incident, actor=actor)
    return incident


@transaction.atomic
def incident_reverse(
    *,
    actor: Any,
    incident: Incident,
    reason: str,
    corrected_points: Decimal | None = None,
    corrected_money: Decimal | None = None,
) -> tuple[Incident, Incident | None]:
    """Revoke a line — 撤销/更正: book its reversal (amounts negated) in the first open month and,
    for a correction, a new line with the corrected *signed* amounts. The original keeps its
    amounts and becomes 已撤销; a fine's fund credit is reversed. Returns (reversal, corrected).
    A proposed line is simply revoked (it never counted, so nothing is reversed).
    """
    if not reason.strip():
        raise DomainError("reason_required", "请填写撤销或更正的理由", fields={"reason": "必填"})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == IncidentStatus.REVOKED or incident.reverses_id:
        raise ConflictError("already_revoked", "该事件已撤销或本身是冲销记录")
    before = _snapshot(incident)
    was_counted = incident.status != IncidentStatus.PROPOSED
    incident.status = IncidentStatus.REVOKED
    incident.save(update_fields=["status"])
    now = timezone.now()
    reversal = None
    if was_counted:
        reversal = Incident.objects.create(
            employee_id=incident.employee_id,
            day=incident.day,
            month=booking_month(incident.month),
            rule=incident.rule,
            rule_name=incident.rule_name,
            category=IncidentCategory.REVERSAL,
            points=-incident.points,
            money=-incident.money,
            quantity=incident.quantity,
            source=IncidentSource.CORRECTION,
            description=f"冲销：{reason.strip()}",
            status=IncidentStatus.CONFIRMED,
            reverses=incident,
            policy_version=incident.policy_version,
            recorded_by=_user(actor),
            created_at=now,
            confirmed_by=_user(actor),
            confirmed_at=now,
        )
        fund_reverse_fine(reversal=reversal, actor=actor)
    corrected = None
    if corrected_points is not None or corrected_money is not None:
        corrected = Incident.objects.create(
            employee_id=incident.employee_id,
            day=incident.day,
            month=booking_month(incident.month),
            rule=incident.rule,
            rule_name=incident.rule_name,
            category=incident.category,
            points=incident.points if corrected_points is None else corrected_points,
            money=incident.money if corrected_money is None else corrected_money,
            quantity=incident.quantity,
            occurrence=incident.occurrence,
            source=IncidentSource.CORRECTION,
            evidence_link=incident.evidence_link,
            description=f"更正：{reason.strip()}",
            status=IncidentStatus.CONFIRMED,
            policy_version=incident.policy_version,
            recorded_by=_user(actor),
            created_at=now,
            confirmed_by=_user(actor),
            confirmed_at=now,
        )
        fund_credit_fine(incident=corrected, actor=actor)
    audit.record(
        actor=actor,
        action="performance.incident_revoked",
        obj=incident,
        before=before,
        after={
            "status": incident.status,
            "reversal": reversal.pk if reversal else None,
            "corrected": corrected.pk if corrected else None,
        },
        reason=reason.strip(),
    )
    return reversal, corrected
