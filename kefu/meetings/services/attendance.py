"""One meeting — 会议场次 (WFM-9, MTG-3): leave asked in time, attendance, minutes, reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError

from ..choices import AttendanceSource, AttendanceStatus, OccurrenceStatus
from ..models import MeetingAttendance, MeetingOccurrence, MeetingReport
from ..policy import meetings_policy
from .common import (
    ASK_LEAVE,
    acting_employee,
    asked_leave_ids,
    day_codes,
    participants,
    require,
    require_run,
)

TEXT_MAX = 2000


@dataclass(frozen=True)
class AttendanceRow:
    """What the host records for one participant."""

    employee_id: int
    status: str
    late_minutes: int = 0
    reason: str = ""


def _occurrence(occurrence: MeetingOccurrence | int) -> MeetingOccurrence:
    pk = occurrence.pk if isinstance(occurrence, MeetingOccurrence) else occurrence
    return MeetingOccurrence.objects.select_for_update().select_related("meeting").get(pk=pk)


def notice_deadline(occurrence: MeetingOccurrence) -> dt.datetime:
    """Leave must be asked by this time (MTG-3: 会议开始前一小时)."""
    hours = meetings_policy(occurrence.date).attendance.leave_notice_hours
    return occurrence.starts_at - dt.timedelta(hours=hours)


def in_time_leave(occurrence: MeetingOccurrence) -> set[int]:
    """Participants whose leave counts: asked from the meeting before the deadline, leave on the
    published roster that day, or a leave request (请假) covering the day asked before the
    deadline."""
    deadline = notice_deadline(occurrence)
    asked = set(
        occurrence.attendance.filter(
            status=AttendanceStatus.LEAVE, leave_asked_at__lte=deadline
        ).values_list("employee_id", flat=True)
    )
    ids = list(participants(occurrence.meeting).values_list("pk", flat=True))
    rostered = {e for e, code in day_codes(ids, occurrence.date).items() if code == "leave"}
    return asked | rostered | asked_leave_ids(ids, occurrence.date, deadline)


@transaction.atomic
def meeting_leave_ask(
    *, actor: Any, occurrence: MeetingOccurrence | int, reason: str, now: dt.datetime | None = None
) -> MeetingAttendance:
    """Ask leave from one meeting — 例会请假; at least the policy's notice before it starts."""
    require(actor, ASK_LEAVE)
    me = acting_employee(actor)
    now = now or timezone.now()
    obj = _occurrence(occurrence)
    if obj.status != OccurrenceStatus.PLANNED:
        raise ConflictError("occurrence_not_planned", "该会议已召开或已取消")
    if not participants(obj.meeting).filter(pk=me.pk).exists():
        raise PermissionDeniedError("您不是该会议的参会人员", code="meeting_not_participant")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("leave_reason", "请填写请假事由", fields={"reason": "请填写请假事由"})
    if len(reason) > 200:
        raise DomainError("leave_reason", "请假事由过长", fields={"reason": "不能超过200字"})
    deadline = notice_deadline(obj)
    if now > deadline:
        hours = meetings_policy(obj.date).attendance.leave_notice_hours
        raise DomainError(
            "leave_too_late",
            f"须在会议开始前{hours:g}小时请假（截止 {timezone.localtime(deadline):%m-%d %H:%M}）",
            fields={"reason": "已过请假截止时间"},
        )
    row, _ = MeetingAttendance.objects.update_or_create(
        occurrence=obj,
        employee=me,
        defaults={
            "status": AttendanceStatus.LEAVE,
            "reason": reason,
            "leave_asked_at": now,
            "source": AttendanceSource.SELF,
            "recorded_by": me,
            "recorded_at": now,
            "late_minutes": 0,
        },
    )
    audit.record(
        actor=actor, action="meetings.leave_ask", obj=obj, after={"employee": me.pk}, reason=reason
    )
    return row


@transaction.atomic
def attendance_record(
    *,
    actor: Any,
    occurrence: MeetingOccurrence | int,
    rows: Sequence[AttendanceRow],
    now: dt.datetime | None = None,
) -> MeetingOccurrence:
    """Take attendance — 登记例会出勤: every participant present, late, absent, on leave or
    excused (免出席, with a reason). 请假 only for leave asked in time; 缺席 is an incident."""
    now = now or timezone.now()
    obj = _occurrence(occurrence)
    require_run(actor, obj.meeting)
    me = acting_employee(actor)
    if obj.status == OccurrenceStatus.CANCELLED:
        raise ConflictError("occurrence_cancelled", "本次会议已取消")
    if now < obj.starts_at:
        raise DomainError("occurrence_not_started", "会议尚未开始，不能登记出勤")
    expected = set(participants(obj.meeting).values_list("pk", flat=True))
    existing = {a.employee_id: a for a in obj.attendance.all()}
    allowed = expected | set(existing)
    leave_ok = in_time_leave(obj)
    duration = int((obj.ends_at - obj.starts_at).total_seconds() // 60)
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for row in rows:
        key = f"status_{row.employee_id}"
        if row.employee_id not in allowed or row.employee_id in seen:
            errors[key] = "不是本次会议的参会人员"
            continue
        seen.add(row.employee_id)
        if row.status not in AttendanceStatus.values:
            errors[key] = "请选择出勤情况"
        elif row.status == AttendanceStatus.LEAVE and row.employee_id not in leave_ok:
            hours = meetings_policy(obj.date).attendance.leave_notice_hours
            errors[key] = f"未在会前{hours:g}小时请假，请登记为缺席，或选“免出席”并填写事由"
        elif row.status == AttendanceStatus.EXCUSED and not row.reason.strip():
            errors[f"reason_{row.employee_id}"] = "免出席须填写事由"
        elif row.status == AttendanceStatus.LATE and not 1 <= row.late_minutes <= max(duration, 1):
            errors[f"late_{row.employee_id}"] = f"迟到分钟须在1～{max(duration, 1)}之间"
        if len(row.reason) > 200:
            errors[f"reason_{row.employee_id}"] = "事由不能超过200字"
    missing = expected - seen - {e for e, a in existing.items() if a.status == "leave"}
    if missing:
        errors["rows"] = f"还有{len(missing)}人未登记出勤"
    if errors:
        raise DomainError("attendance_invalid", "出勤登记有误", fields=errors)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        current = existing.get(row.employee_id)
        keep_self = current is not None and current.source == AttendanceSource.SELF
        MeetingAttendance.objects.update_or_create(
            occurrence=obj,
            employee_id=row.employee_id,
            defaults={
                "status": row.status,
                "late_minutes": row.late_minutes if row.status == AttendanceStatus.LATE else 0,
                "reason": row.reason.strip() or (current.reason if keep_self else ""),
                "leave_asked_at": current.leave_asked_at if current else None,
                "source": AttendanceSource.SELF
                if keep_self and row.status == AttendanceStatus.LEAVE
                else AttendanceSource.HOST,
                "recorded_by": me,
                "recorded_at": now,
            },
        )
    obj.status = OccurrenceStatus.HELD
    obj.attendance_by = me
    obj.attendance_at = now
    obj.save(update_fields=["status", "attendance_by", "attendance_at"])
    audit.record(actor=actor, action="meetings.attendance", obj=obj, after=counts)
    return obj


@transaction.atomic
def meeting_minutes_record(
    *,
    actor: Any,
    occurrence: MeetingOccurrence | int,
    minutes: str,
    now: dt.datetime | None = None,
) -> MeetingOccurrence:
    """Write the minutes — 会议纪要 (WFM-9 "minutes kept"); rewriting keeps the history in the
    audit trail."""
    now = now or timezone.now()
    obj = _occurrence(occurrence)
    require_run(actor, obj.meeting)
    me = acting_employee(actor)
    if obj.status == OccurrenceStatus.CANCELLED:
        raise ConflictError("occurrence_cancelled", "本次会议已取消")
    if now < obj.starts_at:
        raise DomainError("occurrence_not_started", "会议尚未开始，不能填写纪要")
    text = (minutes or "").strip()
    if not text:
        raise DomainError("minutes_empty", "请填写会议纪要", fields={"minutes": "请填写会议纪要"})
    if len(text) > 10_000:
        raise DomainError("minutes_long", "会议纪要过长", fields={"minutes": "不能超过10000字"})
    before = obj.minutes
    obj.minutes = text
    obj.minutes_by = me
    obj.minutes_at = now
    obj.status = OccurrenceStatus.HELD
    obj.save(update_fields=["minutes", "minutes_by", "minutes_at", "status"])
    audit.record(
        actor=actor,
        action="meetings.minutes",
        obj=obj,
        before={"minutes": before} if before else None,
        after={"minutes": text},
    )
    return obj


@transaction.atomic
def meeting_report_submit(
    *,
    actor: Any,
    occurrence: MeetingOccurrence | int,
    work_done: str,
    improvements: str,
    problems: str = "",
    now: dt.datetime | None = None,
) -> MeetingReport:
    """File my report — 个人汇报 (WFM-9): last week's work, problems met, improvements planned.
    May be revised until the minutes are written."""
    require(actor, ASK_LEAVE)
    me = acting_employee(actor)
    now = now or timezone.now()
    obj = _occurrence(occurrence)
    if obj.status == OccurrenceStatus.CANCELLED:
        raise ConflictError("occurrence_cancelled", "本次会议已取消")
    if obj.minutes:
        raise ConflictError("report_closed", "会议纪要已完成，不能再修改汇报")
    if not participants(obj.meeting).filter(pk=me.pk).exists():
        raise PermissionDeniedError("您不是该会议的参会人员", code="meeting_not_participant")
    errors: dict[str, str] = {}
    values = {
        "work_done": (work_done or "").strip(),
        "problems": (problems or "").strip(),
        "improvements": (improvements or "").strip(),
    }
    if not values["work_done"]:
        errors["work_done"] = "请填写上周工作及目标完成情况"
    if not values["improvements"]:
        errors["improvements"] = "请填写接下来需要改进的地方"
    for key, value in values.items():
        if len(value) > TEXT_MAX:
            errors[key] = f"不能超过{TEXT_MAX}字"
    if errors:
        raise DomainError("report_invalid", "汇报填写有误", fields=errors)
    report, created = MeetingReport.objects.update_or_create(
        occurrence=obj, employee=me, defaults={**values, "submitted_at": now}
    )
    audit.record(
        actor=actor,
        action="meetings.report_submit" if created else "meetings.report_revise",
        obj=obj,
        after={"employee": me.pk},
    )
    return report
