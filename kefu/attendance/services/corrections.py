"""补卡 — clock corrections (WFM-5): asked within N days, at most M a month, approved by the
superior along the reporting line (审批 kind ``clock_fix``); the approved time becomes a clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.policy import workforce_policy
from kefu.org.approval_flow import approval_cancel, approval_decide, approval_start
from kefu.org.models import Employee
from kefu.org.selectors import employee_of

from ..choices import ClockSource, CorrectionStatus, Direction
from ..classify import LEAVE_CODE, REST_CODE, Clock, pick_clocks
from ..frames import Frame, build_frames, clocks_in
from ..models import ClockCorrection, ClockEvent
from ..policybook import PolicyBook
from .classification import classify_range
from .common import ADD_CORRECTION, acting_employee, require

APPROVAL_KIND = "clock_fix"
REASON_MAX = 200
COUNTED = (CorrectionStatus.PENDING, CorrectionStatus.APPROVED)
DIRECTION_LABELS = {Direction.IN: "上班", Direction.OUT: "下班"}


def day_frame(employee_id: int, day: dt.date) -> Frame:
    """The roster frame (code, shift, clock window) of one person-day."""
    return build_frames([employee_id], day, day, book=PolicyBook())[(employee_id, day)]


def correction_time(day: dt.date, clock_time: dt.time, frame: Frame | None = None) -> dt.datetime:
    """The moment a 补卡 form's time means: on ``day``, or the next morning when the shift
    crosses midnight and the time falls before the day's clock window (下班 00:40 of a 晚班)."""
    tz = timezone.get_current_timezone()
    at = dt.datetime.combine(day, clock_time, tzinfo=tz)
    if frame is not None and frame.shift is not None and at < frame.window[0]:
        at += dt.timedelta(days=1)
    return at


def _hm(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def validate_correction(
    *,
    employee: Employee,
    day: dt.date,
    direction: str,
    at: dt.datetime | None,
    reason: str,
    now: dt.datetime,
) -> Frame:
    """Every 补卡 rule, each with its own Chinese message (raises DomainError); the day's frame."""
    errors: dict[str, str] = {}
    if direction not in DIRECTION_LABELS:
        errors["direction"] = "请选择补卡类型（上班或下班）"
    if not reason:
        errors["reason"] = "请填写补卡原因"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"补卡原因不能超过{REASON_MAX}字"
    if at is None:
        errors["at"] = "请填写补卡时间"
    if errors:
        raise DomainError("correction_invalid", "补卡申请填写有误", fields=errors)
    assert at is not None
    today = timezone.localdate(now)
    if day > today:
        raise DomainError(
            "correction_future_day", "不能为未来的日期补卡", fields={"day": "不能为未来的日期补卡"}
        )
    policy = workforce_policy(day)
    deadline = day + dt.timedelta(days=policy.clock_fix_within_days)
    if today > deadline:
        message = (
            f"补卡须在{policy.clock_fix_within_days}天内申请：{day:%Y-%m-%d}的补卡期限已过"
            f"（截至{deadline:%Y-%m-%d}）"
        )
        raise DomainError("correction_too_late", message, fields={"day": message})
    frame = day_frame(employee.pk, day)
    if frame.code is None:
        message = "该日没有已发布的排班，无需补卡"
        raise DomainError("correction_not_rostered", message, fields={"day": message})
    if frame.code in (REST_CODE, LEAVE_CODE) or frame.shift is None:
        label = "请假" if frame.code == LEAVE_CODE else "休息"
        message = f"该日排班为{label}，无需补卡"
        raise DomainError("correction_not_working", message, fields={"day": message})
    lo, hi = frame.window
    if at > now:
        message = "补卡时间不能晚于当前时间"
        raise DomainError("correction_future_time", message, fields={"at": message})
    if not lo <= at < hi:
        message = f"补卡时间须在{frame.shift_name}的打卡时段内（{_hm(lo)}–{_hm(hi)}）"
        raise DomainError("correction_outside_window", message, fields={"at": message})
    clock_in, clock_out = pick_clocks(
        [Clock(e.at, e.direction) for e in clocks_in(employee.pk, frame.window)],
        frame.shift[0],
        frame.shift[1],
    )
    have = clock_in if direction == Direction.IN else clock_out
    label = DIRECTION_LABELS[direction]
    if have is not None:
        message = f"该日已有{label}打卡记录（{_hm(have)}），无需补卡"
        raise ConflictError("correction_has_clock", message, fields={"direction": message})
    if ClockCorrection.objects.filter(
        employee=employee, day=day, direction=direction, status=CorrectionStatus.PENDING
    ).exists():
        message = f"该日的{label}补卡申请正在审批中，请勿重复提交"
        raise ConflictError("correction_duplicate", message, fields={"direction": message})
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    used = ClockCorrection.objects.filter(
        employee=employee, day__gte=first, day__lt=nxt, status__in=COUNTED
    ).count()
    if used >= policy.clock_fix_max_per_month:
        message = (
            f"每月补卡不得超过{policy.clock_fix_max_per_month}次："
            f"{day.year}年{day.month}月已申请{used}次"
        )
        raise ConflictError("correction_monthly_limit", message, fields={"day": message})
    return frame


@transaction.atomic
def correction_create(
    *,
    actor: Any,
    day: dt.date,
    direction: str,
    at: dt.datetime | None,
    reason: str,
    now: dt.datetime | None = None,
) -> ClockCorrection:
    """申请补卡 — for the applicant's own forgotten clock; starts the approval (``clock_fix``,
    approved by the superior per the org policy). The day stays 缺卡 while it is pending."""
    require(actor, ADD_CORRECTION)
    employee = acting_employee(actor)
    Employee.objects.select_for_update().filter(pk=employee.pk).first()  # serialise the count
    now = now or timezone.now()
    reason = (reason or "").strip()
    if at is not None:
        at = at.replace(microsecond=0)
    validate_correction(
        employee=employee, day=day, direction=direction, at=at, reason=reason, now=now
    )
    assert at is not None
    correction = ClockCorrection.objects.create(
        employee=employee, day=day, direction=direction, at=at, reason=reason
    )
    label = DIRECTION_LABELS[direction]
    approval_start(
        subject=correction,
        kind=APPROVAL_KIND,
        applicant=employee,
        title=f"补卡：{employee.name} {day:%Y-%m-%d} {label} {_hm(at)}",
        link=reverse("attendance:correction_detail", args=[correction.pk]),
        on=day,
    )
    classify_range(start=day, end=day, employee_ids=[employee.pk], now=now)
    audit.record(
        actor=actor,
        action="attendance.correction_create",
        obj=correction,
        after={"employee": employee.pk, "day": day, "direction": direction, "at": at},
        reason=reason,
    )
    return correction


def _lock(correction: ClockCorrection | int) -> ClockCorrection:
    pk = correction.pk if isinstance(correction, ClockCorrection) else correction
    return ClockCorrection.objects.select_for_update().select_related("employee").get(pk=pk)


@transaction.atomic
def correction_decide(
    *, actor: Any, correction: ClockCorrection | int, approve: bool, comment: str = ""
) -> ClockCorrection:
    """审批补卡 — the approver whose turn it is agrees or rejects (a comment is required). When
    the last approver agrees, the approved time is added as a 补卡 clock and the day is judged
    again; a rejection leaves the gap, which stands once the deadline has passed."""
    correction = _lock(correction)
    if correction.status != CorrectionStatus.PENDING:
        raise ConflictError("correction_not_pending", "该补卡申请已处理，不能再审批")
    outcome = approval_decide(actor=actor, subject=correction, approve=approve, comment=comment)
    now = timezone.now()
    if outcome == "approved":
        try:
            with transaction.atomic():
                ClockEvent.objects.create(
                    employee=correction.employee,
                    at=correction.at,
                    direction=correction.direction,
                    source=ClockSource.CORRECTION,
                    device="补卡",
                    note=correction.reason[:200],
                    correction=correction,
                    created_by=actor,
                )
        except IntegrityError:
            pass  # a clock at that very second exists already (imported meanwhile): it stands
        correction.status = CorrectionStatus.APPROVED
    elif outcome == "rejected":
        correction.status = CorrectionStatus.REJECTED
    if outcome != "pending":
        correction.decided_at = now
        correction.save(update_fields=["status", "decided_at"])
    classify_range(start=correction.day, end=correction.day, employee_ids=[correction.employee_id])
    audit.record(
        actor=actor,
        action="attendance.correction_approve" if approve else "attendance.correction_reject",
        obj=correction,
        after={"outcome": outcome, "status": correction.status},
        reason=(comment or "")[:200],
    )
    return correction


@transaction.atomic
def correction_cancel(
    *, actor: Any, correction: ClockCorrection | int, reason: str = ""
) -> ClockCorrection:
    """撤回补卡申请 — the applicant withdraws a request still awaiting approval; it no longer
    counts towards the month's limit."""
    correction = _lock(correction)
    me = employee_of(actor)
    if me is None or me.pk != correction.employee_id:
        raise PermissionDeniedError("只能撤回本人的补卡申请", code="correction_not_applicant")
    if correction.status != CorrectionStatus.PENDING:
        raise ConflictError("correction_not_pending", "该补卡申请已处理，不能撤回")
    approval_cancel(actor=actor, subject=correction, reason=reason or "申请人撤回")
    correction.status = CorrectionStatus.CANCELLED
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "decided_at"])
    classify_range(start=correction.day, end=correction.day, employee_ids=[correction.employee_id])
    audit.record(
        actor=actor,
        action="attendance.correction_cancel",
        obj=correction,
        after={"status": correction.status},
        reason=(reason or "")[:200],
    )
    return correction
