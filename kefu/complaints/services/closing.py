"""Answering the customer and closing — 答复客户、结案 (CMP-5 第十四条, CMP-6, CMP-8..11).

The 客服 answers in writing or by phone; the text is recorded on the complaint and, as the
ticket's reply, through ``ticket_act`` (解决 with the reply, then 结案), so the ticket's deadline
(CMP-6) stops where the complaint closes. An investigated complaint's approved report becomes
its responsibility findings, with CMP-11's fine for a service complaint against a 客服.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError
from kefu.core.policy import fine_policy
from kefu.org.choices import Role
from kefu.org.models import Employee
from kefu.tickets.choices import Status as TicketStatus
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_act
from kefu.tickets.statemachine import Action as TicketAction

from ..choices import Ground, Route
from ..findings import FindingDraft, ShareInput, draft_findings
from ..guards import procedure_closing
from ..models import Complaint, InvestigationReport, ResponsibilityFinding
from ..policy import complaints_policy
from ..procedure import ProcedureAction
from .common import finish, take_step
from .steps import received_on

REJECTION_PREFIX = "不受理原因："


def reply_text_for(complaint: Complaint, text: str) -> str:
    """What the customer is told. A refusal always carries its recorded reason (CMP-3)."""
    text = text.strip()
    if complaint.accepted is False and complaint.rejection_reason not in text:
        return f"{text}\n{REJECTION_PREFIX}{complaint.rejection_reason}"
    return text


def _close_ticket(actor: Any, ticket: Ticket, *, text: str, via: str) -> None:
    """The ticket's side of the reply: 解决 (or 回复 when already resolved), then 结案."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.status == TicketStatus.CLOSED:
        return  # closed already (e.g. by the ticket's own page); the complaint records the reply
    if ticket.status == TicketStatus.TRANSFERRED:
        raise DomainError(
            "complaint_ticket_transferred",
            f"工单 {ticket.number} 正在转交中，请先接收或退回转交再答复客户",
            status=409,
        )
    first = TicketAction.REPLY if ticket.status == TicketStatus.RESOLVED else TicketAction.RESOLVE
    with procedure_closing(ticket.pk):  # the guard lets only the procedure close it
        ticket = ticket_act(actor=actor, ticket=ticket, action=first, note=text, via=via)
        ticket_act(actor=actor, ticket=ticket, action=TicketAction.CLOSE)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _findings(complaint: Complaint, *, now: dt.datetime) -> list[ResponsibilityFinding]:
    report = (
        InvestigationReport.objects.filter(complaint=complaint).prefetch_related("shares").first()
    )
    if complaint.route != Route.INVESTIGATION or report is None:
        return []
    shares = list(report.shares.all())
    if not shares:
        return []
    received = received_on(complaint)
    policy = complaints_policy(received)
    fines = fine_policy(received).service_complaint
    closed_on = now.astimezone(SHANGHAI).date()
    basis = policy.service_complaint.month_basis
    service_month = _month_start(received if basis == "received" else closed_on)
    is_service = complaint.ground == Ground.SERVICE
    people = [s.employee_id for s in shares if s.employee_id is not None]
    service_people: frozenset[int] = frozenset()
    prior: dict[int, int] = {}
    if is_service and people:
        labels = [Role(r).label for r in policy.service_complaint.roles]
        service_people = frozenset(
            Employee.objects.filter(pk__in=people, user__groups__name__in=labels)
            .values_list("pk", flat=True)
            .distinct()
        )
        for employee_id in service_people:
            prior[employee_id] = ResponsibilityFinding.objects.filter(
                employee_id=employee_id, is_service_attitude=True, service_month=service_month
            ).count()
    drafts: list[FindingDraft] = draft_findings(
        shares=[
            ShareInput(
                department_id=s.department_id,
                percent=s.percent,
                team_id=s.team_id,
                employee_id=s.employee_id,
                sanction_trigger=s.sanction_trigger,
                sanction=s.sanction,
            )
            for s in shares
        ],
        loss_amount=report.loss_amount,
        service_complaint=is_service,
        service_people=service_people,
        prior_occurrences=prior,
        fine_first=fines.first,
        fine_multiplier=fines.multiplier,
        dismissal_on=fines.dismissal_on,
        default_sanction=policy.default_sanction,
    )
    rows = [
        ResponsibilityFinding(
            complaint=complaint,
            department_id=d.department_id,
            team_id=d.team_id,
            employee_id=d.employee_id,
            share_percent=d.percent,
            loss_amount=report.loss_amount,
            loss_share=d.loss_share,
            sanction_trigger=d.sanction_trigger,
            proposed_sanction=d.sanction,
            is_service_attitude=d.is_service_attitude,
            service_month=service_month if d.is_service_attitude else None,
            occurrence=d.occurrence,
            fine_amount=d.fine_amount,
            month=_month_start(closed_on),
            created_at=now,
        )
        for d in drafts
    ]
    return ResponsibilityFinding.objects.bulk_create(rows)


@transaction.atomic
def complaint_reply(*, actor: Any, complaint: Complaint, via: str, text: str) -> Complaint:
    """答复客户、结案 (CMP-5 第十四条, CMP-3): 客服 answers in writing or by phone; the complaint
    closes, its ticket is resolved with the reply and closed, and an investigated complaint's
    responsibility findings are made (CMP-8..11). One audit event for the complaint (the ticket
    records its own).
    """
    complaint, _employee, transition = take_step(
        actor=actor,
        complaint=complaint,
        action=ProcedureAction.REPLY,
        comment=text,
        text=text,
        reply_via=via,
    )
    now = timezone.now()
    told = reply_text_for(complaint, text)
    complaint.reply_via = via
    complaint.reply_text = told
    complaint.replied_by = actor
    complaint.closed_at = now
    _close_ticket(actor, complaint.ticket, text=told, via=via)
    findings = _findings(complaint, now=now)
    extra: dict[str, Any] = {"via": via, "reply": told, "closed_at": now}
    if findings:
        extra["findings"] = [
            {
                "department_id": f.department_id,
                "team_id": f.team_id,
                "employee_id": f.employee_id,
                "share_percent": f.share_percent,
                "loss_share": f.loss_share,
                "proposed_sanction": f.proposed_sanction,
                "occurrence": f.occurrence,
                "fine_amount": f.fine_amount,
            }
            for f in findings
        ]
    return finish(actor=actor, complaint=complaint, transition=transition, extra_after=extra)


__all__ = ["complaint_reply", "reply_text_for"]
