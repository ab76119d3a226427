"""Month close — 月结 (CMP-7, PERF-8): the manager reviews a finished month, the GM approves it,
then a background job freezes every employee's payroll inputs (PayrollLine) and the month is
closed for good.

Workflow: 未结账 → ``month_review`` (客服部经理, 经理已审核) → ``month_approve`` (总经理, 结账中:
the month is locked from here, kefu/performance/periods.py) → the close job → 已结账. The GM may
send a reviewed month back (``month_reject``); a month whose proposals or appeals became pending
after the review goes back by itself when the GM tries to approve it. The approval is also the GM's approval of the
month's 奖罚通知单 (recorded in the audit trail). ``month_close_reminders`` reminds the manager
(and, for a reviewed month, the GM) in the days before the policy's ``close_by_day``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kefu.core import audit
from kefu.core.choices import JobKind, JobStatus
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, job_payload_json, job_submit, run_job
from kefu.core.models import BackgroundJob, Notification
from kefu.core.policy import scorecard_policy
from kefu.org.models import Employee

from ..choices import AppealStatus, IncidentStatus, MonthCloseStatus, Scheme
from ..departments import department_history
from ..models import Appeal, Incident, MonthClose, PayrollLine
from ..payroll import collect_payroll, run_close_preparers
from ..periods import locked_months, month_end, month_start, next_month
from ..policy import performance_policy

REVIEW_PERM = "performance.review_month"
APPROVE_PERM = "performance.approve_month"
EXPORT_PERM = "performance.export_payroll"
VIEW_PERM = "performance.view_monthclose"
BATCH = 1000
ZERO = Decimal("0")
CENT = Decimal("0.01")


# --- helpers ------------------------------------------------------------------------------------
def month_label(month: dt.date) -> str:
    """2026年10月"""
    return f"{month:%Y}年{month.month}月"


def close_due(month: dt.date) -> dt.date:
    """The day the month must be closed by (CMP-7: the policy's ``close_by_day`` of the next
    month)."""
    nxt = next_month(month)
    return nxt.replace(day=performance_policy(nxt).close_by_day)


def detail_link(month: dt.date) -> str:
    return reverse("performance:close_detail", args=[f"{month:%Y-%m}"])


def holders_of(perm: str) -> QuerySet[Any]:
    """Active users holding ``perm`` through a group or directly (superusers left out)."""
    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    user_model = get_user_model()
    if permission is None:
        return user_model.objects.none()
    return (
        user_model.objects.filter(
            Q(groups__permissions=permission) | Q(user_permissions=permission), is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def _notify(perm: str, *, title: str, body: str, link: str, exclude: Any = None) -> int:
    users = holders_of(perm)
    if exclude is not None and getattr(exclude, "pk", None):
        users = users.exclude(pk=exclude.pk)
    rows = [Notification(recipient=u, title=title, body=body, link=link) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def _require(actor: Any, perm: str) -> None:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDeniedError()


def _snapshot(row: MonthClose) -> dict[str, Any]:
    return {
        "month": row.month.isoformat(),
        "status": row.status,
        "reviewed_by": row.reviewed_by_id,
        "approved_by": row.approved_by_id,
        "job": row.job_id,
    }


def _locked_row(month: dt.date) -> MonthClose:
    """The month's MonthClose row, created open when missing, locked for this transaction."""
    MonthClose.objects.get_or_create(month=month)
    return MonthClose.objects.select_for_update().get(month=month)


def pending_counts(month: dt.date) -> tuple[int, int]:
    """(proposals waiting for confirmation, appeals waiting for a decision) booked in ``month``."""
    proposals = Incident.objects.filter(month=month, status=IncidentStatus.PROPOSED).count()
    appeals = Appeal.objects.filter(status=AppealStatus.PENDING, incident__month=month).count()
    return proposals, appeals


def earliest_unclosed_month_before(month: dt.date) -> dt.date | None:
    """The first month before ``month`` that has ledger lines but is not locked, if any.

    Months are closed in order: carry-overs (CMP-9 instalments, reversals into "the first open
    month") assume every earlier month with figures is already frozen.
    """
    return (
        Incident.objects.filter(month__lt=month)
        .exclude(month__in=locked_months())
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )


def _status_refusal(row: MonthClose, action: str) -> ConflictError:
    return ConflictError(
        "month_status", f"{month_label(row.month)}当前为“{row.get_status_display()}”，不能{action}"
    )


# --- workflow -----------------------------------------------------------------------------------
def month_review(*, actor: Any, month: dt.date, note: str = "") -> MonthClose:
    """经理审核 — the manager submits a finished month to the GM.

    First runs every close preparer (imports of attendance, handover, complaint findings, sales
    awards; idempotent, kept even when the review is refused so the proposals they add can be
    confirmed), then refuses while proposals or appeals of the month are pending.
    """
    _require(actor, REVIEW_PERM)
    month = month_start(month)
    today = timezone.localdate()
    if today <= month_end(month):
        raise DomainError(
            "month_not_over",
            f"{month_label(month)}尚未结束，月末之后才能审核",
            fields={"month": ""},
        )
    current = MonthClose.objects.filter(month=month).first()
    if current is not None and current.status != MonthCloseStatus.OPEN:
        raise _status_refusal(current, "审核")
    earlier = earliest_unclosed_month_before(month)
    if earlier is not None:
        raise ConflictError(
            "earlier_month_open",
            f"{month_label(earlier)}还有奖惩记录尚未结账，请按月份顺序先结{month_label(earlier)}",
        )
    summaries = [s for s in run_close_preparers(month, actor) if s]
    with transaction.atomic():
        row = _locked_row(month)
        if row.status != MonthCloseStatus.OPEN:
            raise _status_refusal(row, "审核")
        proposals, appeals = pending_counts(month)
        if proposals or appeals:
            parts = []
            if proposals:
                parts.append(f"待确认的奖惩事件 {proposals} 条")
            if appeals:
                parts.append(f"待处理的申诉 {appeals} 件")
            raise ConflictError(
                "month_pending",
                f"{month_label(month)}还有{'、'.join(parts)}，请先处理完再审核",
            )
        before = _snapshot(row)
        row.status = MonthCloseStatus.REVIEWED
        row.reviewed_by = actor
        row.reviewed_at = timezone.now()
        row.review_note = (note or "").strip()[:2000]
        row.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit.record(
            actor=actor,
            action="performance.month_reviewed",
            obj=row,
            before=before,
            after={**_snapshot(row), "preparers": summaries, "note": row.review_note},
        )
        _notify(
            APPROVE_PERM,
            title=f"月结待批准：{month_label(month)}",
            body=f"客服部经理已审核{month_label(month)}的绩效奖惩，请批准结账（奖罚通知单）。"
            + (f"审核意见：{row.review_note}" if row.review_note else ""),
            link=detail_link(month),
        )
    return row


@transaction.atomic
def month_reject(*, actor: Any, month: dt.date, reason: str) -> MonthClose:
    """退回 — the GM sends a reviewed month back to the manager with a reason (status 未结账)."""
    _require(actor, APPROVE_PERM)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写退回理由", fields={"reason": "必填"})
    month = month_start(month)
    row = _locked_row(month)
    if row.status != MonthCloseStatus.REVIEWED:
        raise _status_refusal(row, "退回")
    before = _snapshot(row)
    row.status = MonthCloseStatus.OPEN
    row.reviewed_by = None
    row.reviewed_at = None
    row.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        action="performance.month_rejected",
        obj=row,
        before=before,
        after=_snapshot(row),
        reason=reason[:2000],
    )
    _notify(
        REVIEW_PERM,
        title=f"月结被退回：{month_label(month)}",
        body=f"总经理退回了{month_label(month)}的月结：{reason}",
        link=detail_link(month),
    )
    return row


month_reopen = month_reject


def _submit_close_job(*, actor: Any, row: MonthClose) -> BackgroundJob:
    job = job_submit(
        actor=actor,
        kind=JobKind.MONTH_CLOSE,
        task=month_close_job_task,
        payload={"month": row.month.isoformat()},
        description=f"月结：{month_label(row.month)}",
    )
    MonthClose.objects.filter(pk=row.pk).update(job=job)
    row.job = job
    return job


def _pending_refusal(month: dt.date, proposals: int, appeals: int) -> ConflictError:
    parts = []
    if proposals:
        parts.append(f"待确认的奖惩事件 {proposals} 条")
    if appeals:
        parts.append(f"待处理的申诉 {appeals} 件")
    return ConflictError(
        "month_pending_after_review",
        f"经理审核后{month_label(month)}又有{'、'.join(parts)}，不能批准结账；"
        "该月已退回客服部经理，处理完后重新审核",
    )


def _send_back_for_pending(*, actor: Any, row: MonthClose, proposals: int, appeals: int) -> None:
    """The month goes back to 未结账 because lines became pending after the review (audited, the
    manager notified)."""
    before = _snapshot(row)
    row.status = MonthCloseStatus.OPEN
    row.reviewed_by = None
    row.reviewed_at = None
    row.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    note = f"审核后新增待确认事件 {proposals} 条、待处理申诉 {appeals} 件，退回重新审核"
    audit.record(
        actor=actor,
        action="performance.month_returned",
        obj=row,
        before=before,
        after={**_snapshot(row), "proposals": proposals, "appeals": appeals, "note": note},
        reason=note,
    )
    _notify(
        REVIEW_PERM,
        title=f"月结退回重审：{month_label(row.month)}",
        body=f"总经理批准{month_label(row.month)}月结时，{note}。请处理后重新审核。",
        link=detail_link(row.month),
    )


def month_approve(*, actor: Any, month: dt.date) -> BackgroundJob:
    """批准结账 — the GM approves a reviewed month (and with it the month's 奖罚通知单, CMP-7).

    From here the month is locked (结账中): anything booked for it lands in the next month. The
    close job writing the PayrollLine snapshot is queued; returns the job.

    Proposals or appeals of the month that became pending after the manager's review (a late
    import, a proposal recorded or an appeal filed in between) block the approval: what the GM
    approves is what the manager reviewed. The month is then sent back to 未结账 (committed,
    audited as ``performance.month_returned``, the manager notified) and the approval is refused
    with the counts, so the lines are settled in their own month, not silently in the next one.
    """
    _require(actor, APPROVE_PERM)
    month = month_start(month)
    with transaction.atomic():
        row = _locked_row(month)
        if row.status != MonthCloseStatus.REVIEWED:
            raise _status_refusal(row, "批准结账")
        proposals, appeals = pending_counts(month)
        if not (proposals or appeals):
            before = _snapshot(row)
            row.status = MonthCloseStatus.CLOSING
            row.approved_by = actor
            row.approved_at = timezone.now()
            row.save(update_fields=["status", "approved_by", "approved_at"])
            audit.record(
                actor=actor,
                action="performance.month_approved",
                obj=row,
                before=before,
                after={**_snapshot(row), "notice": "奖罚通知单已由总经理批准"},
            )
            return _submit_close_job(actor=actor, row=row)
        _send_back_for_pending(actor=actor, row=row, proposals=proposals, appeals=appeals)
    # Raised after the send-back is committed (the refusal must not undo it).
    raise _pending_refusal(month, proposals, appeals)


@transaction.atomic
def month_close_restart(*, actor: Any, month: dt.date) -> BackgroundJob:
    """重新结账 — queue the close job again for a month whose job failed (结账中, no live job)."""
    _require(actor, APPROVE_PERM)
    month = month_start(month)
    row = _locked_row(month)
    if row.status != MonthCloseStatus.CLOSING:
        raise _status_refusal(row, "重新结账")
    if (
        row.job_id
        and BackgroundJob.objects.filter(
            pk=row.job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).exists()
    ):
        raise ConflictError("month_close_busy", "结账任务正在进行，请等待完成")
    audit.record(actor=actor, action="performance.month_close_restarted", obj=row)
    return _submit_close_job(actor=actor, row=row)


# --- the close job ------------------------------------------------------------------------------
def employees_of_month(month: dt.date, extra_ids: set[int]) -> list[Employee]:
    """Everyone employed at some time in ``month``, plus whoever has payroll lines in it."""
    start, end = month, month_end(month)
    active = Q(hire_date__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gte=start))
    return list(
        Employee.objects.filter(active | Q(pk__in=extra_ids))
        .select_related("department", "team")
        .only(
            "pk",
            "employee_no",
            "name",
            "department__name",
            "department__code",
            "team__name",
        )
        .order_by("pk")
    )


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def build_payroll_lines(month: dt.date, *, progress: Progress | None = None) -> list[PayrollLine]:
    """The month's PayrollLine rows (unsaved) from every registered payroll source."""
    results = collect_payroll(month, None)
    people = employees_of_month(month, set(results))
    policy = performance_policy(month_end(month))
    bases = {
        Scheme.POINTS100.value: Decimal(scorecard_policy(month_end(month)).base_points),
        Scheme.POINTS10.value: Decimal(policy.ten_point_base),
    }
    now = timezone.now()
    # The department of the month (PERF-4), not today's: it picks the scheme and is printed.
    end = month_end(month)
    history = department_history(end)
    rows: list[PayrollLine] = []
    total = len(people)
    for i, emp in enumerate(people, start=1):
        result = results.get(emp.pk)
        amounts = dict(result.amounts) if result else {}
        code = emp.department.code if emp.department_id else ""
        name = emp.department.name if emp.department_id else ""
        _, code = history.on(emp.pk, emp.department_id, code, end)
        scheme = policy.scheme_for(code or None)
        score = amounts.pop("score", None)
        if score is None:
            score = bases.get(scheme, ZERO)
        net = result.net if result else ZERO
        rows.append(
            PayrollLine(
                month=month,
                employee_id=emp.pk,
                department_name=history.name_on(emp.pk, emp.department_id, name, end),
                team_name=emp.team.name if emp.team_id else "",
                scheme=scheme,
                score=Decimal(score).quantize(CENT),
                amounts={k: _money(v) for k, v in amounts.items()},
                net=Decimal(net).quantize(CENT),
                flags=list(result.flags) if result else [],
                created_at=now,
            )
        )
        if progress and i % 500 == 0:
            progress(i, total)
    return rows


def month_close_run(
    *, actor: Any, month: dt.date, progress: Progress | None = None
) -> dict[str, Any]:
    """结账 — the close job's work: book the compensation instalments (CMP-9), run the preparers
    once more, then (re)write the month's PayrollLine rows in one transaction and mark the month
    closed.

    Restartable: the month's rows are deleted and written again. A month already closed is left
    exactly as it is.
    """
    _require(actor, APPROVE_PERM)
    month = month_start(month)
    row = MonthClose.objects.filter(month=month).first()
    if row is None or row.status not in (MonthCloseStatus.CLOSING, MonthCloseStatus.CLOSED):
        raise ConflictError("month_not_approved", f"{month_label(month)}尚未经总经理批准结账")
    if row.status == MonthCloseStatus.CLOSED:
        return {"month": month.isoformat(), "lines": row_count(month), "already_closed": True}
    report = progress or (lambda done, total: None)
    report(0, 100)
    # CMP-9: this month's compensation instalments (under each person's cap) are booked first,
    # so the compensation payroll source reports them.
    from kefu.compensation.services import compensation_book_month

    instalments = compensation_book_month(month=month, actor=actor)
    summaries = [s for s in run_close_preparers(month, actor) if s]
    lines = build_payroll_lines(month, progress=None)
    report(50, 100)
    with transaction.atomic():
        row = MonthClose.objects.select_for_update().get(pk=row.pk)
        if row.status == MonthCloseStatus.CLOSED:
            return {"month": month.isoformat(), "lines": row_count(month), "already_closed": True}
        PayrollLine.objects.filter(month=month).delete()
        PayrollLine.objects.bulk_create(lines, batch_size=BATCH)
        before = _snapshot(row)
        row.status = MonthCloseStatus.CLOSED
        row.closed_at = timezone.now()
        row.save(update_fields=["status", "closed_at"])
        net_total = sum((pl.net for pl in lines), ZERO)
        flagged = sum(1 for pl in lines if pl.flags)
        audit.record(
            actor=actor,
            action="performance.month_closed",
            obj=row,
            before=before,
            after={
                **_snapshot(row),
                "lines": len(lines),
                "net_total": _money(net_total),
                "flagged": flagged,
                "instalments": instalments,
            },
        )
        title = f"月结完成：{month_label(month)}"
        body = f"{month_label(month)}已结账，生成工资核算 {len(lines)} 人，合计 ¥{net_total:,.2f}"
        for perm in (REVIEW_PERM, APPROVE_PERM):
            _notify(perm, title=title, body=body, link=detail_link(month))
    report(100, 100)
    return {
        "month": month.isoformat(),
        "lines": len(lines),
        "net_total": _money(net_total),
        "flagged": flagged,
        "instalments": instalments,
        "preparers": summaries,
    }


def row_count(month: dt.date) -> int:
    return PayrollLine.objects.filter(month=month).count()


def close_job_work(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """The work of a month-close job, as the GM who approved."""
    month = dt.date.fromisoformat(job_payload_json(job)["month"])
    try:
        result = month_close_run(actor=job.created_by, month=month, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError("您已没有批准月结的权限，本次未结账", code=exc.code) from exc
    summary = f"{month_label(month)}已结账，生成工资核算 {result['lines']} 人"
    return JobOutcome(result=result, summary=summary)


@task()
def month_close_job_task(job_id: int) -> None:
    """月结 for job ``job_id`` (JobKind.MONTH_CLOSE)."""
    run_job(job_id, close_job_work)


# --- reminders ----------------------------------------------------------------------------------
def month_close_reminders(*, today: dt.date | None = None) -> int:
    """月结提醒: from ``close_by_day`` − ``close_reminder_days`` (policy) of a month on, while last month is not closed, remind the
    manager (month open) or the GM (month reviewed); once a day per person. Returns how many
    notifications were sent."""
    today = today or timezone.localdate()
    this_month = month_start(today)
    previous = month_start(this_month - dt.timedelta(days=1))
    policy = performance_policy(this_month)
    due = this_month.replace(day=policy.close_by_day)
    if today < due - dt.timedelta(days=policy.close_reminder_days):
        return 0
    row = MonthClose.objects.filter(month=previous).first()
    status = row.status if row else MonthCloseStatus.OPEN
    if status == MonthCloseStatus.OPEN:
        perm, what = REVIEW_PERM, "审核"
    elif status == MonthCloseStatus.REVIEWED:
        perm, what = APPROVE_PERM, "批准结账"
    else:
        return 0
    overdue = today > due
    title = f"月结提醒：{month_label(previous)}" + ("（已逾期）" if overdue else "")
    body = f"{month_label(previous)}的绩效月结须于{due:%Y-%m-%d}前完成，请尽快{what}。"
    link = detail_link(previous)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    sent = 0
    with transaction.atomic():
        for user in holders_of(perm):
            if Notification.objects.filter(
                recipient=user, link=link, title=title, created_at__gte=start
            ).exists():
                continue
            Notification.objects.create(recipient=user, title=title, body=body, link=link)
            sent += 1
    return sent
