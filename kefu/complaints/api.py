"""Complaint API — 客户投诉接口 at /api/v1/complaints (CMP-1..11, RPT-1; all writes via services).

Each step of the procedure is a POST sub-resource of the complaint (``/{id}/acceptance``,
``/route``, ``/investigation``, ``/approve``, ``/return``, ``/handling-opinion``, ``/review``,
``/leadership-decision``, ``/reply``); the rule engine decides who may take it, so a refusal is
403 and a step at the wrong time 409. A complaint outside the caller's scope is 404. Phones are
masked unless the caller may reveal them (SEC-1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.customers.models import Customer
from kefu.customers.selectors import customers_for_user
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import tickets_for_user

from . import selectors, services
from .api_schemas import (
    AcceptanceIn,
    CommentIn,
    ComplaintFilter,
    ComplaintIn,
    ComplaintListOut,
    ComplaintOut,
    FindingFilter,
    FindingOut,
    InvestigationIn,
    MonthQuery,
    ReplyIn,
    ReturnIn,
    ReviewIn,
    RouteIn,
    StatsOut,
    TextIn,
    complaint_list_out,
    complaint_out,
    finding_out,
)
from .models import Complaint
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
    page["items"] = [complaint_list_out(c) for c in page["items"]]
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
