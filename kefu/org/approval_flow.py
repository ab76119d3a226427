"""Approval flow — 审批流转 (ORG-4): the steps of one request along the reporting line.

Modules with a request that needs approval (请假 WFM-4, 换班 WFM-3, 补卡 WFM-5, later 奖罚通知单 …)
call ``approval_start`` when the request is submitted and ``approval_decide`` when an approver
acts; the return value tells the module whether the request is now fully approved, rejected, or
waiting for the next level. The module keeps its own status field and applies the consequences
(e.g. the roster change) in the same transaction. Nobody is skipped: each approver in the chain
decides in turn; a rejection ends the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import Notification

from .approval import approval_chain
from .choices import ApprovalState
from .models import ApprovalStep, Employee
from .selectors import employee_of

Outcome = Literal["approved", "rejected", "pending"]

_OPEN = (ApprovalState.WAITING, ApprovalState.PENDING)


def _steps(subject: models.Model) -> QuerySet[ApprovalStep]:
    ct = ContentType.objects.get_for_model(subject)
    return ApprovalStep.objects.filter(subject_type=ct, subject_id=subject.pk).order_by("position")


def _notify(employee: Employee, *, title: str, body: str, link: str) -> None:
    Notification.objects.create(recipient_id=employee.user_id, title=title, body=body, link=link)


@transaction.atomic
def approval_start(
    *,
    subject: models.Model,
    kind: str,
    applicant: Employee,
    title: str,
    link: str = "",
    on: dt.date | None = None,
    **facts: Any,
) -> list[ApprovalStep]:
    """Start the approval of ``subject`` — 提交审批: one step per approver on the chain for
    ``kind`` under the org policy in force on ``on``; the first approver is notified.

    Raises ``DomainError`` when the chain cannot be built (no rule, reporting line incomplete)
    or the subject already has open steps.
    """
    if _steps(subject).filter(state__in=_OPEN).exists():
        raise DomainError("approval_already_started", "该申请已在审批中", status=409)
    approvers = approval_chain(applicant, kind, on=on, **facts)
    ct = ContentType.objects.get_for_model(subject)
    start = (_steps(subject).aggregate(m=models.Max("position"))["m"] or -1) + 1
    steps = [
        ApprovalStep(
            kind=kind,
            subject_type=ct,
            subject_id=subject.pk,
            position=start + i,
            applicant=applicant,
            approver=approver,
            state=ApprovalState.PENDING if i == 0 else ApprovalState.WAITING,
            title=title[:200],
            link=link[:300],
        )
        for i, approver in enumerate(approvers)
    ]
    ApprovalStep.objects.bulk_create(steps)
    _notify(
        approvers[0], title=f"待审批：{title}"[:200], body=f"申请人：{applicant.name}", link=link
    )
    audit.record(
        actor=applicant.user,
        action="approval.start",
        obj=subject,
        after={"kind": kind, "approvers": [a.pk for a in approvers]},
    )
    return steps


def approval_current(subject: models.Model) -> ApprovalStep | None:
    """The step waiting for a decision now, or None when finished / not started."""
    return _steps(subject).filter(state=ApprovalState.PENDING).select_related("approver").first()


def approval_can_decide(user: Any, subject: models.Model) -> bool:
    """Whether ``user`` is the approver whose turn it is."""
    me = employee_of(user)
    step = approval_current(subject)
    return bool(me and step and step.approver_id == me.pk)


@transaction.atomic
def approval_decide(
    *, actor: Any, subject: models.Model, approve: bool, comment: str = ""
) -> Outcome:
    """Record the current approver's decision — 审批: 同意 passes the request to the next level
    (or finishes it), 驳回 ends it (a comment is required). Only the approver whose turn it is
    may decide; the applicant is told the result.
    """
    me = employee_of(actor)
    step = (
        _steps(subject)
        .select_for_update()
        .filter(state=ApprovalState.PENDING)
        .select_related("applicant")
        .first()
    )
    if step is None:
        raise DomainError("approval_not_pending", "该申请没有待审批的环节", status=409)
    if me is None or step.approver_id != me.pk:
        raise PermissionDeniedError("不是当前审批人，不能审批（不得越级审批）")
    comment = (comment or "").strip()[:500]
    if not approve and not comment:
        raise DomainError(
            "approval_comment_required",
            "驳回时请填写审批意见",
            fields={"comment": "请填写驳回原因"},
        )
    now = timezone.now()
    step.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
    step.decided_at = now
    step.comment = comment
    step.save(update_fields=["state", "decided_at", "comment"])
    outcome: Outcome
    if not approve:
        _steps(subject).filter(state=ApprovalState.WAITING).update(
            state=ApprovalState.CANCELLED, decided_at=now
        )
        outcome = "rejected"
        _notify(
            step.applicant,
            title=f"已驳回：{step.title}"[:200],
            body=f"{me.name}：{comment}",
            link=step.link,
        )
    else:
        nxt = _steps(subject).filter(state=ApprovalState.WAITING).select_related("approver").first()
        if nxt is None:
            outcome = "approved"
            _notify(
                step.applicant, title=f"已批准：{step.title}"[:200], body=comment, link=step.link
            )
        else:
            nxt.state = ApprovalState.PENDING
            nxt.save(update_fields=["state"])
            outcome = "pending"
            _notify(
                nxt.approver,
                title=f"待审批：{step.title}"[:200],
                body=f"申请人：{step.applicant.name}；{me.name}已同意",
                link=step.link,
            )
    audit.record(
        actor=actor,
        action="approval.approve" if approve else "approval.reject",
        obj=subject,
        after={"step": step.position, "outcome": outcome},
        reason=comment,
    )
    return outcome


@transaction.atomic
def approval_cancel(*, actor: Any, subject: models.Model, reason: str = "") -> int:
    """Withdraw a request's open steps — 撤销审批 (the applicant withdrew it, or it lapsed).
    Returns how many steps were cancelled; the module checks who may withdraw."""
    n = (
        _steps(subject)
        .filter(state__in=_OPEN)
        .update(state=ApprovalState.CANCELLED, decided_at=timezone.now())
    )
    if n:
        audit.record(actor=actor, action="approval.cancel", obj=subject, reason=reason[:200])
    return n


def approval_steps(subject: models.Model) -> list[ApprovalStep]:
    """All steps of a request in order, approvers joined — for the request's detail page."""
    return list(_steps(subject).select_related("approver", "approver__position"))


def approvals_pending_for_user(user: Any) -> QuerySet[ApprovalStep]:
    """待我审批: the steps waiting for ``user``'s decision, oldest first."""
    me = employee_of(user)
    if me is None:
        return ApprovalStep.objects.none()
    return (
        ApprovalStep.objects.filter(approver=me, state=ApprovalState.PENDING)
        .select_related("applicant")
        .order_by("created_at", "pk")
    )


def approvals_decided_by_user(user: Any) -> QuerySet[ApprovalStep]:
    """我已审批: the steps ``user`` decided, newest first."""
    me = employee_of(user)
    if me is None:
        return ApprovalStep.objects.none()
    return (
        ApprovalStep.objects.filter(
            approver=me, state__in=(ApprovalState.APPROVED, ApprovalState.REJECTED)
        )
        .select_related("applicant")
        .order_by("-decided_at", "-pk")
    )
