"""Shapes of the complaint API — 客户投诉接口的输入输出: the explicit In/Out schemas and the
functions that turn a complaint (its card, report, steps and findings) into them; phones masked
server-side (SEC-1). The endpoints are ``kefu.complaints.api``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from kefu.core.access import shown

from . import services
from .choices import (
    ComplainantType,
    Demand,
    Ground,
    ProcedureStatus,
    ReplyVia,
    Route,
    Sanction,
    SanctionTrigger,
)
from .models import Complaint, ResponsibilityFinding

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


# --- schemas ------------------------------------------------------------------------------------
class StepOut(Schema):
    step: str
    step_label: str
    action: str
    approval_step: str
    decision: str
    comment: str
    actor_name: str
    at: dt.datetime


class ShareOut(Schema):
    department_id: int
    department: str
    team_id: int | None
    team: str
    employee_id: int | None
    employee: str
    percent: Decimal
    sanction_trigger: str
    sanction: str


class ReportOut(Schema):
    version: int
    scope_true: bool
    reasons_sound: bool
    demand_legitimate: bool
    aim: str
    cause: str
    course: str
    conclusion: str
    countermeasures: str
    prevention: str
    loss_amount: Decimal
    submitted_at: dt.datetime
    shares: list[ShareOut]


class FindingOut(Schema):
    id: int
    complaint_id: int
    complaint_number: str
    department_id: int
    department: str
    team_id: int | None
    employee_id: int | None
    employee: str
    share_percent: Decimal
    loss_amount: Decimal
    loss_share: Decimal
    sanction_trigger: str
    proposed_sanction: str
    is_service_attitude: bool
    occurrence: int | None
    fine_amount: Decimal
    month: dt.date


class ComplaintListOut(Schema):
    id: int
    number: str | None = Field(description="受理编号（受理后才有）")
    ticket_id: int
    ticket_number: str
    customer: str
    complainant_type: str
    complainant_name: str
    ground: str
    ground_label: str
    demands: list[str]
    amount_involved: Decimal
    status: str
    status_label: str
    accepted: bool | None
    route: str
    investigating_department_id: int | None
    investigating_department: str
    received_at: dt.datetime
    due_at: dt.datetime | None = Field(description="结案期限（CMP-6，取自工单）")
    closed_at: dt.datetime | None


class ComplaintOut(ComplaintListOut):
    title: str
    description: str
    contact_name: str
    contact_phone: str = Field(description="联系电话（无查看完整信息权限时脱敏）")
    order_no: str
    accepted_at: dt.datetime | None
    rejection_reason: str
    route_reason: str
    leadership_decision: str
    handling_opinion: str
    reply_via: str
    reply_text: str
    report: ReportOut | None
    steps: list[StepOut]
    findings: list[FindingOut]
    actions: list[str] = Field(description="当前用户现在可以进行的操作")


class ComplaintFilter(Schema):
    q: str = Field("", description="受理编号、工单编号（完整）或客户名称（包含）")
    status: str = ""
    ground: str = ""
    route: str = ""
    accepted: bool | None = None
    open_only: bool = False
    overdue: bool = Field(False, description="只看超过7天结案期限的（CMP-6）")
    page: int = Field(1, ge=1)
    page_size: int = 20


class ComplaintIn(Schema):
    """登记客户投诉记录卡: on an existing 投诉 ticket (``ticket_id``) or a new one."""

    ground: Ground
    demands: list[Demand] = Field(min_length=1, max_length=5)
    complainant_type: ComplainantType | None = None
    complainant_name: str = Field("", max_length=100)
    amount_involved: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    ticket_id: int | None = None
    customer_id: int | None = None
    channel: str = Field("", max_length=20)
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=30)
    order_no: str = Field("", max_length=40)
    tracking_no: str = Field("", max_length=40)
    purchase_date: dt.date | None = None


class AcceptanceIn(Schema):
    accept: bool
    reason: str = Field("", max_length=4000, description="不受理时必填")


class RouteIn(Schema):
    route: Route
    investigating_department_id: int | None = None
    reason: str = Field("", max_length=4000, description="与投诉范围的默认途径不同时必填")


class ShareIn(Schema):
    department_id: int
    team_id: int | None = None
    employee_id: int | None = None
    percent: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)
    sanction_trigger: SanctionTrigger | Literal[""] = ""
    sanction: Sanction | Literal[""] = ""


class InvestigationIn(Schema):
    scope_true: bool
    reasons_sound: bool
    demand_legitimate: bool
    aim: str = Field(max_length=4000)
    cause: str = Field(max_length=4000)
    course: str = Field(max_length=4000)
    conclusion: str = Field(max_length=4000)
    countermeasures: str = Field(max_length=4000)
    prevention: str = Field(max_length=4000)
    loss_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    shares: list[ShareIn] = Field(default_factory=list, max_length=50)


class CommentIn(Schema):
    comment: str = Field("", max_length=4000)


class ReturnIn(Schema):
    comment: str = Field(max_length=4000, description="退回意见（必填）")


class TextIn(Schema):
    text: str = Field(max_length=4000)


class ReviewIn(Schema):
    decision: Literal["approve", "return"]
    comment: str = Field("", max_length=4000)


class ReplyIn(Schema):
    via: ReplyVia
    text: str = Field(max_length=4000)


class MonthQuery(Schema):
    month: str = Field(pattern=MONTH_PATTERN, description="YYYY-MM")


class FindingFilter(MonthQuery):
    page: int = Field(1, ge=1)
    page_size: int = 20


class GroundCount(Schema):
    ground: str
    label: str
    count: int


class DepartmentCount(Schema):
    department: str
    count: int
    loss: Decimal
    fines: Decimal


class PersonCount(DepartmentCount):
    person: str


class StatsOut(Schema):
    month: dt.date
    total: int
    accepted: int
    rejected: int
    undecided: int
    closed: int
    open: int
    closed_on_time: int
    closed_on_time_rate: float | None = Field(description="按期结案率（%，占已结案）")
    close_days: int
    average_closure_days: float | None
    longest_closure_days: float | None
    longest_closure_label: str
    by_ground: list[GroundCount]
    by_department: list[DepartmentCount]
    by_person: list[PersonCount]


# --- shaping ------------------------------------------------------------------------------------
def complaint_list_out(c: Complaint) -> dict[str, Any]:
    ticket = c.ticket
    return {
        "id": c.pk,
        "number": c.number,
        "ticket_id": ticket.pk,
        "ticket_number": ticket.number,
        "customer": ticket.customer.name,
        "complainant_type": c.complainant_type,
        "complainant_name": c.complainant_name,
        "ground": c.ground,
        "ground_label": Ground(c.ground).label,
        "demands": list(c.demands),
        "amount_involved": c.amount_involved,
        "status": c.status,
        "status_label": ProcedureStatus(c.status).label,
        "accepted": c.accepted,
        "route": c.route,
        "investigating_department_id": c.investigating_department_id,
        "investigating_department": (
            c.investigating_department.name if c.investigating_department_id else ""
        ),
        "received_at": ticket.received_at,
        "due_at": ticket.resolution_due,
        "closed_at": c.closed_at,
    }


def finding_out(f: ResponsibilityFinding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "complaint_id": f.complaint_id,
        "complaint_number": f.complaint.number or "",
        "department_id": f.department_id,
        "department": f.department.name,
        "team_id": f.team_id,
        "employee_id": f.employee_id,
        "employee": f.employee.name if f.employee_id else "",
        "share_percent": f.share_percent,
        "loss_amount": f.loss_amount,
        "loss_share": f.loss_share,
        "sanction_trigger": f.sanction_trigger,
        "proposed_sanction": f.proposed_sanction,
        "is_service_attitude": f.is_service_attitude,
        "occurrence": f.occurrence,
        "fine_amount": f.fine_amount,
        "month": f.month,
    }


def _report_out(c: Complaint) -> dict[str, Any] | None:
    report = getattr(c, "report", None)
    if report is None:
        return None
    return {
        "version": report.version,
        "scope_true": report.scope_true,
        "reasons_sound": report.reasons_sound,
        "demand_legitimate": report.demand_legitimate,
        "aim": report.aim,
        "cause": report.cause,
        "course": report.course,
        "conclusion": report.conclusion,
        "countermeasures": report.countermeasures,
        "prevention": report.prevention,
        "loss_amount": report.loss_amount,
        "submitted_at": report.submitted_at,
        "shares": [
            {
                "department_id": s.department_id,
                "department": s.department.name,
                "team_id": s.team_id,
                "team": s.team.name if s.team_id else "",
                "employee_id": s.employee_id,
                "employee": s.employee.name if s.employee_id else "",
                "percent": s.percent,
                "sanction_trigger": s.sanction_trigger,
                "sanction": s.sanction,
            }
            for s in report.shares.all()
        ],
    }


def complaint_out(c: Complaint, viewer: Any) -> dict[str, Any]:
    """The API shape of one complaint as ``viewer`` may see it (phone masked server-side)."""
    ticket = c.ticket
    return {
        **complaint_list_out(c),
        "title": ticket.title,
        "description": ticket.description,
        "contact_name": ticket.contact_name,
        "contact_phone": shown(viewer, "phone", ticket.contact_phone),
        "order_no": ticket.order_no,
        "accepted_at": c.accepted_at,
        "rejection_reason": c.rejection_reason,
        "route_reason": c.route_reason,
        "leadership_decision": c.leadership_decision,
        "handling_opinion": c.handling_opinion,
        "reply_via": c.reply_via,
        "reply_text": c.reply_text,
        "report": _report_out(c),
        "steps": [
            {
                "step": s.step,
                "step_label": ProcedureStatus(s.step).label,
                "action": s.action,
                "approval_step": s.approval_step,
                "decision": s.decision,
                "comment": s.comment,
                "actor_name": s.actor_name,
                "at": s.at,
            }
            for s in c.steps.all()
        ],
        "findings": [finding_out(f) for f in c.findings.all()],
        "actions": [a.value for a in services.actions_for(viewer, c)],
    }
