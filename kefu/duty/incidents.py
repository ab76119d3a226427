"""Duty incidents — 交接班/在线事件 for the performance module (WFM-7, WFM-8).

Registered by ``DutyConfig.ready()`` as the workforce incident source ``duty``:

* each 未交班 / 超时未接班 flag not waived → ``missed_handover`` / ``unacknowledged_handover``,
  the first fine of ``fines.missed_handover`` in force that day as a negative amount (the
  performance module doubles it and dismisses on the third, PERF);
* every ``offline_strikes_per_month``-th counted 当班离线 of a person in a month (the 3rd, 6th …)
  → ``offline``, minus ``offline_points`` of the policy in force that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.urls import reverse

from kefu.core.policy import fine_policy, workforce_policy
from kefu.core.policy.schemas import WorkforcePolicy
from kefu.workforce.incidents import WorkforceIncident
from kefu.workforce.shifts import shift_names

from .choices import FlagKind, ViolationStatus
from .models import HandoverFlag, PresenceViolation
from .rules import strike_numbers

RULES = {
    FlagKind.MISSING: ("missed_handover", "未交班"),
    FlagKind.UNACKNOWLEDGED: ("unacknowledged_handover", "超时未接班"),
}


def duty_incidents(
    start: dt.date, end: dt.date, employee_ids: Sequence[int] | None = None
) -> list[WorkforceIncident]:
    """Handover flags and offline strikes with ``start`` <= day <= ``end``."""
    found: list[WorkforceIncident] = []
    flags = HandoverFlag.objects.filter(day__gte=start, day__lte=end, waived_at__isnull=True)
    if employee_ids is not None:
        flags = flags.filter(employee_id__in=list(employee_ids))
    fines: dict[dt.date, Decimal] = {}
    names: dict[dt.date, dict[str, str]] = {}
    flags_link = reverse("duty:handover_list") + "?tab=flags"
    for flag in flags.order_by("day", "id"):
        if flag.day not in fines:
            fines[flag.day] = fine_policy(flag.day).missed_handover.first
            names[flag.day] = shift_names(flag.day)
        rule, label = RULES[flag.kind]
        shift = names[flag.day].get(flag.shift_code, flag.shift_code)
        found.append(
            WorkforceIncident(
                source="handover",
                rule=rule,
                employee_id=flag.employee_id,
                day=flag.day,
                points=Decimal(0),
                money=-fines[flag.day],
                description=f"{label}：{flag.day:%Y-%m-%d} {shift}",
                ref=f"duty.handoverflag:{flag.pk}",
                link=(
                    reverse("duty:handover_detail", args=[flag.handover_id])
                    if flag.handover_id
                    else flags_link
                ),
                quantity=Decimal(1),
            )
        )
    found.extend(_offline_incidents(start, end, employee_ids))
    return found


def _offline_incidents(
    start: dt.date, end: dt.date, employee_ids: Sequence[int] | None
) -> list[WorkforceIncident]:
    # The n-th strike of a month needs the whole month from its first day.
    qs = PresenceViolation.objects.filter(
        day__gte=start.replace(day=1), day__lte=end, status=ViolationStatus.COUNTED
    )
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    rows = list(qs.values_list("employee_id", "day", "started_at"))
    policies: dict[dt.date, WorkforcePolicy] = {}

    def policy(day: dt.date) -> WorkforcePolicy:
        if day not in policies:
            policies[day] = workforce_policy(day)
        return policies[day]

    found = []
    link = reverse("duty:presence_board")
    for employee_id, day, n in strike_numbers(rows, lambda d: policy(d).offline_strikes_per_month):
        if not start <= day <= end:
            continue
        p = policy(day)
        found.append(
            WorkforceIncident(
                source="presence",
                rule="offline",
                employee_id=employee_id,
                day=day,
                points=-Decimal(str(p.offline_points)),
                money=Decimal(0),
                description=f"当班离线/隐身本月累计{n}次（每{p.offline_strikes_per_month}次扣分）",
                ref=f"duty.presence:{employee_id}:{day:%Y-%m}:{n}",
                link=link,
                quantity=Decimal(n),
            )
        )
    return found
