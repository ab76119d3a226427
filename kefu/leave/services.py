"""请假 writes — the only path that changes leave requests (WFM-4, WFM-5).

Flow: the applicant asks (``leave_create``: every rule checked, the approval chain ``leave``
started with the days as its fact — ≤1 day 部门负责人, longer 副总经理, managers 总经理, nobody
skipped) → each approver decides in turn (``leave_decide``); on final approval the working days of
the published roster become 请假 cells through ``roster_apply_change`` (months not yet published get
them as fixed days through the fixed-days source) → on return the applicant reports back
(``leave_report_back``, 销假): an early return gives the remaining days back, in the roster and in
the balance. ``leave_withdraw`` withdraws a request in approval, or approved leave not yet begun.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import calendar_for_range
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import Notification
from kefu.core.policy import workforce_policy
from kefu.org.approval_flow import (
    approval_can_decide,
    approval_cancel,
    approval_decide,
    approval_start,
    approval_steps,
)
from kefu.org.choices import ApprovalState
from kefu.org.models import Employee
from kefu.org.selectors import employee_of
from kefu.workforce.rostering.problem import LEAVE, OFF_CODES
from kefu.workforce.selectors import month_start, published_schedule, roster_published
from kefu.workforce.services.changes import (
    CellChange,
    roster_apply_change,
    roster_release_leave,
)
from kefu.workforce.shifts import shift_specs

from . import selectors
from .choices import LeavePart, LeaveStatus
from .models import LeaveRequest
from .policy import LeavePolicy, leave_policy
from .rules import LeaveAsk, LeaveContext, LeaveLimits, Overlap, RuleError, check_leave, count_days

_ONLY_AT_SUBMISSION = {"leave_notice"}


def _raise(errors: list[RuleError]) -> None:
    if not errors:
        return
    fields: dict[str, str] = {}
    for e in errors:
        fields.setdefault(e.field, e.message)
    raise DomainError(errors[0].code, "；".join(e.message for e in errors), fields=fields)


def _monthly_type(policy: LeavePolicy) -> str | None:
    return next((t.code for t in policy.types if t.balance == "monthly"), None)


@dataclass(frozen=True)
class LeaveCheck:
    """The rules' answer and what was computed for the request."""

    errors: list[RuleError]
    days: Decimal
    schedule: dict[dt.date, str]
    policy: LeavePolicy


def leave_check(
    *,
    applicant: Employee,
    leave_type: str,
    start_day: dt.date,
    end_day: dt.date,
    urgent: bool = False,
    hours: Decimal | None = None,
    now: dt.datetime | None = None,
    exclude_pk: int | None = None,
) -> LeaveCheck:
    """Check one leave request against every rule — 请假校验 (read only, about ten queries)."""
    from kefu.swaps.selectors import swap_days

    policy = leave_policy(start_day)
    kind = policy.type(leave_type)
    if kind is None:
        raise DomainError(
            "leave_type_unknown", "请选择假别", fields={"leave_type": "请选择正确的假别"}
        )
    if end_day < start_day:
        err = RuleError("leave_dates", "结束日期不能早于开始日期", "end_day")
        return LeaveCheck([err], Decimal(0), {}, policy)
    if (end_day - start_day).days >= policy.rules.max_days_per_request:
        limit = policy.rules.max_days_per_request
        err = RuleError("leave_too_long", f"每次请假最多{limit}天，请分次申请", "end_day")
        return LeaveCheck([err], Decimal(0), {}, policy)
    wf = workforce_policy(start_day)
    pk = applicant.pk
    schedule = {
        day: code for (_, day), code in published_schedule([pk], start_day, end_day).items()
    }
    balance = selectors.balance_for(
        applicant,
        leave_type,
        start_day,
        policy,
        wf.adjustable_rest_days_per_month,
        exclude_pk=exclude_pk,
    )
    ctx = LeaveContext(
        schedule=schedule,
        shifts=shift_specs(start_day),
        limits=LeaveLimits(
            notice_hours=wf.leave_notice_hours,
            urgent_notice_hours=wf.urgent_leave_notice_hours,
            night_shift_leave=policy.rules.night_shift_leave,
            holiday_leave=policy.rules.holiday_leave,
            exempt=leave_type in policy.rules.duty_rule_exempt_types,
            half_day_hours=policy.rules.half_day_hours,
            max_days_per_request=policy.rules.max_days_per_request,
        ),
        holidays=calendar_for_range(start_day, end_day).holidays,
        swap_days=frozenset(d for _, d in swap_days([pk], start_day, end_day)),
        overlaps=tuple(
            Overlap(o.number, o.start_day, o.end_day)
            for o in selectors.overlapping(pk, start_day, end_day, exclude_pk)
        ),
        remaining=balance.remaining if balance else None,
        balance_label=balance.period if balance else "",
    )
    ask = LeaveAsk(
        leave_type=leave_type,
        type_name=kind.name,
        start=start_day,
        end=end_day,
        now=now or timezone.now(),
        urgent=urgent,
        hours=hours,
        balance=kind.balance,
        max_days=kind.max_days,
    )
    days = count_days(start_day, end_day, hours, schedule, policy.rules.half_day_hours)
    return LeaveCheck(check_leave(ask, ctx), days, schedule, policy)


def _notify(employee: Employee, title: str, body: str, link: str) -> None:
    Notification.objects.create(
        recipient_id=employee.user_id, title=title[:200], body=body[:500], link=link
    )


def _link(leave: LeaveRequest) -> str:
    return reverse("leave:leave_detail", args=[leave.pk])


def _span(leave: LeaveRequest) -> str:
    s, e = leave.start_day, leave.end_day
    text = f"{s.month}月{s.day}日" if s == e else f"{s.month}月{s.day}日至{e.month}月{e.day}日"
    if leave.hours is not None:
        text += f" {leave.hours.normalize():f}小时"
    return text


def _title(leave: LeaveRequest) -> str:
    return (
        f"请假申请 {leave.number}：{leave.applicant.name} {leave.type_name} {_span(leave)}"
        f"（{leave.days.normalize():f}天）"
    )


def _me(actor: Any) -> Employee:
    me = employee_of(actor)
    if me is None or not me.is_active:
        raise PermissionDeniedError("只有在职员工可以请假", code="leave_not_employee")
    return me


@transaction.atomic
def leave_create(
    *,
    actor: Any,
    leave_type: str,
    start_day: dt.date,
    end_day: dt.date,
    reason: str,
    urgent: bool = False,
    hours: Decimal | None = None,
    part: str = LeavePart.START,
) -> LeaveRequest:
    """Ask for leave — 请假: every rule is checked, then the approval chain ``leave`` starts with
    the days as its fact (the first approver is notified). ``part`` says which half of the shift
    an hours leave of half a day or less covers (上半班/下半班); attendance excuses that half."""
    if not actor.has_perm(selectors.ADD):
        raise PermissionDeniedError()
    me = _me(actor)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise DomainError(
            "leave_reason_required", "请填写请假事由", fields={"reason": "请填写请假事由"}
        )
    check = leave_check(
        applicant=me,
        leave_type=leave_type,
        start_day=start_day,
        end_day=end_day,
        urgent=urgent,
        hours=hours,
    )
    _raise(check.errors)
    kind = check.policy.type(leave_type)
    assert kind is not None
    leave = LeaveRequest.objects.create(
        applicant=me,
        team_id=me.team_id,
        leave_type=leave_type,
        type_name=kind.name,
        start_day=start_day,
        end_day=end_day,
        hours=hours,
        part=part if part in LeavePart.values else LeavePart.START,
        days=check.days,
        reason=reason,
        urgent=urgent,
    )
    audit.record(
        actor=actor,
        action="leave.create",
        obj=leave,
        after={
            "type": leave_type,
            "start": start_day,
            "end": end_day,
            "days": check.days,
            "urgent": urgent,
            "hours": hours,
            "part": leave.part,
        },
    )
    approval_start(
        subject=leave,
        kind="leave",
        applicant=me,
        title=_title(leave),
        link=_link(leave),
        on=start_day,
        days=check.days,
    )
    return leave


def _whole_days(leave: LeaveRequest) -> bool:
    """Part-day leave of up to half a day leaves the shift in the roster (attendance knows)."""
    return leave.hours is None or leave.days >= 1


def _apply_to_roster(actor: Any, leave: LeaveRequest) -> dict[str, str]:
    """Working days of published months become 请假 cells; returns the codes they replaced."""
    if leave.team_id is None or not _whole_days(leave):
        return {}
    sched = published_schedule([leave.applicant_id], leave.start_day, leave.end_day)
    by_month: dict[dt.date, list[CellChange]] = defaultdict(list)
    replaced: dict[str, str] = {}
    for (_, day), code in sorted(sched.items()):
        if code in OFF_CODES:
            continue
        by_month[month_start(day)].append(
            CellChange(leave.applicant_id, day, LEAVE, note=f"{leave.type_name} {leave.number}")
        )
        replaced[day.isoformat()] = code
    for month, changes in sorted(by_month.items()):
        if roster_published(leave.team_id, month) is None:
            continue
        roster_apply_change(
            actor=actor,
            team_id=leave.team_id,
            month=month,
            changes=changes,
            reason=f"请假 {leave.number}：{leave.applicant.name} {leave.type_name}",
            source="leave",
        )
    return replaced


def _restore(actor: Any, leave: LeaveRequest, from_day: dt.date, why: str) -> list[dt.date]:
    """Give the 请假 cells from ``from_day`` to the end back (those still 请假): the shift each
    replaced, or — leave approved before its month was published, no shift known — 休息 marked
    待排班 for the team leader to fill. Returns the days left to fill."""
    if leave.team_id is None or not _whole_days(leave) or from_day > leave.end_day:
        return []
    restore: dict[dt.date, str | None] = {}
    day = from_day
    while day <= leave.end_day:
        restore[day] = leave.replaced.get(day.isoformat())
        day += dt.timedelta(days=1)
    return roster_release_leave(
        actor=actor,
        team_id=leave.team_id,
        employee_id=leave.applicant_id,
        restore=restore,
        reason=f"{why} {leave.number}：{leave.applicant.name}",
        ref=f"{why} {leave.number}",
    )


def _offsets_rest(leave: LeaveRequest, policy: LeavePolicy) -> bool:
    """请假一次可充抵调休一次: a leave without a balance of its own uses one of the month's 调休
    while the month has one left and fewer than ``rest_offsets_per_month`` were used."""
    kind = policy.type(leave.leave_type)
    monthly = _monthly_type(policy)
    if kind is None or kind.balance != "none" or monthly is None:
        return False
    month = month_start(leave.start_day)
    if (
        selectors.rest_offsets_used(leave.applicant_id, month)
        >= policy.rules.rest_offsets_per_month
    ):
        return False
    wf = workforce_policy(leave.start_day)
    balance = selectors.balance_for(
        leave.applicant, monthly, leave.start_day, policy, wf.adjustable_rest_days_per_month
    )
    return balance is not None and balance.remaining >= 1


def _locked(leave: LeaveRequest) -> LeaveRequest:
    return LeaveRequest.objects.select_for_update().select_related("applicant").get(pk=leave.pk)


@transaction.atomic
def leave_decide(
    *, actor: Any, leave: LeaveRequest, approve: bool, comment: str = ""
) -> LeaveRequest:
    """The current approver decides — 审批请假. On final approval the rules are checked again (the
    notice rule only applied when it was asked), the roster gets the 请假 cells and the applicant
    is told; a rejection ends it."""
    leave = _locked(leave)
    if leave.status != LeaveStatus.PENDING:
        raise DomainError("leave_not_pending", "该申请不在待审批状态", status=409)
    if not approval_can_decide(actor, leave):
        raise PermissionDeniedError("不是当前审批人，不能审批（不得越级审批）")
    if approve:
        check = leave_check(
            applicant=leave.applicant,
            leave_type=leave.leave_type,
            start_day=leave.start_day,
            end_day=leave.end_day,
            urgent=leave.urgent,
            hours=leave.hours,
            exclude_pk=leave.pk,
        )
        _raise([e for e in check.errors if e.code not in _ONLY_AT_SUBMISSION])
    outcome = approval_decide(actor=actor, subject=leave, approve=approve, comment=comment)
    if outcome == "pending":
        return leave
    leave.decided_at = timezone.now()
    if outcome == "rejected":
        leave.status = LeaveStatus.REJECTED
        leave.save(update_fields=["status", "decided_at"])
    else:
        leave.offsets_rest = _offsets_rest(leave, check.policy)
        leave.replaced = _apply_to_roster(actor, leave)
        leave.status = LeaveStatus.APPROVED
        leave.save(update_fields=["status", "decided_at", "offsets_rest", "replaced"])
    audit.record(
        actor=actor,
        action="leave.approve" if outcome == "approved" else "leave.reject",
        obj=leave,
        after={"status": leave.status, "offsets_rest": leave.offsets_rest},
        reason=comment[:200],
    )
    return leave


@transaction.atomic
def leave_withdraw(*, actor: Any, leave: LeaveRequest, reason: str = "") -> LeaveRequest:
    """The applicant withdraws — 撤销: a request in approval, or approved leave that has not begun
    (its 请假 cells go back to the shifts they replaced)."""
    me = _me(actor)
    leave = _locked(leave)
    if me.pk != leave.applicant_id:
        raise PermissionDeniedError("只有申请人可以撤销请假")
    today = timezone.localdate()
    if leave.status == LeaveStatus.APPROVED and leave.start_day > today:
        _restore(actor, leave, leave.start_day, "撤销请假")
    elif leave.status == LeaveStatus.PENDING:
        approval_cancel(actor=actor, subject=leave, reason=reason or "申请人撤销")
    else:
        raise DomainError(
            "leave_not_withdrawable",
            "只能撤销审批中或尚未开始的请假；已开始的请假请销假",
            status=409,
        )
    leave.status = LeaveStatus.WITHDRAWN
    leave.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="leave.withdraw",
        obj=leave,
        after={"status": leave.status},
        reason=reason,
    )
    return leave


@transaction.atomic
def leave_report_back(*, actor: Any, leave: LeaveRequest, returned_on: dt.date) -> LeaveRequest:
    """销假: the applicant records the day they were back at work. Returning before the end gives
    the remaining days back (balance and roster); the approver who gave the final approval is
    told (请假员工事毕向批准人销假)."""
    me = _me(actor)
    leave = _locked(leave)
    if me.pk != leave.applicant_id:
        raise PermissionDeniedError("只有请假人本人可以销假")
    if leave.status != LeaveStatus.APPROVED:
        raise DomainError("leave_not_approved", "只有已批准的请假才能销假", status=409)
    today = timezone.localdate()
    field = {"returned_on": ""}
    if returned_on < leave.start_day:
        field["returned_on"] = "返岗日期不能早于请假开始日期"
    elif returned_on > today:
        field["returned_on"] = "返岗日期不能晚于今天，请返岗后再销假"
    if field["returned_on"]:
        raise DomainError("leave_return_invalid", field["returned_on"], fields=field)
    back = Decimal(0)
    to_fill: list[dt.date] = []
    if returned_on <= leave.end_day:
        # A 请假 cell without a replaced code was rostered from the leave itself (approved before
        # the month was published): it counted as a working day when asked, so it does now.
        sched = {
            day: code
            for (_, day), code in published_schedule(
                [leave.applicant_id], returned_on, leave.end_day
            ).items()
            if code != LEAVE
        }
        for iso, code in leave.replaced.items():
            sched[dt.date.fromisoformat(iso)] = code
        policy = leave_policy(leave.start_day)
        back = count_days(
            returned_on, leave.end_day, leave.hours, sched, policy.rules.half_day_hours
        )
        back = min(back, leave.days)
        to_fill = _restore(actor, leave, returned_on, "销假")
    leave.returned_on = returned_on
    leave.returned_days = back
    leave.reported_at = timezone.now()
    leave.status = LeaveStatus.RETURNED
    leave.save(update_fields=["returned_on", "returned_days", "reported_at", "status"])
    approver = next(
        (s.approver for s in reversed(approval_steps(leave)) if s.state == ApprovalState.APPROVED),
        None,
    )
    if approver is not None:
        body = f"返岗日期：{returned_on:%Y-%m-%d}"
        if back:
            body += f"，退回{back.normalize():f}天"
        _notify(approver, f"已销假：{_title(leave)}", body, _link(leave))
    audit.record(
        actor=actor,
        action="leave.report_back",
        obj=leave,
        after={"returned_on": returned_on, "returned_days": back, "to_fill": to_fill},
    )
    return leave
