"""换班 writes — the only path that changes swap requests (WFM-3).

Flow: the agent asks (``swap_create``) → the colleague agrees (``swap_accept``, which starts the
approval chain ``swap``) or declines (``swap_decline``) → each approver decides in turn
(``swap_decide``); on final approval both parties' cells of the published roster are exchanged
(both days when the payback day was given) through ``roster_apply_change``, which re-issues the
roster and tells both. The applicant may withdraw (``swap_withdraw``) until then. A payback
arranged later is a request of its own (``swap_payback_create``), same flow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import calendar_for_range
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import Notification
from kefu.core.policy import workforce_policy
from kefu.leave.policy import leave_policy
from kefu.org.approval_flow import (
    approval_can_decide,
    approval_cancel,
    approval_decide,
    approval_start,
)
from kefu.org.models import Employee
from kefu.org.selectors import employee_of
from kefu.workforce.models import EmployeeSkill
from kefu.workforce.policy import roster_policy
from kefu.workforce.selectors import month_start, published_schedule
from kefu.workforce.services.changes import CellChange, roster_apply_change
from kefu.workforce.shifts import shift_specs

from .choices import OPEN_STATUSES, SwapKind, SwapStatus
from .models import ShiftSwap
from .rules import PAYBACK, SWAP, RuleError, SwapContext, SwapLimits, SwapRequest, check_swap, md
from .selectors import ADD, swap_marks

# Rules about when the request was made; not asked again when it is accepted or approved.
_ONLY_AT_SUBMISSION = {"swap_notice"}


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def swap_limits(on: dt.date) -> SwapLimits:
    """The policy numbers in force on the swap day."""
    wf, lp, rp = workforce_policy(on), leave_policy(on), roster_policy(on)
    return SwapLimits(
        max_per_month=wf.swap_max_per_month,
        allow_consecutive=wf.swap_allow_consecutive,
        notice_hours=lp.swap.notice_hours,
        payback_within_days=lp.swap.payback_within_days,
        holiday_swap=lp.swap.holiday_swap,
        max_consecutive_work_days=rp.rules.max_consecutive_work_days,
        min_rest_hours_between_shifts=rp.rules.min_rest_hours_between_shifts,
    )


def swap_context(
    applicant: Employee,
    colleague: Employee,
    day: dt.date,
    payback_day: dt.date | None = None,
    *,
    exclude_pk: int | None = None,
) -> SwapContext:
    """Everything the rules need about both people around the days (about ten queries)."""
    from kefu.leave.selectors import held_leave_days

    limits = swap_limits(day)
    reach = dt.timedelta(days=limits.max_consecutive_work_days + 2)
    last = payback_day or day
    start = min(month_start(day), day - reach)
    end = max(_month_end(day), last + reach)
    ids = [applicant.pk, colleague.pk]
    skills: dict[int, set[str]] = defaultdict(set)
    for emp, skill in EmployeeSkill.objects.filter(employee_id__in=ids).values_list(
        "employee_id", "skill"
    ):
        skills[emp].add(skill)
    return SwapContext(
        schedule=published_schedule(ids, start, end),
        shifts=shift_specs(day),
        limits=limits,
        holidays=calendar_for_range(start, end).holidays,
        leave_days=frozenset(held_leave_days(ids, start, end)),
        marks=swap_marks(ids, start, end, exclude_pk=exclude_pk),
        skills={k: frozenset(v) for k, v in skills.items()},
    )


@dataclass(frozen=True)
class SwapCheck:
    """The rules' answer for one request and the context it was judged in."""

    errors: list[RuleError]
    context: SwapContext


def swap_check(
    *,
    applicant: Employee,
    colleague: Employee,
    day: dt.date,
    kind: str = SWAP,
    payback_day: dt.date | None = None,
    payback_due: dt.date | None = None,
    exclude_pk: int | None = None,
    now: dt.datetime | None = None,
) -> SwapCheck:
    """Check one swap request against every rule — 换班校验 (read only)."""
    ctx = swap_context(applicant, colleague, day, payback_day, exclude_pk=exclude_pk)
    req = SwapRequest(
        applicant_id=applicant.pk,
        colleague_id=colleague.pk,
        day=day,
        now=now or timezone.now(),
        kind=kind,
        payback_day=payback_day,
        payback_due=payback_due,
        applicant_name=applicant.name,
        colleague_name=colleague.name,
        same_team=applicant.team_id is not None
        and applicant.team_id == colleague.team_id
        and colleague.is_active,
    )
    return SwapCheck(check_swap(req, ctx), ctx)


def raise_errors(errors: list[RuleError]) -> None:
    """All broken rules as one DomainError: every message, the first per field beside it."""
    if not errors:
        return
    fields: dict[str, str] = {}
    for e in errors:
        fields.setdefault(e.field, e.message)
    raise DomainError(errors[0].code, "；".join(e.message for e in errors), fields=fields)


def _notify(employee: Employee, title: str, body: str, link: str) -> None:
    Notification.objects.create(
        recipient_id=employee.user_id, title=title[:200], body=body[:500], link=link
    )


def _link(swap: ShiftSwap) -> str:
    return reverse("swaps:swap_detail", args=[swap.pk])


def _title(swap: ShiftSwap) -> str:
    label = swap.get_kind_display()
    return f"{label}申请 {swap.number}：{swap.applicant.name}↔{swap.colleague.name} {md(swap.day)}"


def _me(actor: Any) -> Employee:
    me = employee_of(actor)
    if me is None or not me.is_active:
        raise PermissionDeniedError("只有在职员工可以办理换班", code="swap_not_employee")
    return me


def _reason(reason: str, field: str = "reason", label: str = "换班原因") -> str:
    reason = (reason or "").strip()[:300]
    if not reason:
        raise DomainError(
            "swap_reason_required", f"请填写{label}", fields={field: f"请填写{label}"}
        )
    return reason


def _snapshot(swap: ShiftSwap) -> dict[str, Any]:
    return {
        "kind": swap.kind,
        "status": swap.status,
        "day": swap.day,
        "applicant_code": swap.applicant_code,
        "colleague_code": swap.colleague_code,
        "payback_day": swap.payback_day,
        "payback_due": swap.payback_due,
    }


@transaction.atomic
def swap_create(
    *,
    actor: Any,
    colleague: Employee,
    day: dt.date,
    reason: str,
    payback_day: dt.date | None = None,
    payback_due: dt.date | None = None,
) -> ShiftSwap:
    """Ask a colleague to swap — 申请换班: every rule is checked; the colleague is asked to agree.

    With ``payback_day`` the payback (还班) is part of the request; otherwise ``payback_due`` is
    the deadline by which a payback request must be made.
    """
    if not actor.has_perm(ADD):
        raise PermissionDeniedError()
    me = _me(actor)
    reason = _reason(reason)
    if payback_day is not None:
        payback_due = payback_day
    check = swap_check(
        applicant=me,
        colleague=colleague,
        day=day,
        payback_day=payback_day,
        payback_due=payback_due,
    )
    raise_errors(check.errors)
    sched = check.context.schedule
    swap = ShiftSwap.objects.create(
        kind=SwapKind.SWAP,
        applicant=me,
        colleague=colleague,
        team_id=me.team_id,
        day=day,
        applicant_code=sched[(me.pk, day)],
        colleague_code=sched[(colleague.pk, day)],
        payback_day=payback_day,
        payback_applicant_code=sched[(me.pk, payback_day)] if payback_day else "",
        payback_colleague_code=sched[(colleague.pk, payback_day)] if payback_day else "",
        payback_due=payback_due,
        reason=reason,
    )
    _notify(colleague, f"换班申请待您确认：{_title(swap)}", f"原因：{reason}", _link(swap))
    audit.record(actor=actor, action="swaps.create", obj=swap, after=_snapshot(swap))
    return swap


@transaction.atomic
def swap_payback_create(*, actor: Any, swap: ShiftSwap, day: dt.date, reason: str) -> ShiftSwap:
    """Arrange the payback of an approved swap — 安排还班: on ``day`` the colleague's shift goes
    to the applicant (same flow: the colleague agrees, the chain approves)."""
    me = _me(actor)
    swap = ShiftSwap.objects.select_for_update().get(pk=swap.pk)
    if me.pk != swap.applicant_id:
        raise PermissionDeniedError("只有换班申请人可以安排还班")
    if swap.kind != SwapKind.SWAP or swap.status != SwapStatus.APPROVED:
        raise DomainError("swap_not_approved", "只有已批准的换班才能安排还班", status=409)
    if swap.paid_back_on is not None:
        raise DomainError("swap_paid_back", "该换班已安排还班", status=409)
    if swap.paybacks.filter(status__in=OPEN_STATUSES).exists():
        raise DomainError("swap_payback_open", "该换班已有进行中的还班申请", status=409)
    reason = _reason(reason, label="还班说明")
    colleague = swap.colleague
    check = swap_check(
        applicant=me,
        colleague=colleague,
        day=day,
        kind=PAYBACK,
        payback_due=swap.payback_due,
    )
    errors = list(check.errors)
    if day <= swap.day:
        errors.insert(0, RuleError("swap_payback_day", "还班日期须在换班日之后", "day"))
    raise_errors(errors)
    sched = check.context.schedule
    payback = ShiftSwap.objects.create(
        kind=SwapKind.PAYBACK,
        applicant=me,
        colleague=colleague,
        team_id=me.team_id,
        day=day,
        applicant_code=sched[(me.pk, day)],
        colleague_code=sched[(colleague.pk, day)],
        payback_of=swap,
        reason=reason,
    )
    _notify(colleague, f"还班申请待您确认：{_title(payback)}", f"说明：{reason}", _link(payback))
    audit.record(actor=actor, action="swaps.payback_create", obj=payback, after=_snapshot(payback))
    return payback


def _locked(swap: ShiftSwap) -> ShiftSwap:
    return (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join
        # to payback_of; only the swap row needs the lock.
        ShiftSwap.objects.select_for_update(of=("self",))
        .select_related("applicant", "colleague", "payback_of")
        .get(pk=swap.pk)
    )


def _recheck(swap: ShiftSwap) -> SwapCheck:
    """The rules again, on the roster as it is now; the codes must still be those asked about."""
    check = swap_check(
        applicant=swap.applicant,
        colleague=swap.colleague,
        day=swap.day,
        kind=swap.kind,
        payback_day=swap.payback_day,
        payback_due=swap.payback_due if swap.kind == SwapKind.SWAP else _due_of(swap),
        exclude_pk=swap.pk,
    )
    errors = [e for e in check.errors if e.code not in _ONLY_AT_SUBMISSION]
    sched = check.context.schedule
    a, b = swap.applicant_id, swap.colleague_id
    expected = {(a, swap.day): swap.applicant_code, (b, swap.day): swap.colleague_code}
    if swap.payback_day:
        expected[(a, swap.payback_day)] = swap.payback_applicant_code
        expected[(b, swap.payback_day)] = swap.payback_colleague_code
    if any(sched.get(k) != v for k, v in expected.items()):
        errors.insert(
            0,
            RuleError(
                "swap_roster_changed",
                "排班表已变更，该申请中的班次与现行排班表不一致，请驳回后重新申请",
            ),
        )
    raise_errors(errors)
    return check


def _due_of(swap: ShiftSwap) -> dt.date | None:
    return swap.payback_of.payback_due if swap.payback_of else None


@transaction.atomic
def swap_accept(*, actor: Any, swap: ShiftSwap) -> ShiftSwap:
    """The colleague agrees — 同事确认: the request goes to the approval chain ``swap``."""
    me = _me(actor)
    swap = _locked(swap)
    if me.pk != swap.colleague_id:
        raise PermissionDeniedError("只有被邀请换班的同事可以确认")
    if swap.status != SwapStatus.AWAITING_COLLEAGUE:
        raise DomainError("swap_not_awaiting", "该申请不在待同事确认状态", status=409)
    _recheck(swap)
    swap.status = SwapStatus.PENDING
    swap.colleague_decided_at = timezone.now()
    swap.save(update_fields=["status", "colleague_decided_at"])
    audit.record(actor=actor, action="swaps.accept", obj=swap, after={"status": swap.status})
    approval_start(
        subject=swap,
        kind="swap",
        applicant=swap.applicant,
        title=_title(swap),
        link=_link(swap),
        on=swap.day,
    )
    _notify(swap.applicant, f"同事已同意：{_title(swap)}", "已提交审批", _link(swap))
    return swap


@transaction.atomic
def swap_decline(*, actor: Any, swap: ShiftSwap, reason: str) -> ShiftSwap:
    """The colleague declines — 同事拒绝 (a reason is required); the request ends."""
    me = _me(actor)
    swap = _locked(swap)
    if me.pk != swap.colleague_id:
        raise PermissionDeniedError("只有被邀请换班的同事可以拒绝")
    if swap.status != SwapStatus.AWAITING_COLLEAGUE:
        raise DomainError("swap_not_awaiting", "该申请不在待同事确认状态", status=409)
    swap.decline_reason = _reason(reason, label="拒绝原因")
    swap.status = SwapStatus.DECLINED
    swap.colleague_decided_at = timezone.now()
    swap.save(update_fields=["status", "decline_reason", "colleague_decided_at"])
    _notify(swap.applicant, f"同事已拒绝：{_title(swap)}", swap.decline_reason, _link(swap))
    audit.record(
        actor=actor,
        action="swaps.decline",
        obj=swap,
        after={"status": swap.status},
        reason=swap.decline_reason,
    )
    return swap


def _apply_to_roster(actor: Any, swap: ShiftSwap) -> None:
    a, b = swap.applicant_id, swap.colleague_id
    changes = [
        CellChange(a, swap.day, swap.colleague_code, note=f"换班 {swap.number}"),
        CellChange(b, swap.day, swap.applicant_code, note=f"换班 {swap.number}"),
    ]
    if swap.payback_day:
        changes += [
            CellChange(
                a, swap.payback_day, swap.payback_colleague_code, note=f"还班 {swap.number}"
            ),
            CellChange(
                b, swap.payback_day, swap.payback_applicant_code, note=f"还班 {swap.number}"
            ),
        ]
    by_month: dict[dt.date, list[CellChange]] = defaultdict(list)
    for change in changes:
        by_month[month_start(change.day)].append(change)
    label = swap.get_kind_display()
    for month, month_changes in sorted(by_month.items()):
        roster_apply_change(
            actor=actor,
            team_id=swap.team_id,
            month=month,
            changes=month_changes,
            reason=f"{label} {swap.number}：{swap.applicant.name}↔{swap.colleague.name}",
            source="swap",
        )


@transaction.atomic
def swap_decide(*, actor: Any, swap: ShiftSwap, approve: bool, comment: str = "") -> ShiftSwap:
    """The current approver decides — 审批换班. On final approval the rules are checked again on
    the roster as it is now and both parties' cells are exchanged (roster re-issued)."""
    swap = _locked(swap)
    if swap.status != SwapStatus.PENDING:
        raise DomainError("swap_not_pending", "该申请不在待审批状态", status=409)
    if not approval_can_decide(actor, swap):
        raise PermissionDeniedError("不是当前审批人，不能审批（不得越级审批）")
    if approve:
        _recheck(swap)
    outcome = approval_decide(actor=actor, subject=swap, approve=approve, comment=comment)
    if outcome == "pending":
        return swap
    now = timezone.now()
    swap.decided_at = now
    if outcome == "rejected":
        swap.status = SwapStatus.REJECTED
        swap.save(update_fields=["status", "decided_at"])
    else:
        _apply_to_roster(actor, swap)
        swap.status = SwapStatus.APPROVED
        if swap.payback_day:
            swap.paid_back_on = swap.payback_day
        swap.save(update_fields=["status", "decided_at", "paid_back_on"])
        if swap.kind == SwapKind.PAYBACK and swap.payback_of is not None:
            original = ShiftSwap.objects.select_for_update().get(pk=swap.payback_of_id)
            original.paid_back_on = swap.day
            original.save(update_fields=["paid_back_on"])
        _notify(swap.colleague, f"已批准：{_title(swap)}", "排班表已按换班调整", _link(swap))
    audit.record(
        actor=actor,
        action="swaps.approve" if outcome == "approved" else "swaps.reject",
        obj=swap,
        after={"status": swap.status},
        reason=comment[:200],
    )
    return swap


@transaction.atomic
def swap_withdraw(*, actor: Any, swap: ShiftSwap, reason: str = "") -> ShiftSwap:
    """The applicant withdraws — 撤销 (before the final approval)."""
    me = _me(actor)
    swap = _locked(swap)
    if me.pk != swap.applicant_id:
        raise PermissionDeniedError("只有申请人可以撤销换班申请")
    if swap.status not in OPEN_STATUSES:
        raise DomainError("swap_not_open", "该申请已结束，不能撤销", status=409)
    approval_cancel(actor=actor, subject=swap, reason=reason or "申请人撤销")
    swap.status = SwapStatus.WITHDRAWN
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    _notify(swap.colleague, f"已撤销：{_title(swap)}", reason[:200], _link(swap))
    audit.record(
        actor=actor, action="swaps.withdraw", obj=swap, after={"status": swap.status}, reason=reason
    )
    return swap


@transaction.atomic
def swap_paybacks_overdue_notify(*, today: dt.date | None = None) -> int:
    """还班逾期提醒 (the system, daily): each approved swap whose payback deadline has passed with
    no payback in the roster tells the applicant, the colleague and their team lead — once per
    swap (``overdue_notified_on``). Returns the number of notifications."""
    from kefu.workforce.selectors import team_lead_of

    from .selectors import paybacks_overdue

    today = today or timezone.localdate()
    overdue = (
        paybacks_overdue(ShiftSwap.objects.all(), today)
        .filter(overdue_notified_on__isnull=True)
        .select_for_update(of=("self",))
        .select_related("applicant", "colleague")
        .order_by("pk")
    )
    sent = 0
    for swap in overdue:
        people = [swap.applicant, swap.colleague]
        lead = team_lead_of(swap.applicant_id)
        if lead is not None and lead.pk not in {p.pk for p in people}:
            people.append(lead)
        due = md(swap.payback_due) if swap.payback_due else ""
        for person in people:
            _notify(
                person,
                f"还班逾期：{_title(swap)}",
                f"还班期限{due}已过，{swap.applicant.name}尚未向{swap.colleague.name}还班，请尽快安排还班。",
                _link(swap),
            )
            sent += 1
        swap.overdue_notified_on = today
        swap.save(update_fields=["overdue_notified_on"])
        audit.record(
            actor=None,
            action="swaps.payback_overdue",
            obj=swap,
            after={"payback_due": swap.payback_due, "notified": [p.pk for p in people]},
        )
    return sent
