"""The periodic duty scan — 交接班与在线检查 (WFM-7, WFM-8), run by ``tasks.duty_scan_task``.

For each rostered shift that ended recently (published roster):

* no handover from anyone on it ``missing_after_minutes`` after its end → a 未交班 flag for
  each person on it (their team lead is told);
* each person offline or hidden during it for at least the grace time → a 当班离线 record.

And each handover whose confirmation deadline passed with expected 接班人 still missing → a
超时未接班 flag for each of them. Every flag and record is an incident source (``incidents``).
Idempotent: a shift is checked once (ShiftCheck), a flag is unique per person, kind and shift.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.org.models import Employee
from kefu.workforce.shifts import shift_names

from ..choices import FlagKind, HandoverStatus, PresenceStatus, ViolationStatus
from ..models import (
    Handover,
    HandoverFlag,
    PresenceEvent,
    PresenceViolation,
    ShiftCheck,
)
from ..policy import duty_policy
from ..rules import Cell, offline_finding
from ..schedule import WindowCache, team_cells
from .handover import notify

# Shifts that ended up to this many days ago are checked (the worker may have been down).
LOOKBACK_DAYS = 2


@dataclass
class ScanResult:
    """What one scan did — 检查结果."""

    shifts: int = 0
    missing_flags: int = 0
    unacknowledged_flags: int = 0
    violations: int = 0
    notifications: int = 0


def duty_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """One pass over recently ended shifts and overdue handovers (system, no actor)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = ScanResult()
    windows = WindowCache()
    days = [today - dt.timedelta(days=i) for i in range(LOOKBACK_DAYS, -1, -1)]
    cells = team_cells(days, windows=windows)
    groups: dict[tuple[int, dt.date, str], list[Cell]] = defaultdict(list)
    for team_id, team_list in cells.items():
        if team_id is None:
            continue
        for cell in team_list:
            groups[(team_id, cell.day, cell.code)].append(cell)
    for (team_id, day, code), members in sorted(groups.items(), key=lambda kv: kv[0][1:]):
        end = members[0].end
        if end > now:
            continue
        _check_shift(team_id, day, code, members, now, result)
    for handover_id in Handover.objects.filter(
        status=HandoverStatus.PENDING, ack_overdue=False, ack_due_at__lte=now
    ).values_list("pk", flat=True):
        _flag_unacknowledged(handover_id, now, result)
    return result


@transaction.atomic
def _check_shift(
    team_id: int, day: dt.date, code: str, members: list[Cell], now: dt.datetime, result: ScanResult
) -> None:
    check, _ = ShiftCheck.objects.select_for_update().get_or_create(
        day=day, team_id=team_id, shift_code=code
    )
    policy = duty_policy(day)
    end = members[0].end
    ids = sorted({c.employee_id for c in members})
    if check.presence_checked_at is None:
        for cell in members:
            result.violations += _check_presence(team_id, cell, policy.presence.grace_minutes, now)
        check.presence_checked_at = now
    due = end + dt.timedelta(minutes=policy.handover.missing_after_minutes)
    if check.handover_checked_at is None and due <= now:
        result.shifts += 1
        written = Handover.objects.filter(day=day, shift_code=code, author_id__in=ids).exists()
        if not written:
            result.missing_flags += _flag_missing(team_id, day, code, ids, now, result)
        check.handover_checked_at = now
    check.save()


def _flag_missing(
    team_id: int, day: dt.date, code: str, ids: list[int], now: dt.datetime, result: ScanResult
) -> int:
    created = 0
    people = list(Employee.objects.filter(pk__in=ids).select_related("team__leader", "superior"))
    name = shift_names(day).get(code, code)
    for person in people:
        flag, made = HandoverFlag.objects.get_or_create(
            kind=FlagKind.MISSING,
            employee=person,
            day=day,
            shift_code=code,
            defaults={"team_id": team_id, "flagged_at": now},
        )
        if not made:
            continue
        created += 1
        audit.record(
            actor=None,
            action="duty.flag_missing",
            obj=flag,
            after={"employee": person.pk, "day": day, "shift_code": code},
        )
    if created:
        # The team lead (班组长, else the person's superior on the reporting line) is told too.
        leaders = [
            p.team.leader if p.team_id and p.team.leader_id else p.superior
            for p in people
            if (p.team_id and p.team.leader_id) or p.superior_id
        ]
        result.notifications += notify(
            [*people, *leaders],
            title=f"未交班：{day:%m-%d} {name}没有交接班记录",
            body="下班前须填写交接班记录；如有特殊情况请联系组长撤销",
            link=reverse("duty:handover_list") + "?tab=flags",
        )
    return created


def _check_presence(team_id: int, cell: Cell, grace: int, now: dt.datetime) -> int:
    if PresenceViolation.objects.filter(
        employee_id=cell.employee_id, day=cell.day, shift_code=cell.code
    ).exists():
        return 0
    before = (
        PresenceEvent.objects.filter(employee_id=cell.employee_id, at__lte=cell.start)
        .order_by("-at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    events = list(
        PresenceEvent.objects.filter(
            employee_id=cell.employee_id, at__gt=cell.start, at__lt=cell.end
        )
        .order_by("at", "id")
        .values_list("at", "status", "reason")
    )
    finding = offline_finding(
        [(at, status) for at, status, _ in events],
        initial=before or PresenceStatus.OFFLINE.value,
        start=cell.start,
        end=cell.end,
        grace_minutes=grace,
    )
    if finding is None:
        return 0
    stated = next((r for at, _, r in events if at >= finding.started_at and r), "")
    leave = _approved_leave(cell.employee_id, cell.day)
    excused = {}
    if leave:
        # Part-day leave keeps the shift on the roster: the period is recorded, not counted.
        excused = {
            "status": ViolationStatus.EXCUSED,
            "excused_at": now,
            "excuse_reason": f"当日有已批准的请假 {leave}",
        }
    violation = PresenceViolation.objects.create(
        employee_id=cell.employee_id,
        team_id=team_id,
        day=cell.day,
        shift_code=cell.code,
        started_at=finding.started_at,
        minutes=finding.minutes,
        kind=finding.kind,
        stated_reason=stated[:200],
        detected_at=now,
        **excused,
    )
    audit.record(
        actor=None,
        action="duty.presence_violation",
        obj=violation,
        after={"employee": cell.employee_id, "day": cell.day, "minutes": finding.minutes},
    )
    return 1


def _approved_leave(employee_id: int, day: dt.date) -> str:
    """The number of an approved leave request covering ``day`` (请假, e.g. a few hours), or ""."""
    try:
        from kefu.leave.choices import TAKEN_STATUSES
        from kefu.leave.selectors import overlapping
    except ImportError:  # pragma: no cover - the leave module is part of the product
        return ""
    found = next(
        (r for r in overlapping(employee_id, day, day) if r.status in TAKEN_STATUSES), None
    )
    return found.number if found else ""


@transaction.atomic
def _flag_unacknowledged(handover_id: int, now: dt.datetime, result: ScanResult) -> None:
    handover = Handover.objects.select_for_update().get(pk=handover_id)
    if handover.ack_overdue or handover.status != HandoverStatus.PENDING:
        return
    handover.ack_overdue = True
    handover.save(update_fields=["ack_overdue"])
    late = list(
        handover.acks.filter(expected=True, acknowledged_at__isnull=True).select_related("employee")
    )
    day = handover.incoming_day or handover.day
    code = handover.incoming_shift_code or handover.shift_code
    flagged = []
    for ack in late:
        flag, made = HandoverFlag.objects.get_or_create(
            kind=FlagKind.UNACKNOWLEDGED,
            employee=ack.employee,
            day=day,
            shift_code=code,
            defaults={"team_id": handover.team_id, "handover": handover, "flagged_at": now},
        )
        if made:
            flagged.append(ack.employee)
            result.unacknowledged_flags += 1
            audit.record(
                actor=None,
                action="duty.flag_unacknowledged",
                obj=flag,
                after={"employee": ack.employee_id, "handover": handover.pk},
            )
    audit.record(
        actor=None,
        action="duty.handover_overdue",
        obj=handover,
        after={"late": [e.pk for e in flagged]},
    )
    if flagged:
        result.notifications += notify(
            flagged,
            title=f"超时未接班：{handover.author.name} 的交接班记录",
            body="请尽快阅读并确认接班",
            link=reverse("duty:handover_detail", args=[handover.pk]),
        )
