"""Repair clock bookkeeping — 维修时限记录与通知 (AS-2): store deadlines, flag breaches, notify.

The arithmetic is ``kefu.aftersales.clocks`` (pure); this module feeds it a stored order, stores
what it answers (deadlines, breach flags, ``notified``, ``next_check_at``) and sends the
notifications. It runs after every stage (a stage recorded late is flagged at once) and from the
periodic scan (``tasks.py``), which reads only orders whose ``next_check_at`` is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import add_business_hours_on_calendar
from kefu.org.choices import Role
from kefu.org.models import Employee
from kefu.tickets.services.clock import notify

from ..clocks import CLOCK_KEYS, CLOCK_LABELS, ClockReading, RepairFacts, events_due, next_check
from ..clocks import readings as clock_readings
from ..models import RepairOrder
from ..policy import aftersales_policy, repair_hours
from .common import local_day, local_text


def facts_of(order: RepairOrder) -> RepairFacts:
    return RepairFacts(
        reported_at=order.reported_at,
        arrived_at=order.arrived_at,
        fixed_at=order.fixed_at,
        spare_at=order.spare_at,
        remote_at=order.remote_at,
    )


def compute_dues(reported_at: dt.datetime) -> dict[str, dt.datetime]:
    """The three deadlines by the policy in force on the report day (wall or working hours)."""
    day = local_day(reported_at)
    rules = aftersales_policy(day).clocks
    hours = repair_hours(day)
    if rules.mode == "business":
        return {k: add_business_hours_on_calendar(reported_at, hours[k]) for k in CLOCK_KEYS}
    return {k: reported_at + dt.timedelta(hours=hours[k]) for k in CLOCK_KEYS}


def dues_of(order: RepairOrder) -> dict[str, dt.datetime]:
    return {"arrival": order.arrival_due, "fixed": order.fixed_due, "spare": order.spare_due}


def set_dues(order: RepairOrder) -> None:
    dues = compute_dues(order.reported_at)
    order.arrival_due, order.fixed_due, order.spare_due = (
        dues["arrival"],
        dues["fixed"],
        dues["spare"],
    )


def warn_hours(order: RepairOrder) -> float:
    return aftersales_policy(local_day(order.reported_at)).clocks.warn_before_hours


def order_readings(
    order: RepairOrder, *, now: dt.datetime, warn: float | None = None
) -> list[ClockReading]:
    """The three clocks of a stored order for pages (time left / overdue / met).

    ``warn``: the warning hours when the caller already read them (a list reads them once).
    """
    hours = warn_hours(order) if warn is None else warn
    return clock_readings(facts_of(order), dues_of(order), now=now, warn_before_hours=hours)


# --- notification -----------------------------------------------------------------------------
def holders_of(roles: list[str]) -> list[Employee]:
    labels = [Role(r).label for r in roles if r in Role.values]
    return list(
        Employee.objects.filter(user__groups__name__in=labels, status="active")
        .select_related("user")
        .distinct()
    )


def recipients(order: RepairOrder, event: str) -> list[Employee]:
    """A warning goes to the technician (or the warning roles while none is assigned); a breach to
    the technician and the breach roles (policy ``notify``)."""
    rules = aftersales_policy(local_day(order.reported_at)).notify
    tech = [order.technician] if order.technician_id and order.technician.is_active else []
    if event.endswith(":warn"):
        return tech or holders_of(rules.warning_roles)
    return tech + holders_of(rules.breach_roles)


def _send(order: RepairOrder, event: str) -> int:
    key, kind = event.split(":")
    due = dues_of(order)[key]
    label = CLOCK_LABELS[key]
    if kind == "warn":
        title = f"维修单 {order.number} {label}时限即将到期"
    else:
        title = f"维修单 {order.number} {label}已超时"
    body = f"报修时间 {local_text(order.reported_at)}，{label}期限 {local_text(due)}。"
    return notify(
        recipients(order, event), title=title, body=body, link=f"/aftersales/repairs/{order.pk}/"
    )


@dataclass
class ClockResult:
    checked: int = 0
    breaches: int = 0
    notifications: int = 0


def refresh_clock(order: RepairOrder, *, now: dt.datetime, send: bool = True) -> ClockResult:
    """Recompute flags, send what is due, set ``next_check_at`` — and save those fields.

    Called inside the caller's transaction with the order locked. Breach flags only ever turn
    on from new facts; a corrected report time recomputes them from scratch (the caller resets).
    """
    result = ClockResult(checked=1)
    facts, dues = facts_of(order), dues_of(order)
    hours = warn_hours(order)
    sent = set(order.notified or [])
    before = {k: getattr(order, f"{k}_breached") for k in CLOCK_KEYS}
    for r in clock_readings(facts, dues, now=now, warn_before_hours=hours):
        if r.breached:
            setattr(order, f"{r.key}_breached", True)
    after = {k: getattr(order, f"{k}_breached") for k in CLOCK_KEYS}
    order.breached = any(after.values())
    result.breaches = sum(1 for k in CLOCK_KEYS if after[k] and not before[k])
    closed = order.status == "closed"
    for event in events_due(facts, dues, now=now, warn_before_hours=hours, sent=sent):
        if send and not closed:
            result.notifications += _send(order, event)
        sent.add(event)
    order.notified = sorted(sent)
    order.next_check_at = (
        None if closed else next_check(facts, dues, warn_before_hours=hours, sent=sent)
    )
    if order.pk is not None:
        RepairOrder.objects.filter(pk=order.pk).update(
            arrival_breached=order.arrival_breached,
            fixed_breached=order.fixed_breached,
            spare_breached=order.spare_breached,
            breached=order.breached,
            notified=order.notified,
            next_check_at=order.next_check_at,
        )
    if result.breaches and order.pk is not None:
        audit.record(
            actor=None,
            action="repair.breach",
            obj=order,
            before={f"{k}_breached": v for k, v in before.items() if after[k] != v},
            after={f"{k}_breached": v for k, v in after.items() if before[k] != v},
        )
    return result


@transaction.atomic
def repair_clock_check(*, order_id: int, now: dt.datetime) -> ClockResult:
    """Check one order's clocks (locked, re-read) — 单张维修单时限检查."""
    order = (
        RepairOrder.objects.select_for_update(of=("self",))
        .select_related("technician")
        .filter(pk=order_id)
        .first()
    )
    if order is None or order.next_check_at is None or order.next_check_at > now:
        return ClockResult()
    return refresh_clock(order, now=now)


def repairs_clock_scan(*, now: Any = None, limit: int = 2000) -> ClockResult:
    """The periodic scan — 维修时限扫描: every order whose next check is due, oldest first."""
    now = now or timezone.now()
    total = ClockResult()
    ids = list(
        RepairOrder.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in ids:
        one = repair_clock_check(order_id=order_id, now=now)
        total.checked += one.checked
        total.breaches += one.breaches
        total.notifications += one.notifications
    return total
