"""Complaint API — 客户投诉接口 at /api/v1/complaints (CMP-1..11, RPT-1; all writes via services).

Each step of the procedure is a POST sub-resource of the complaint (``/{id}/acceptance``,
``/route``, ``/investigation``, ``/approve``, ``/return``, ``/handling-opinion``, ``/review``,
``/leadership-decision``, ``/reply``); the rule engine decides who may take it, so a refusal is
403 and a step at the wrong time 409. A complaint outside the caller's scope is 404. Phones are
masked unless the caller may reveal them (SEC-1).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kefu.core.access import shown
from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.customers.models import Customer
from kefu.customers.selectors import customers_for_user
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import tickets_for_user

from . import selectors, services
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
from .report import InvestigationData, ShareData
from .services.common import ADD as ADD_PERMISSION

router = Router(tags=["complaints"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
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
def _list_out(c: Complaint) -> dict[str, Any]:
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
        **_list_out(c),
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


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    return complaint_out(selectors.complaint_get_for_user(request.user, pk), request.user)


def _month(value: str) -> dt.date:
    year, month = value.split("-")
    return dt.date(int(year), int(month), 1)


# --- reads --------------------------------------------------------------------------------------
@router.get("", response={200: Page[ComplaintListOut], **ERRORS})
def complaint_list(request: HttpRequest, filters: Query[ComplaintFilter]) -> Any:
    """Complaints the caller may see (its scope, or what its department investigates)."""
    if filters.overdue:
        qs = selectors.overdue_complaints_for_user(request.user)
    else:
        qs = selectors.complaints_for_user(
            request.user,
            q=filters.q.strip()[:50],
            status=filters.status.strip(),
            ground=filters.ground.strip(),
            route=filters.route.strip(),
            accepted=filters.accepted,
            open_only=filters.open_only,
        )
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_list_out(c) for c in page["items"]]
    return page


@router.get("/findings", response={200: Page[FindingOut], **ERRORS})
def finding_list(request: HttpRequest, filters: Query[FindingFilter]) -> Any:
    """投诉责任认定 of a closing month (CMP-7..11), as far as the caller may see them."""
    qs = selectors.responsibility_findings_for_user(request.user, month=_month(filters.month))
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [finding_out(f) for f in page["items"]]
    return page


@router.get("/stats", response={200: StatsOut, **ERRORS})
def complaint_statistics(request: HttpRequest, query: Query[MonthQuery]) -> Any:
    """投诉统计表 (CMP-7, RPT-1) of the complaints received in the month."""
    require_perm(request, selectors.STATS_PERMISSION)
    return selectors.complaint_stats(request.user, _month(query.month))


@router.get("/{complaint_id}", response={200: ComplaintOut, **ERRORS})
def complaint_detail(request: HttpRequest, complaint_id: int) -> Any:
    return _fresh(request, complaint_id)


# --- writes -------------------------------------------------------------------------------------
def _scoped(request: HttpRequest, complaint_id: int) -> Complaint:
    return selectors.complaints_for_user(request.user).get(pk=complaint_id)


@router.post("", response={201: ComplaintOut, **ERRORS})
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Any:
    """登记客户投诉记录卡 — on ``ticket_id`` (a 投诉 ticket) or a new ticket for ``customer_id``."""
    require_perm(request, ADD_PERMISSION)
    ticket: Ticket | None = None
    customer: Customer | None = None
    if payload.ticket_id is not None:
        ticket = tickets_for_user(request.user).select_related("customer").get(pk=payload.ticket_id)
    elif payload.customer_id is not None:
        customer = customers_for_user(request.user).get(pk=payload.customer_id)
    else:
        message = "请选择客户或投诉工单"
        raise DomainError("complaint_invalid", message, fields={"customer_id": message})
    complaint = services.complaint_open(
        actor=request.user,
        ground=payload.ground.value,
        demands=[d.value for d in payload.demands],
        complainant_type=payload.complainant_type.value if payload.complainant_type else "",
        complainant_name=payload.complainant_name,
        amount_involved=payload.amount_involved,
        ticket=ticket,
        customer=customer,
        channel=payload.channel,
        title=payload.title,
        description=payload.description,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        order_no=payload.order_no,
        tracking_no=payload.tracking_no,
        purchase_date=payload.purchase_date,
    )
    return Status(201, _fresh(request, complaint.pk))


@router.post("/{complaint_id}/acceptance", response={200: ComplaintOut, **ERRORS})
def complaint_acceptance(request: HttpRequest, complaint_id: int, payload: AcceptanceIn) -> Any:
    """受理 / 不受理 (CMP-3)."""
    complaint = _scoped(request, complaint_id)
    services.complaint_decide_acceptance(
        actor=request.user, complaint=complaint, accept=payload.accept, reason=payload.reason
    )
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/route", response={200: ComplaintOut, **ERRORS})
def complaint_routing(request: HttpRequest, complaint_id: int, payload: RouteIn) -> Any:
    """分派 (CMP-4)."""
    complaint = _scoped(request, complaint_id)
    services.complaint_route(
        actor=request.user,
        complaint=complaint,
        route=payload.route.value,
        investigating_department=payload.investigating_department_id,
        reason=payload.reason,
    )
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/investigation", response={200: ComplaintOut, **ERRORS})
def complaint_investigation(
    request: HttpRequest, complaint_id: int, payload: InvestigationIn
) -> Any:
    """提交投诉调查报告 (CMP-5, CMP-8)."""
    complaint = _scoped(request, complaint_id)
    report = InvestigationData(
        scope_true=payload.scope_true,
        reasons_sound=payload.reasons_sound,
        demand_legitimate=payload.demand_legitimate,
        aim=payload.aim,
        cause=payload.cause,
        course=payload.course,
        conclusion=payload.conclusion,
        countermeasures=payload.countermeasures,
        prevention=payload.prevention,
        loss_amount=payload.loss_amount,
        shares=tuple(
            ShareData(
                department_id=s.department_id,
                team_id=s.team_id,
                employee_id=s.employee_id,
                percent=s.percent,
                sanction_trigger=str(s.sanction_trigger or ""),
                sanction=str(s.sanction or ""),
            )
            for s in payload.shares
        ),
    )
    services.complaint_submit_investigation(actor=request.user, complaint=complaint, report=report)
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/approve", response={200: ComplaintOut, **ERRORS})
def complaint_approval(request: HttpRequest, complaint_id: int, payload: CommentIn) -> Any:
    """审核同意 at the current approval step (部门负责人 → 行政人事部 → 总经理; 主管)."""
    complaint = _scoped(request, complaint_id)
    services.complaint_approve(actor=request.user, complaint=complaint, comment=payload.comment)
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/return", response={200: ComplaintOut, **ERRORS})
def complaint_send_back(request: HttpRequest, complaint_id: int, payload: ReturnIn) -> Any:
    """退回 with a comment at the current approval step."""
    complaint = _scoped(request, complaint_id)
    services.complaint_return(actor=request.user, complaint=complaint, comment=payload.comment)
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/handling-opinion", response={200: ComplaintOut, **ERRORS})
def complaint_handling_opinion(request: HttpRequest, complaint_id: int, payload: TextIn) -> Any:
    """形成处理意见 (CMP-5, 第十三条)."""
    complaint = _scoped(request, complaint_id)
    services.complaint_record_handling_opinion(
        actor=request.user, complaint=complaint, text=payload.text
    )
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/review", response={200: ComplaintOut, **ERRORS})
def complaint_supervisor_review(request: HttpRequest, complaint_id: int, payload: ReviewIn) -> Any:
    """主管审核处理意见 (CMP-5): approve or return."""
    complaint = _scoped(request, complaint_id)
    services.complaint_review(
        actor=request.user,
        complaint=complaint,
        approve=payload.decision == "approve",
        comment=payload.comment,
    )
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/leadership-decision", response={200: ComplaintOut, **ERRORS})
def complaint_leadership(request: HttpRequest, complaint_id: int, payload: TextIn) -> Any:
    """领导裁定 a contract dispute (CMP-4)."""
    complaint = _scoped(request, complaint_id)
    services.complaint_leadership_decide(actor=request.user, complaint=complaint, text=payload.text)
    return _fresh(request, complaint_id)


@router.post("/{complaint_id}/reply", response={200: ComplaintOut, **ERRORS})
def complaint_answer(request: HttpRequest, complaint_id: int, payload: ReplyIn) -> Any:
    """答复客户 in writing or by phone; closes the complaint and its ticket (CMP-5, CMP-6)."""
    complaint = _scoped(request, complaint_id)
    services.complaint_reply(
        actor=request.user, complaint=complaint, via=payload.via.value, text=payload.text
    )
    return _fresh(request, complaint_id)
