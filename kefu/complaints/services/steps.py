"""The procedure's steps — 投诉处理各环节 (CMP-3..5): one service per step, one audit event each.

Who may act and what each step needs is ``procedure.apply``; these services store what the step
produced (the acceptance number, the route, the report, the opinions, the reply) under the
complaint's row lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError
from kefu.org.models import Department, Employee, Team
from kefu.org.selectors import department_descendant_ids

from ..choices import ProcedureStatus
from ..models import AcceptanceCounter, Complaint, InvestigationReport, ResponsibilityShare
from ..policy import complaints_policy
from ..procedure import ProcedureAction
from ..report import InvestigationData, as_decimal
from .common import finish, take_step


def received_on(complaint: Complaint) -> dt.date:
    """The day the complaint was received (Asia/Shanghai): it picks the policy versions."""
    return complaint.ticket.received_at.astimezone(SHANGHAI).date()


def next_acceptance_number(*, prefix: str, digits: int, year: int) -> str:
    """The next 受理编号 of ``year`` — ``TS2026-0001`` (unique; a rolled-back step leaves a gap)."""
    counter, _ = AcceptanceCounter.objects.get_or_create(prefix=prefix, year=year)
    AcceptanceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{prefix}{year}-{counter.last:0{digits}d}"


@transaction.atomic
def complaint_decide_acceptance(
    *, actor: Any, complaint: Complaint, accept: bool, reason: str = ""
) -> Complaint:
    """受理 / 不受理 (CMP-3): the 客服主管 or 经理 decides whether the complaint is accepted.

    Accepted: the acceptance time and number are given (CMP-4) and the complaint waits to be
    routed. Not accepted (caused by the customer): the reason is required, recorded, and shown
    in the reply the 客服 then gives the customer.
    """
    action = ProcedureAction.ACCEPT if accept else ProcedureAction.REJECT
    complaint, _employee, transition = take_step(
        actor=actor, complaint=complaint, action=action, comment=reason, reason=reason
    )
    now = timezone.now()
    complaint.accepted = bool(accept)
    complaint.decided_by = actor
    extra: dict[str, Any] = {}
    if accept:
        policy = complaints_policy(received_on(complaint))
        complaint.accepted_at = now
        complaint.number = next_acceptance_number(
            prefix=policy.numbering.prefix,
            digits=policy.numbering.digits,
            year=now.astimezone(SHANGHAI).year,
        )
        extra = {"number": complaint.number, "accepted_at": now}
    else:
        complaint.rejection_reason = reason.strip()
        extra = {"rejection_reason": complaint.rejection_reason}
    return finish(
        actor=actor, complaint=complaint, transition=transition, extra_after=extra, reason=reason
    )


@transaction.atomic
def complaint_route(
    *,
    actor: Any,
    complaint: Complaint,
    route: str,
    investigating_department: Department | int | None = None,
    reason: str = "",
) -> Complaint:
    """分派 (CMP-4): where an accepted complaint goes.

    投诉调查: 行政人事部 names the investigating department. 合同纠纷: to the leadership. 发货手续:
    answered per the sales procedure. The policy suggests a route from the ground; another
    route needs ``reason``.
    """
    department_id: int | None = None
    if investigating_department is not None:
        pk = (
            investigating_department.pk
            if isinstance(investigating_department, Department)
            else investigating_department
        )
        if not Department.objects.filter(pk=pk).exists():
            message = "受理部门不存在"
            raise DomainError(
                "complaint_department_required",
                message,
                fields={"investigating_department": message},
            )
        department_id = pk
    suggested = complaints_policy(received_on(complaint)).routing.route_for(complaint.ground)
    complaint, _employee, transition = take_step(
        actor=actor,
        complaint=complaint,
        action=ProcedureAction.ROUTE,
        comment=reason,
        route=route,
        investigating_department_id=department_id,
        suggested_route=suggested,
        reason=reason,
    )
    complaint.route = transition.after.route
    complaint.investigating_department_id = transition.after.investigating_department_id
    complaint.route_reason = reason.strip()
    extra: dict[str, Any] = {"suggested_route": suggested}
    if reason.strip():
        extra["route_reason"] = reason.strip()
    return finish(
        actor=actor, complaint=complaint, transition=transition, extra_after=extra, reason=reason
    )


def _check_units(data: InvestigationData) -> None:
    """Each share's team lies in its department and its person in its department (and team)."""
    errors: dict[str, str] = {}
    department_ids = {s.department_id for s in data.shares if s.department_id is not None}
    known = set(Department.objects.filter(pk__in=department_ids).values_list("pk", flat=True))
    teams = {
        t.pk: t for t in Team.objects.filter(pk__in=[s.team_id for s in data.shares if s.team_id])
    }
    people = {
        e.pk: e
        for e in Employee.objects.filter(
            pk__in=[s.employee_id for s in data.shares if s.employee_id]
        )
    }
    for index, share in enumerate(data.shares):
        key = f"shares.{index}"
        if share.department_id not in known:
            errors[f"{key}.department"] = "责任部门不存在"
            continue
        if share.team_id is not None:
            team = teams.get(share.team_id)
            if team is None or team.department_id != share.department_id:
                errors[f"{key}.team"] = "责任班组不属于该责任部门"
        if share.employee_id is not None:
            person = people.get(share.employee_id)
            if person is None:
                errors[f"{key}.employee"] = "责任人不存在"
            elif person.department_id not in department_descendant_ids(share.department_id):
                errors[f"{key}.employee"] = "责任人不属于该责任部门"
            elif share.team_id is not None and person.team_id != share.team_id:
                errors[f"{key}.employee"] = "责任人不属于该责任班组"
    if errors:
        raise DomainError(
            "complaint_report_incomplete", "责任划分有误，请检查标红的项目", fields=errors
        )


@transaction.atomic
def complaint_submit_investigation(
    *, actor: Any, complaint: Complaint, report: InvestigationData
) -> Complaint:
    """提交投诉调查报告 (CMP-5, CMP-8): by the investigating department; goes to its head.

    A resubmission after a 退回 replaces the report (the version counts up) and its
    responsibility shares; the audit event keeps the whole content of every submission.
    """
    complaint, _employee, transition = take_step(
        actor=actor,
        complaint=complaint,
        action=ProcedureAction.SUBMIT_INVESTIGATION,
        report=report,
    )
    _check_units(report)
    now = timezone.now()
    values = {
        "scope_true": bool(report.scope_true),
        "reasons_sound": bool(report.reasons_sound),
        "demand_legitimate": bool(report.demand_legitimate),
        "aim": report.aim.strip(),
        "cause": report.cause.strip(),
        "course": report.course.strip(),
        "conclusion": report.conclusion.strip(),
        "countermeasures": report.countermeasures.strip(),
        "prevention": report.prevention.strip(),
        "loss_amount": as_decimal(report.loss_amount),
        "submitted_by": actor,
        "submitted_at": now,
    }
    existing = InvestigationReport.objects.filter(complaint=complaint).first()
    if existing is None:
        stored = InvestigationReport.objects.create(complaint=complaint, **values)
    else:
        for key, value in values.items():
            setattr(existing, key, value)
        existing.version += 1
        existing.save()
        existing.shares.all().delete()
        stored = existing
    shares = [
        ResponsibilityShare(
            report=stored,
            department_id=s.department_id,
            team_id=s.team_id,
            employee_id=s.employee_id,
            percent=as_decimal(s.percent),
            sanction_trigger=s.sanction_trigger,
            sanction=s.sanction,
        )
        for s in report.shares
    ]
    ResponsibilityShare.objects.bulk_create(shares)
    content = {k: v for k, v in values.items() if k not in ("submitted_by", "submitted_at")}
    content["version"] = stored.version
    content["shares"] = [
        {
            "department_id": s.department_id,
            "team_id": s.team_id,
            "employee_id": s.employee_id,
            "percent": s.percent,
            "sanction_trigger": s.sanction_trigger,
            "sanction": s.sanction,
        }
        for s in shares
    ]
    return finish(
        actor=actor, complaint=complaint, transition=transition, extra_after={"report": content}
    )


@transaction.atomic
def complaint_approve(*, actor: Any, complaint: Complaint, comment: str = "") -> Complaint:
    """审核同意 (CMP-5): at the step the complaint is at — 受理部门负责人 → 行政人事部 → 总经理
    for the report, 客服主管 for the handling opinion. Only that step's approver may."""
    complaint, _employee, transition = take_step(
        actor=actor,
        complaint=complaint,
        action=ProcedureAction.APPROVE,
        comment=comment,
        reason=comment,
    )
    extra = {"approval_step": transition.approval_step}
    return finish(
        actor=actor, complaint=complaint, transition=transition, extra_after=extra, reason=comment
    )


@transaction.atomic
def complaint_return(*, actor: Any, complaint: Complaint, comment: str) -> Complaint:
    """退回 (CMP-5): the step's approver sends it back with a comment — a report to 调查中 (the
    chain then starts again), the handling opinion to 待形成处理意见."""
    complaint, _employee, transition = take_step(
        actor=actor,
        complaint=complaint,
        action=ProcedureAction.RETURN,
        comment=comment,
        reason=comment,
    )
    extra = {"approval_step": transition.approval_step}
    return finish(
        actor=actor, complaint=complaint, transition=transition, extra_after=extra, reason=comment
    )


@transaction.atomic
def complaint_review(
    *, actor: Any, complaint: Complaint, approve: bool, comment: str = ""
) -> Complaint:
    """主管审核处理意见 (CMP-5, 第十三条): the 客服主管 approves the handling opinion (→ 待答复客户)
    or returns it with a comment (→ 待形成处理意见). Only at that step."""
    if complaint.status != ProcedureStatus.SUPERVISOR_REVIEW:
        raise DomainError(
            "complaint_illegal_transition",
            f"{ProcedureStatus(complaint.status).label}的投诉不能审核处理意见",
            status=409,
        )
    if approve:
        return complaint_approve(actor=actor, complaint=complaint, comment=comment)
    return complaint_return(actor=actor, complaint=complaint, comment=comment)


@transaction.atomic
def complaint_leadership_decide(*, actor: Any, complaint: Complaint, text: str) -> Complaint:
    """领导裁定 (CMP-4, 第八条 2): 总经理 or 副总经理 decides a pure contract dispute."""
    complaint, _employee, transition = take_step(
        actor=actor,
        complaint=complaint,
        action=ProcedureAction.LEADERSHIP_DECIDE,
        comment=text,
        text=text,
    )
    complaint.leadership_decision = text.strip()
    return finish(
        actor=actor,
        complaint=complaint,
        transition=transition,
        extra_after={"leadership_decision": complaint.leadership_decision},
    )


@transaction.atomic
def complaint_record_handling_opinion(*, actor: Any, complaint: Complaint, text: str) -> Complaint:
    """形成处理意见 (CMP-5, 第十三条): the investigating department, after the 总经理's approval,
    writes its handling opinion (受理部门处理意见 on the 记录卡); the supervisor reviews it."""
    complaint, _employee, transition = take_step(
        actor=actor,
        complaint=complaint,
        action=ProcedureAction.RECORD_HANDLING_OPINION,
        comment=text,
        text=text,
    )
    complaint.handling_opinion = text.strip()
    return finish(
        actor=actor,
        complaint=complaint,
        transition=transition,
        extra_after={"handling_opinion": complaint.handling_opinion},
    )


__all__ = [
    "complaint_approve",
    "complaint_decide_acceptance",
    "complaint_leadership_decide",
    "complaint_record_handling_opinion",
    "complaint_return",
    "complaint_review",
    "complaint_route",
    "complaint_submit_investigation",
    "next_acceptance_number",
    "received_on",
]
