"""销售与提成 API — /api/v1/sales/: daily sales lines, order-export imports, inquiry counts,
commissions and rankings (PERF-1..3, RPT-6).

A chat tool pushes its inquiry counts with an integration token of a role allowed to record them
(``POST /api/v1/sales/inquiries {"items": [{"employee_no": "KF011", "day": "2026-11-02",
"count": 40}]}``); the shop's order export is uploaded to ``/imports`` (a background job).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.org.models import Employee

from . import selectors, services
from .selectors import (
    ADD_INQUIRY,
    ADD_LINE,
    IMPORT_LINE,
    VIEW_COMMISSION,
    VIEW_INQUIRY,
    VIEW_LINE,
)

router = Router(tags=["销售与提成"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LineFilters(Schema):
    date_from: str = ""
    date_to: str = ""
    agent: str = ""
    team: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 20


class LineOut(Schema):
    id: int
    agent_id: int
    agent_no: str
    agent_name: str
    day: dt.date
    order_no: str
    item: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    customer_name: str
    remarks: str
    source: str


class ItemIn(Schema):
    item: str = Field(max_length=120)
    quantity: int = Field(ge=1, le=100000)
    unit_price: Decimal = Field(ge=0, le=Decimal("99999999"), decimal_places=2)


class LinesIn(Schema):
    agent_no: str = Field(description="客服工号")
    day: dt.date
    order_no: str = Field(max_length=40)
    customer_name: str = Field("", max_length=60)
    remarks: str = Field("", max_length=200)
    items: list[ItemIn] = Field(min_length=1, max_length=20)


class QueuedOut(Schema):
    queued: bool
    message: str
    job_id: int
    job_url: str


class InquiryOut(Schema):
    id: int
    agent_id: int
    agent_no: str
    agent_name: str
    day: dt.date
    count: int
    source: str


class InquiryItemIn(Schema):
    employee_no: str = Field(max_length=20)
    day: dt.date
    count: int = Field(ge=0, le=100000)


class InquiriesIn(Schema):
    items: list[InquiryItemIn] = Field(min_length=1, max_length=5000)


class RecordedOut(Schema):
    recorded: int


class CommissionOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    team: str
    inquiries: int
    orders: int
    conversion: Decimal
    sales: Decimal
    rate: Decimal
    commission: Decimal
    rank: int | None


class CommissionsOut(Schema):
    month: str
    items: list[CommissionOut]


class AwardOut(Schema):
    kind: str
    label: str
    period: str
    employee_id: int
    employee_no: str
    name: str
    rank: int
    sales: Decimal
    amount: Decimal
    streak: int
    booked: bool


class RankingsOut(Schema):
    month: str
    top_sellers: list[AwardOut]
    return_visit: list[AwardOut]
    weekly: list[AwardOut]


def _line_out(line: Any) -> dict[str, Any]:
    return {
        "id": line.pk,
        "agent_id": line.agent_id,
        "agent_no": line.agent.employee_no,
        "agent_name": line.agent.name,
        "day": line.day,
        "order_no": line.order_no,
        "item": line.item,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "customer_name": line.customer_name,
        "remarks": line.remarks,
        "source": line.source,
    }


def _month(value: str) -> dt.date:
    if not value:
        return selectors.current_month()
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        month = None
    if month is None or not 2000 <= month.year <= 2100:
        raise DomainError("month", "月份格式应为 YYYY-MM", fields={"month": "格式不正确"})
    return month


def _agent(request: HttpRequest, employee_no: str, perm: str) -> Employee:
    agent = (
        selectors.visible_employees(request.user, perm)
        .filter(employee_no=employee_no.strip())
        .first()
    )
    if agent is None:
        raise DomainError(
            "agent_unknown", "工号不存在或不在您的管理范围内", fields={"agent_no": "工号不正确"}
        )
    return agent


@router.get("/lines", response={200: Page[LineOut], 403: ErrorOut})
def line_list(request: HttpRequest, filters: Query[LineFilters]) -> dict[str, Any]:
    """销售日报明细 the caller may see (own, or the role's scope), newest first."""
    require_perm(request, VIEW_LINE)
    params = {
        "from": filters.date_from,
        "to": filters.date_to,
        "agent": filters.agent,
        "team": filters.team,
        "q": filters.q,
    }
    qs = selectors.filter_lines(selectors.lines_for_user(request.user), params)
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_line_out(x) for x in page["items"]]
    return page


@router.post("/lines", response={201: list[LineOut], **ERRORS})
def line_create(request: HttpRequest, body: LinesIn) -> Status:
    """填写销售日报 — one order (several items) of an agent's day."""
    require_perm(request, ADD_LINE)
    agent = _agent(request, body.agent_no, VIEW_LINE)
    lines = services.sales_report_enter(
        actor=request.user,
        agent=agent,
        day=body.day,
        order_no=body.order_no,
        customer_name=body.customer_name,
        remarks=body.remarks,
        items=[services.ItemIn(i.item, i.quantity, i.unit_price) for i in body.items],
    )
    for line in lines:
        line.agent = agent
    return Status(201, [_line_out(x) for x in lines])


@router.post("/imports", response={202: QueuedOut, **ERRORS})
def line_import(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """导入订单 (CSV or .xlsx: 订单号, 商品, 数量, 单价/金额, 买家, 付款时间, 备注 with the 工号) —
    a background job; poll ``job_url`` for the row errors or the counts."""
    require_perm(request, IMPORT_LINE)
    from kefu.core.jobs import job_url

    job = services.sales_import_submit(
        actor=request.user, data=file.read(), filename=file.name or ""
    )
    return Status(
        202,
        {
            "queued": True,
            "message": "已提交后台导入订单",
            "job_id": job.pk,
            "job_url": job_url(job),
        },
    )


@router.get("/inquiries", response={200: Page[InquiryOut], 403: ErrorOut})
def inquiry_list(request: HttpRequest, filters: Query[LineFilters]) -> dict[str, Any]:
    """询单数 rows stored (chat tool imports and the tickets counts frozen by a close)."""
    require_perm(request, VIEW_INQUIRY)
    params = {
        "from": filters.date_from,
        "to": filters.date_to,
        "agent": filters.agent,
        "team": filters.team,
        "q": filters.q,
    }
    qs = selectors.filter_lines(selectors.inquiries_for_user(request.user), params)
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [
        {
            "id": x.pk,
            "agent_id": x.agent_id,
            "agent_no": x.agent.employee_no,
            "agent_name": x.agent.name,
            "day": x.day,
            "count": x.count,
            "source": x.source,
        }
        for x in page["items"]
    ]
    return page


@router.post("/inquiries", response={200: RecordedOut, **ERRORS})
def inquiry_push(request: HttpRequest, body: InquiriesIn) -> dict[str, int]:
    """登记询单数 (the chat tool's counts per 工号 and day) — all or none; a count for the same
    agent and day replaces the earlier one."""
    require_perm(request, ADD_INQUIRY)
    recorded = services.inquiries_record(
        actor=request.user,
        items=[services.InquiryIn(i.employee_no.strip(), i.day, i.count) for i in body.items],
    )
    return {"recorded": recorded}


@router.get("/commissions", response={200: CommissionsOut, **ERRORS})
def commission_list(request: HttpRequest, month: str = "", team: str = "") -> dict[str, Any]:
    """提成 of a month (YYYY-MM, this month by default): inquiries, orders, conversion, sales,
    rate, commission and the company-wide sales rank, for everyone the caller may see."""
    require_perm(request, VIEW_COMMISSION)
    start = _month(month)
    team_id = int(team) if team.isdigit() and len(team) < 10 else None
    rows = selectors.commission_rows_for_user(request.user, start, team=team_id)
    return {
        "month": f"{start:%Y-%m}",
        "items": [
            {
                "employee_id": r.employee.pk,
                "employee_no": r.employee.employee_no,
                "name": r.employee.name,
                "team": r.employee.team.name if r.employee.team else "",
                "inquiries": r.figures.inquiries,
                "orders": r.figures.orders,
                "conversion": r.figures.conversion,
                "sales": r.figures.sales,
                "rate": r.figures.rate,
                "commission": r.figures.commission,
                "rank": r.rank,
            }
            for r in rows
        ],
    }


def _award_out(a: selectors.Award) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "label": a.label,
        "period": a.period,
        "employee_id": a.employee_id,
        "employee_no": a.employee.employee_no if a.employee else "",
        "name": a.employee.name if a.employee else "",
        "rank": a.rank,
        "sales": a.sales,
        "amount": a.amount,
        "streak": a.streak,
        "booked": a.booked,
    }


@router.get("/rankings", response={200: RankingsOut, **ERRORS})
def rankings(request: HttpRequest, month: str = "") -> dict[str, Any]:
    """销售冠军 and 回访部 rankings of a month with their awards (booked or projected)."""
    require_perm(request, VIEW_COMMISSION)
    start = _month(month)
    awards = selectors.awards_for_user(request.user, start)
    return {
        "month": f"{start:%Y-%m}",
        "top_sellers": [_award_out(a) for a in awards.top_sellers],
        "return_visit": [_award_out(a) for a in awards.return_visit],
        "weekly": [_award_out(a) for a in awards.weekly],
    }


# 未付款订单, 明细更正/删除, 询单数文件导入, 未成交原因 — the same /sales/ prefix (api_more uses the
# schemas and helpers above, so it is imported last).
from .api_more import router as _more  # noqa: E402

router.add_router("", _more)
