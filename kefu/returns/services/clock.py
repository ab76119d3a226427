"""Shipping-clock bookkeeping — 发货时限记录与通知 (AS-8): 24 h target, 48 h at most.

The arithmetic is ``rules.ship_clock`` / ``rules.ship_events_due`` (pure); the limits are the
platform's ``sla.ship_hours`` / ``sla.ship_max_hours`` in force on the day the reshipment became
possible (``reship_ready_at``). Each step sets ``ship_check_at`` (the next instant a notice falls
due); the periodic scan (``tasks.py``, started by ``manage.py returns_clock_schedule``) reads only
cases whose check is due, tells the case's owner (登记人) when the 24 h target passes and, on the
breach of the 48 h limit, the owner and the 主管 of the case's department — each notice once
(``ship_notified``), and the breach once in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.policy import sla_policy
from kefu.org.choices import Role
from kefu.org.models import Department, Employee

from .. import rules
from ..choices import FINAL_STAGES, Stage
from ..models import ReturnCase

# Who answers for a breach, nearest department upwards: the 客服主管, else the 客服部经理.
ESCALATION_ROLES = (Role.SUPERVISOR, Role.CS_MANAGER)


def ship_limits(case: ReturnCase) -> tuple[float, float]:
    """(target, latest) hours of the policy in force when the reshipment became possible."""
    assert case.reship_ready_at is not None
    limits = sla_policy(timezone.localtime(case.reship_ready_at).date())
    return limits.ship_hours, limits.ship_max_hours


def has_ship_clock(case: ReturnCase) -> bool:
    """A replacement may go out (return received or early reship approved), case not cancelled."""
    return (
        case.reship_ready_at is not None
        and case.case_type in rules.RESHIP_LEG_TYPES
        and case.stage != Stage.CANCELLED
    )


def clock_of(case: ReturnCase, *, now: dt.datetime) -> rules.ShipClock | None:
    """The case's shipping clock for pages and the API (None when it has none)."""
    if not has_ship_clock(case):
        return None
    target, latest = ship_limits(case)
    return rules.ship_clock(
        start=case.reship_ready_at,  # type: ignore[arg-type]
        target_hours=target,
        max_hours=latest,
        now=now,
        shipped_at=case.reshipped_at,
    )


def _running(case: ReturnCase) -> bool:
    return (
        has_ship_clock(case)
        and case.reshipped_at is None
        and case.stage not in FINAL_STAGES
        and case.stage != Stage.RESHIPPED
    )


def next_ship_check(case: ReturnCase) -> dt.datetime | None:
    """When the scan must look at the case next (None while its clock is not running)."""
    if not _running(case):
        return None
    target, latest = ship_limits(case)
    return rules.ship_next_check(
        start=case.reship_ready_at,  # type: ignore[arg-type]
        target_hours=target,
        max_hours=latest,
        sent=case.ship_notified or [],
    )


# --- recipients -------------------------------------------------------------------------------
def owner_of(case: ReturnCase) -> list[Employee]:
    """The case's owner: the person who registered it (登记人), while employed."""
    if case.created_by_id is None:
        return []
    found = Employee.objects.filter(user_id=case.created_by_id, status="active").first()
    return [found] if found is not None else []


def _ancestors(department_id: int | None) -> list[int]:
    """``department_id`` and the departments above it, nearest first."""
    parents = dict(Department.objects.values_list("id", "parent_id"))
    chain: list[int] = []
    current = department_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def supervisors_of(case: ReturnCase) -> list[Employee]:
    """The 主管 the breach is escalated to: holders of the 客服主管 role in the case's department
    or the nearest one above it; none there → the 客服部经理 the same way; none on the case's
    line at all (or no department) → every active 主管, else every 经理: a breach is never lost
    for want of a post."""
    chain = _ancestors(case.department_id)
    holders = {
        role: list(
            Employee.objects.filter(user__groups__name=role.label, status="active")
            .select_related("user")
            .distinct()
        )
        for role in ESCALATION_ROLES
    }
    for role in ESCALATION_ROLES:
        for department_id in chain:
            here = [e for e in holders[role] if e.department_id == department_id]
            if here:
                return here
    for role in ESCALATION_ROLES:
        if holders[role]:
            return holders[role]
    return []


def _hours(value: float) -> str:
    return f"{value:g}"


def _send(case: ReturnCase, event: str, clock: rules.ShipClock, limits: tuple[float, float]) -> int:
    from kefu.tickets.services.clock import notify

    target, latest = limits
    due_text = timezone.localtime(clock.due).strftime("%Y-%m-%d %H:%M")
    latest_text = timezone.localtime(clock.latest).strftime("%Y-%m-%d %H:%M")
    if event == rules.SHIP_LATE:
        people = owner_of(case) or supervisors_of(case)
        title = f"退换货单 {case.number} 已超过{_hours(target)}小时发货时限"
        body = f"应于 {due_text} 前发出，最迟 {latest_text}（{_hours(latest)}小时）。请尽快发货。"
    else:
        people = owner_of(case) + supervisors_of(case)
        title = f"退换货单 {case.number} 超过最迟发货时限（{_hours(latest)}小时）"
        body = f"最迟应于 {latest_text} 前发出，至今未发货，已上报主管。"
    return notify(people, title=title, body=body, link=f"/returns/{case.pk}/")


# --- the scan ---------------------------------------------------------------------------------
@dataclass
class ShipScanResult:
    """What one scan did — 发货时限扫描结果."""

    checked: int = 0
    breaches: int = 0
    notifications: int = 0


@transaction.atomic
def returncase_ship_check(*, case_id: int, now: dt.datetime) -> ShipScanResult:
    """Check one case's shipping clock (locked, re-read) and send the notices it has reached.

    Idempotent: a notice already in ``ship_notified`` is never sent again; a case whose check is
    not due (or that was shipped meanwhile) is left alone.
    """
    case = ReturnCase.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None or case.ship_check_at is None or case.ship_check_at > now:
        return ShipScanResult()
    result = ShipScanResult(checked=1)
    sent = list(case.ship_notified or [])
    if _running(case):
        limits = ship_limits(case)
        clock = rules.ship_clock(
            start=case.reship_ready_at,  # type: ignore[arg-type]
            target_hours=limits[0],
            max_hours=limits[1],
            now=now,
        )
        for event in rules.ship_events_due(
            start=case.reship_ready_at,  # type: ignore[arg-type]
            target_hours=limits[0],
            max_hours=limits[1],
            now=now,
            sent=sent,
        ):
            result.notifications += _send(case, event, clock, limits)
            sent.append(event)
            if event == rules.SHIP_BREACH:
                result.breaches += 1
                audit.record(
                    actor=None,
                    action="returns.ship_breach",
                    obj=case,
                    before={"ship_notified": case.ship_notified or []},
                    after={"ship_notified": sent, "latest": clock.latest},
                )
    case.ship_notified = sent
    case.ship_check_at = next_ship_check(case)
    ReturnCase.objects.filter(pk=case.pk).update(
        ship_notified=case.ship_notified, ship_check_at=case.ship_check_at
    )
    return result


def returns_ship_clock_scan(*, now: Any = None, limit: int = 2000) -> ShipScanResult:
    """The periodic scan — 发货时限扫描: every case whose next check is due, oldest first."""
    now = now or timezone.now()
    total = ShipScanResult()
    ids = list(
        ReturnCase.objects.filter(ship_check_at__lte=now)
        .order_by("ship_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    for case_id in ids:
        one = returncase_ship_check(case_id=case_id, now=now)
        total.checked += one.checked
        total.breaches += one.breaches
        total.notifications += one.notifications
    return total
