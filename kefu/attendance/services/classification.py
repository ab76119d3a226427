"""Classification — 考勤计算: judge person-days against the published roster and store the result.

``classify_range`` is the one place AttendanceDay rows are written: idempotent (a second run over
the same data changes nothing), called after a clock, an import, a correction decision, by the
daily task and by a supervisor's 重新计算. Reads are batched: one query each for the people, the
roster, the clocks, the pending corrections and the existing rows, plus the policy of each day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.org.models import Employee
from kefu.workforce.models import RosterEntry

from ..choices import CorrectionStatus
from ..classify import Clock, DayFacts, DayResult, classify_day
from ..empty_shift import judge_empty_swap_shifts
from ..frames import Frame, build_frames, days_between
from ..hooks import handed_shifts, part_leave
from ..models import AttendanceDay, ClockCorrection, ClockEvent
from ..policybook import PolicyBook, local_midnight
from .common import CLASSIFY, require, today

ONE_DAY = dt.timedelta(days=1)
# Longest range one call may classify (a year): bounds one request's work.
MAX_RANGE_DAYS = 366


@dataclass
class ClassifyResult:
    """What a classification run did."""

    days: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def as_dict(self) -> dict[str, int]:
        return {
            "days": self.days,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
        }


def _people(start: dt.date, end: dt.date) -> list[int]:
    """Everyone with something to judge in the range: a published roster day, a clock, a row."""
    from kefu.workforce.choices import RosterStatus

    ids: set[int] = set(
        RosterEntry.objects.filter(
            day__gte=start, day__lte=end, roster__status=RosterStatus.PUBLISHED
        ).values_list("employee_id", flat=True)
    )
    ids |= set(
        ClockEvent.objects.filter(
            at__gte=local_midnight(start), at__lt=local_midnight(end + ONE_DAY)
        ).values_list("employee_id", flat=True)
    )
    ids |= set(
        AttendanceDay.objects.filter(day__gte=start, day__lte=end).values_list(
            "employee_id", flat=True
        )
    )
    return sorted(ids)


def _values(
    result: DayResult, frame: Frame, emp: Any, policy: Any, now: dt.datetime
) -> dict[str, Any]:
    shift = frame.shift or (None, None)
    return {
        "department_id": emp.department_id,
        "team_id": emp.team_id,
        "code": frame.code or "",
        "shift_start": shift[0],
        "shift_end": shift[1],
        "clock_in": result.clock_in,
        "clock_out": result.clock_out,
        "status": str(result.status),
        "late_minutes": result.late_minutes,
        "early_minutes": result.early_minutes,
        "missing_in": result.missing_in,
        "missing_out": result.missing_out,
        "final": result.final,
        "penalties": [
            {
                "rule": str(p.rule),
                "points": str(p.points),
                "money": str(p.money),
                "pay_days": str(p.pay_days),
                "quantity": str(p.quantity),
                "description": p.description,
            }
            for p in result.penalties
        ],
        "incident_count": len(result.penalties),
        "points": result.points,
        "money": result.money,
        "pay_days": result.pay_days,
        "workforce_policy_version": policy.workforce_version,
        "attendance_policy_version": policy.attendance_version,
    }


_FIELDS = (
    "department_id",
    "team_id",
    "code",
    "shift_start",
    "shift_end",
    "clock_in",
    "clock_out",
    "status",
    "late_minutes",
    "early_minutes",
    "missing_in",
    "missing_out",
    "final",
    "penalties",
    "incident_count",
    "points",
    "money",
    "pay_days",
    "workforce_policy_version",
    "attendance_policy_version",
)


@transaction.atomic
def classify_range(
    *,
    start: dt.date,
    end: dt.date,
    employee_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> ClassifyResult:
    """Classify every person-day of ``start``..``end`` — 计算考勤 (days after today are skipped).

    Writes only what changed: new days are created, changed ones updated, days with neither a
    roster nor a clock any more are deleted. Not audited by itself: the clock, import, correction
    or recompute that caused it is.
    """
    now = now or timezone.now()
    end = min(end, timezone.localdate(now))
    result = ClassifyResult()
    if end < start:
        return result
    ids = sorted(set(employee_ids)) if employee_ids is not None else _people(start, end)
    if not ids:
        return result
    # WFM-3 空班按旷工: the other party of a swapped shift is judged in the same run, so a clock
    # (or a correction) of one of them settles the other's day too.
    handed = handed_shifts(ids, start, end)
    ids = sorted({*ids, *(h.holder_id for h in handed), *(h.giver_id for h in handed)})
    people = {
        e.pk: e
        for e in Employee.objects.filter(pk__in=ids).only(
            "id", "department_id", "team_id", "hire_date", "left_on"
        )
    }
    ids = sorted(people)
    book = PolicyBook()
    frames = build_frames(ids, start, end, book=book)
    clocks: dict[int, list[Clock]] = defaultdict(list)
    rows = ClockEvent.objects.filter(
        employee_id__in=ids,
        at__gte=local_midnight(start - ONE_DAY),
        at__lt=local_midnight(end + 2 * ONE_DAY),
    ).values_list("employee_id", "at", "direction")
    for emp_id, at, direction in rows:
        clocks[emp_id].append(Clock(at, direction))
    pending = set(
        ClockCorrection.objects.filter(
            employee_id__in=ids,
            day__gte=start,
            day__lte=end,
            status=CorrectionStatus.PENDING,
        ).values_list("employee_id", "day")
    )
    parts = part_leave(ids, start, end)
    existing = {
        (r.employee_id, r.day): r
        for r in AttendanceDay.objects.filter(employee_id__in=ids, day__gte=start, day__lte=end)
    }
    judged: dict[tuple[int, dt.date], tuple[DayResult, Frame, Any]] = {}
    for emp_id in ids:
        emp = people[emp_id]
        for day in days_between(start, end):
            frame = frames[(emp_id, day)]
            if day < emp.hire_date or (emp.left_on is not None and day > emp.left_on):
                continue
            lo, hi = frame.window
            own = tuple(c for c in clocks.get(emp_id, ()) if lo <= c.at < hi)
            if frame.code is None and not own:
                continue
            policy = book.day(day)
            facts = DayFacts(
                code=frame.code,
                shift=frame.shift,
                clocks=own,
                now=now,
                close=hi,
                fix_deadline=local_midnight(
                    day + dt.timedelta(days=policy.workforce.clock_fix_within_days + 1)
                ),
                fix_pending=(emp_id, day) in pending,
                shift_name=frame.shift_name,
                part_leave=parts.get((emp_id, day), ""),
            )
            judged[(emp_id, day)] = (classify_day(facts, policy.rules), frame, policy)
    if handed:
        swapped = judge_empty_swap_shifts(
            {key: r for key, (r, _, _) in judged.items()},
            {key: f.code for key, (_, f, _) in judged.items()},
            handed,
            lambda day: book.day(day).rules,
            {key: f.shift_name for key, (_, f, _) in judged.items()},
        )
        for key, day_result in swapped.items():
            judged[key] = (day_result, *judged[key][1:])
    creates: list[AttendanceDay] = []
    updates: list[AttendanceDay] = []
    keep: set[tuple[int, dt.date]] = set()
    for (emp_id, day), (day_result, frame, policy) in judged.items():
        values = _values(day_result, frame, people[emp_id], policy, now)
        keep.add((emp_id, day))
        result.days += 1
        row = existing.get((emp_id, day))
        if row is None:
            creates.append(AttendanceDay(employee_id=emp_id, day=day, classified_at=now, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.classified_at = now
            updates.append(row)
    stale = [r.pk for key, r in existing.items() if key not in keep]
    if creates:
        AttendanceDay.objects.bulk_create(creates, batch_size=500)
    if updates:
        AttendanceDay.objects.bulk_update(updates, [*_FIELDS, "classified_at"], batch_size=500)
    if stale:
        AttendanceDay.objects.filter(pk__in=stale).delete()
    result.created, result.updated, result.deleted = len(creates), len(updates), len(stale)
    return result


def reclassify_around(employee_id: int, at: dt.datetime) -> ClassifyResult:
    """After a clock at ``at``: the day it fell on and the day before (a night shift) again."""
    day = timezone.localdate(at)
    return classify_range(start=day - ONE_DAY, end=day + ONE_DAY, employee_ids=[employee_id])


def _check_range(start: dt.date, end: dt.date) -> None:
    from kefu.core.errors import DomainError

    if end < start:
        raise DomainError(
            "attendance_range_invalid",
            "结束日期不能早于开始日期",
            fields={"date_to": "不能早于开始日期"},
        )
    if (end - start).days >= MAX_RANGE_DAYS:
        raise DomainError(
            "attendance_range_too_long",
            f"一次最多计算 {MAX_RANGE_DAYS} 天",
            fields={"date_to": f"一次最多计算 {MAX_RANGE_DAYS} 天"},
        )


@transaction.atomic
def attendance_recompute(
    *,
    actor: Any,
    start: dt.date,
    end: dt.date,
    employee_ids: Sequence[int] | None = None,
) -> ClassifyResult:
    """重新计算考勤 for a date range (a supervisor, after a roster or policy change; audited)."""
    require(actor, CLASSIFY)
    _check_range(start, end)
    if employee_ids is not None:
        from kefu.org.selectors import employee_scope_filter

        employee_ids = list(
            Employee.objects.filter(employee_scope_filter(actor), pk__in=employee_ids).values_list(
                "pk", flat=True
            )
        )
    result = classify_range(start=start, end=end, employee_ids=employee_ids)
    audit.record(
        actor=actor,
        action="attendance.recompute",
        object_type="attendance.attendanceday",
        after={"from": start, "to": end, "employees": employee_ids, **result.as_dict()},
    )
    return result


def daily_range(on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days the daily run judges: yesterday and the days whose 补卡 deadline just passed."""
    from kefu.core.policy import workforce_policy

    on = on or today()
    back = workforce_policy(on).clock_fix_within_days + 2
    return on - dt.timedelta(days=back), on - ONE_DAY


@transaction.atomic
def attendance_classify_daily(*, now: dt.datetime | None = None) -> ClassifyResult:
    """每日考勤计算 (the system): yesterday, and the days whose correction window closed."""
    now = now or timezone.now()
    start, end = daily_range(timezone.localdate(now))
    result = classify_range(start=start, end=end, now=now)
    audit.record(
        actor=None,
        action="attendance.classify_daily",
        object_type="attendance.attendanceday",
        after={"from": start, "to": end, **result.as_dict()},
    )
    return result
