"""投诉赔偿与处分扣款 API — /api/v1/compensation/ (CMP-9).

``GET ""`` lists the caller's scope (own, or the role's scope with 查看本范围赔偿), ``GET /{id}``
adds the instalment schedule (booked and projected months), ``POST /imports {"month": "2026-10"}``
imports a month's responsibility findings (客服主管/客服部经理, idempotent).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError

from . import selectors, services
from .models import Compensation
from .rules import CENT
from .services import IMPORT, VIEW

router = Router(tags=["投诉赔偿与处分扣款"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CompensationOut(Schema):
    id: int
    employee_id: int
    employee_no: str
    employee_name: str
    finding_id: int
    complaint_id: int
    complaint_number: str
    month: dt.date
    amount: Decimal
    basis: str
    unit_name: str
    unit_base_points: Decimal
    base_points: Decimal
    paid: Decimal
    unpaid: Decimal
    status: str
    created_at: dt.datetime

    @staticmethod
    def resolve_employee_no(obj: Compensation) -> str:
        return obj.employee.employee_no

    @staticmethod
    def resolve_employee_name(obj: Compensation) -> str:
        return obj.employee.name

    @staticmethod
    def resolve_complaint_number(obj: Compensation) -> str:
        return obj.complaint.number or obj.complaint.ticket.number

    @staticmethod
    def resolve_paid(obj: Compensation) -> Decimal:
        return Decimal(obj.paid).quantize(CENT)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_unpaid(obj: Compensation) -> Decimal:
        return (obj.amount - obj.paid).quantize(CENT)  # type: ignore[attr-defined]


class ScheduleOut(Schema):
    month: dt.date
    amount: Decimal
    projected: bool
    cap: Decimal
    remaining: Decimal


class CompensationDetailOut(CompensationOut):
    schedule: list[ScheduleOut]


class CompensationFilters(Schema):
    month: str = ""
    status: str = ""
    employee: str = ""
    page: int = 1
    page_size: int = 20


class ImportIn(Schema):
    month: str


class ImportOut(Schema):
    month: dt.date
    summary: str


@router.get("", response={200: Page[CompensationOut], 403: ErrorOut})
def compensation_list(request: HttpRequest, filters: Query[CompensationFilters]) -> dict:
    """赔偿 the caller may read; filters month (YYYY-MM), status (open/paid), employee."""
    require_perm(request, VIEW)
    params = {"month": filters.month, "status": filters.status, "employee": filters.employee}
    qs = selectors.filter_compensations(selectors.compensations_for_user(request.user), params)
    return paginate(qs, filters.page, filters.page_size)


@router.get("/{int:pk}", response={200: CompensationDetailOut, **ERRORS})
def compensation_detail(request: HttpRequest, pk: int) -> Compensation:
    """One 赔偿 with its instalment schedule (已扣 months, then the projection under the cap)."""
    require_perm(request, VIEW)
    comp = selectors.compensations_for_user(request.user).get(pk=pk)
    comp.schedule = selectors.compensation_schedule(comp)  # type: ignore[attr-defined]
    return comp


@router.post("/imports", response={200: ImportOut, **ERRORS})
def compensation_import(request: HttpRequest, body: ImportIn) -> dict:
    """导入责任认定 of a closing month (idempotent): 赔偿, 服务投诉罚款, 处分."""
    require_perm(request, IMPORT)
    month = selectors.parse_month(body.month)
    if month is None:
        raise DomainError(
            "invalid_month", "请按“年-月”填写月份", fields={"month": "格式为 2026-10"}
        )
    summary = services.compensation_import_month(month=month, actor=request.user)
    return {"month": month, "summary": summary}
