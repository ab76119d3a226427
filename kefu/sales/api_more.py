"""销售 API, continued — 未付款订单与催付, 销售明细更正/删除, 询单数文件导入, 未成交原因 (RPT-6).

Mounted on the sales router (``/api/v1/sales/``); every write goes through the services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm

from . import selectors, selectors_lost, selectors_unpaid, services_lines, services_lost
from . import services_unpaid as unpaid
from .api import LineOut, QueuedOut, _agent, _line_out, _month
from .selectors import ADD_INQUIRY, ADD_LINE

router = Router(tags=["销售与提成"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- 未付款订单 -----------------------------------------------------------------------------------
class UnpaidFilters(Schema):
    state: str = Field(
        "",
        description="pending 待催付 / chased 已催付 / paid 已付款 / "
        "closed 交易关闭 / late 超时未催付",
    )
    date_from: str = ""
    date_to: str = ""
    agent: str = ""
    team: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 20


class UnpaidOut(Schema):
    id: int
    order_no: str
    agent_id: int
    agent_no: str
    agent_name: str
    placed_at: dt.datetime
    deadline: dt.datetime
    amount: Decimal
    items: str
    customer_name: str
    status: str
    state: str
    late: bool
    chased_at: dt.datetime | None
    paid_at: dt.datetime | None
    incident_id: int | None
    incident_status: str | None


class UnpaidIn(Schema):
    agent_no: str = Field(max_length=20, description="客服工号")
    order_no: str = Field(max_length=40)
    placed_at: dt.datetime = Field(description="拍下时间（无时区时按北京时间）")
    amount: Decimal = Field(Decimal(0), ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    items: str = Field("", max_length=200)
    customer_name: str = Field("", max_length=60)


class ChaseIn(Schema):
    channel: str = Field(
        description="wangwang 旺旺 / phone 电话 / sms 短信 / other 其他 / "
        "not_needed 无需催付（买家已有已付款订单）"
    )
    chased_at: dt.datetime | None = Field(None, description="催付时间，默认现在")
    note: str = Field("", max_length=200)


class PaidIn(Schema):
    paid_at: dt.datetime | None = None


class CheckOut(Schema):
    proposed: int
    message: str


def _unpaid_out(o: Any) -> dict[str, Any]:
    selectors_unpaid.with_states([o])
    return {
        "id": o.pk,
        "order_no": o.order_no,
        "agent_id": o.agent_id,
        "agent_no": o.agent.employee_no,
        "agent_name": o.agent.name,
        "placed_at": o.placed_at,
        "deadline": o.deadline,
        "amount": o.amount,
        "items": o.items,
        "customer_name": o.customer_name,
        "status": o.status,
        "state": str(o.state),
        "late": o.late,
        "chased_at": o.chased_at,
        "paid_at": o.paid_at,
        "incident_id": o.incident_id,
        "incident_status": o.incident.status if o.incident_id else None,
    }


def _scoped_order(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(selectors_unpaid.unpaid_for_user(request.user), pk=pk)


@router.get("/unpaid", response={200: Page[UnpaidOut], 403: ErrorOut})
def unpaid_list(request: HttpRequest, filters: Query[UnpaidFilters]) -> dict[str, Any]:
    """未付款订单 the caller may see (own / team / department), newest first; ``state`` filters."""
    require_perm(request, selectors_unpaid.VIEW_UNPAID)
    params = {
        "state": filters.state,
        "from": filters.date_from,
        "to": filters.date_to,
        "agent": filters.agent,
        "team": filters.team,
        "q": filters.q,
    }
    qs = selectors_unpaid.filter_unpaid(selectors_unpaid.unpaid_for_user(request.user), params)
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_unpaid_out(o) for o in page["items"]]
    return page


@router.post("/unpaid", response={201: UnpaidOut, **ERRORS})
def unpaid_create(request: HttpRequest, body: UnpaidIn) -> Status:
    """登记未付款订单 by hand."""
    require_perm(request, selectors_unpaid.ADD_UNPAID)
    agent = _agent(request, body.agent_no, selectors_unpaid.VIEW_UNPAID)
    order = unpaid.unpaid_order_enter(
        actor=request.user,
        agent=agent,
        order_no=body.order_no,
        placed_at=body.placed_at,
        amount=body.amount,
        items=body.items,
        customer_name=body.customer_name,
    )
    return Status(201, _unpaid_out(_scoped_order(request, order.pk)))


@router.post("/unpaid/{order_id}/chases", response={201: UnpaidOut, **ERRORS})
def unpaid_chase(request: HttpRequest, order_id: int, body: ChaseIn) -> Status:
    """登记催付 (time, 方式, 备注)."""
    require_perm(request, selectors_unpaid.CHASE_UNPAID)
    order = _scoped_order(request, order_id)
    unpaid.unpaid_chase(
        actor=request.user,
        order=order,
        channel=body.channel,
        chased_at=body.chased_at,
        note=body.note,
    )
    return Status(201, _unpaid_out(_scoped_order(request, order_id)))


@router.post("/unpaid/{order_id}/paid", response={200: UnpaidOut, **ERRORS})
def unpaid_paid(request: HttpRequest, order_id: int, body: PaidIn) -> dict[str, Any]:
    """标记已付款."""
    require_perm(request, selectors_unpaid.CHASE_UNPAID)
    order = _scoped_order(request, order_id)
    unpaid.unpaid_mark_paid(actor=request.user, order=order, paid_at=body.paid_at)
    return _unpaid_out(_scoped_order(request, order_id))


@router.post("/unpaid/check", response={200: CheckOut, **ERRORS})
def unpaid_check(request: HttpRequest) -> dict[str, Any]:
    """检查超时未催付 now: a proposed ledger fine (待确认) for every order due (idempotent)."""
    require_perm(request, selectors_unpaid.CHECK_UNPAID)
    result = unpaid.unpaid_check(actor=request.user, now=timezone.now())
    return {"proposed": result.proposed, "message": result.summary}


# --- 销售明细更正/删除 ----------------------------------------------------------------------------
class LineCorrectIn(Schema):
    reason: str = Field(min_length=1, max_length=200, description="更正理由")
    agent_no: str | None = Field(None, max_length=20)
    day: dt.date | None = None
    item: str | None = Field(None, max_length=120)
    quantity: int | None = Field(None, ge=1, le=100000)
    unit_price: Decimal | None = Field(None, ge=0, le=Decimal("99999999"), decimal_places=2)
    customer_name: str | None = Field(None, max_length=60)
    remarks: str | None = Field(None, max_length=200)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


@router.put("/lines/{line_id}", response={200: LineOut, **ERRORS})
def line_correct(request: HttpRequest, line_id: int, body: LineCorrectIn) -> dict[str, Any]:
    """更正销售明细 (fields left out keep their value); refused once the month is closed."""
    require_perm(request, ADD_LINE)
    line = get_object_or_404(selectors.lines_for_user(request.user), pk=line_id)
    agent = _agent(request, body.agent_no, selectors.VIEW_LINE) if body.agent_no else None
    saved = services_lines.sales_line_correct(
        actor=request.user,
        line=line,
        reason=body.reason,
        agent=agent,
        day=body.day,
        item=body.item,
        quantity=body.quantity,
        unit_price=body.unit_price,
        customer_name=body.customer_name,
        remarks=body.remarks,
    )
    return _line_out(selectors.lines_for_user(request.user).get(pk=saved.pk))


@router.post("/lines/{line_id}/delete", response={204: None, **ERRORS})
def line_delete(request: HttpRequest, line_id: int, body: ReasonIn) -> Status:
    """删除销售明细 with a reason; refused once the month is closed."""
    require_perm(request, ADD_LINE)
    line = get_object_or_404(selectors.lines_for_user(request.user), pk=line_id)
    services_lines.sales_line_delete(actor=request.user, line=line, reason=body.reason)
    return Status(204, None)


# --- 询单数文件导入 -------------------------------------------------------------------------------
@router.post("/inquiries/imports", response={202: QueuedOut, **ERRORS})
def inquiry_import(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """导入询单数 (CSV or .xlsx: 日期, 工号, 咨询量) — a background job, all rows or none; poll
    ``job_url`` for the row errors or the counts."""
    from kefu.core.jobs import job_url

    require_perm(request, ADD_INQUIRY)
    job = services_lines.inquiry_import_submit(
        actor=request.user, data=file.read(), filename=file.name or ""
    )
    return Status(
        202,
        {
            "queued": True,
            "message": "已提交后台导入询单数",
            "job_id": job.pk,
            "job_url": job_url(job),
        },
    )


# --- 未成交原因 (RPT-6) ----------------------------------------------------------------------------
class LostFilters(Schema):
    date_from: str = ""
    date_to: str = ""
    agent: str = ""
    team: str = ""
    reason: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 20


class LostOut(Schema):
    id: int
    agent_id: int
    agent_no: str
    agent_name: str
    day: dt.date
    reason: str
    reason_name: str
    customer_name: str
    item: str
    note: str


class LostIn(Schema):
    agent_no: str = Field(max_length=20)
    day: dt.date
    reason: str = Field(max_length=30, description="制度中的未成交原因代码（GET /lost/reasons）")
    customer_name: str = Field("", max_length=60)
    item: str = Field("", max_length=120)
    note: str = Field("", max_length=200)


class ReasonOut(Schema):
    code: str
    name: str


class LostReportRow(Schema):
    employee_id: int
    employee_no: str
    name: str
    team: str
    inquiries: int
    orders: int
    conversion: Decimal | None
    lost: int
    reasons: dict[str, int]


class LostReportOut(Schema):
    month: str
    reasons: list[ReasonOut]
    items: list[LostReportRow]


def _lost_out(x: Any) -> dict[str, Any]:
    return {
        "id": x.pk,
        "agent_id": x.agent_id,
        "agent_no": x.agent.employee_no,
        "agent_name": x.agent.name,
        "day": x.day,
        "reason": x.reason,
        "reason_name": x.reason_name,
        "customer_name": x.customer_name,
        "item": x.item,
        "note": x.note,
    }


@router.get("/lost/reasons", response={200: list[ReasonOut], 403: ErrorOut})
def lost_reasons(request: HttpRequest) -> list[dict[str, str]]:
    """未成交原因 of the policy in force today."""
    require_perm(request, selectors_lost.VIEW_LOST)
    from .policy import sales_policy

    return [{"code": r.code, "name": r.name} for r in sales_policy().lost_sale_reasons]


@router.get("/lost", response={200: Page[LostOut], 403: ErrorOut})
def lost_list(request: HttpRequest, filters: Query[LostFilters]) -> dict[str, Any]:
    """未成交原因 records the caller may see."""
    require_perm(request, selectors_lost.VIEW_LOST)
    params = {
        "from": filters.date_from,
        "to": filters.date_to,
        "agent": filters.agent,
        "team": filters.team,
        "reason": filters.reason,
        "q": filters.q,
    }
    qs = selectors_lost.filter_lost(selectors_lost.lost_for_user(request.user), params)
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_lost_out(x) for x in page["items"]]
    return page


@router.post("/lost", response={201: LostOut, **ERRORS})
def lost_create(request: HttpRequest, body: LostIn) -> Status:
    """登记未成交原因."""
    require_perm(request, services_lost.ADD_LOST)
    agent = _agent(request, body.agent_no, selectors_lost.VIEW_LOST)
    record = services_lost.lost_inquiry_record(
        actor=request.user,
        agent=agent,
        day=body.day,
        reason=body.reason,
        customer_name=body.customer_name,
        item=body.item,
        note=body.note,
    )
    return Status(201, _lost_out(record))


@router.get("/lost/report", response={200: LostReportOut, **ERRORS})
def lost_report(request: HttpRequest, month: str = "", team: str = "") -> dict[str, Any]:
    """询单转化与未成交原因 of a month (YYYY-MM) per agent: inquiries, orders, conversion and the
    count of each reason."""
    require_perm(request, selectors_lost.VIEW_LOST)
    start = _month(month)
    team_id = int(team) if team.isdigit() and len(team) < 10 else None
    report = selectors_lost.lost_report_for_user(request.user, start, team=team_id)
    return {
        "month": f"{start:%Y-%m}",
        "reasons": [{"code": c, "name": n} for c, n in report.reasons],
        "items": [
            {
                "employee_id": r.employee.pk,
                "employee_no": r.employee.employee_no,
                "name": r.employee.name,
                "team": r.employee.team.name if r.employee.team else "",
                "inquiries": r.figures.inquiries if r.figures else 0,
                "orders": r.figures.orders if r.figures else 0,
                "conversion": r.figures.conversion if r.figures else None,
                "lost": r.lost,
                "reasons": r.counts,
            }
            for r in report.rows
        ],
    }
