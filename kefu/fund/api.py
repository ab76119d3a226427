"""部门基金 API — /api/v1/fund/ (PERF-7): the funds the caller may read with their balances, a
department's ledger, 申请支出 / 审批 / 撤回, 登记收入 and the Excel export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.org.models import Department
from kefu.org.selectors import employee_of

from . import selectors, services
from .exports import export_response
from .models import FundEntry
from .selectors import EXPORT, RECORD_INCOME, REQUEST_SPENDING, VIEW

router = Router(tags=["部门基金"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class DepartmentFundOut(Schema):
    id: int
    code: str
    name: str
    balance: Decimal


class EntryOut(Schema):
    id: int
    department_id: int
    day: dt.date
    kind: str
    kind_label: str
    amount: Decimal
    description: str
    status: str
    status_label: str
    incident_id: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    reject_reason: str

    @staticmethod
    def resolve_kind_label(obj: FundEntry) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: FundEntry) -> str:
        return obj.get_status_display()


class LedgerEntryOut(EntryOut):
    running_balance: Decimal | None

    @staticmethod
    def resolve_running_balance(obj: FundEntry) -> Decimal | None:
        if obj.status != "effective" or obj.running is None:
            return None
        return selectors.money(obj.running)


class EntryFilters(Schema):
    department: int | None = None
    month: str = ""
    kind: str = ""
    status: str = ""
    page: int = 1
    page_size: int = 20


class EntryIn(Schema):
    department_id: int
    day: dt.date
    amount: Decimal
    description: str


class DecideIn(Schema):
    approve: bool
    reason: str = ""


class CancelIn(Schema):
    reason: str = ""


def _department(request: HttpRequest, pk: int | None) -> Department:
    """A department whose fund the caller may read (the own one when none is given)."""
    departments = selectors.fund_departments_for_user(request.user)
    if pk is None:
        me = employee_of(request.user)
        pk = me.department_id if me else None
    dept = departments.filter(pk=pk).first() if pk else None
    if dept is None:
        raise Http404
    return dept


def _entry(request: HttpRequest, pk: int) -> FundEntry:
    return selectors.fund_entry_get_for_user(request.user, pk)


@router.get("/departments", response={200: list[DepartmentFundOut], 403: ErrorOut})
def department_list(request: HttpRequest) -> list[dict]:
    """部门基金: the departments whose fund the caller may read, each with its balance."""
    require_perm(request, VIEW)
    departments = list(selectors.fund_departments_for_user(request.user))
    balances = selectors.fund_balances([d.pk for d in departments])
    return [
        {
            "id": d.pk,
            "code": d.code,
            "name": d.name,
            "balance": balances.get(d.pk, selectors.ZERO),
        }
        for d in departments
    ]


@router.get("/entries", response={200: Page[LedgerEntryOut], **ERRORS})
def entry_list(request: HttpRequest, filters: Query[EntryFilters]) -> dict:
    """台账 of one department (newest first) with the running balance of effective lines;
    month = YYYY-MM, kind = fine | fine_reversal | income | spending, status as on the page."""
    require_perm(request, VIEW)
    dept = _department(request, filters.department)
    qs = selectors.ledger_entries(
        dept.pk,
        month=selectors.parse_month(filters.month),
        kind=filters.kind,
        status=filters.status,
    )
    return paginate(qs, filters.page, filters.page_size)


@router.get("/entries/{int:pk}", response={200: EntryOut, **ERRORS})
def entry_detail(request: HttpRequest, pk: int) -> FundEntry:
    require_perm(request, VIEW)
    return _entry(request, pk)


@router.post("/spendings", response={201: EntryOut, **ERRORS})
def spending_request(request: HttpRequest, body: EntryIn) -> Status:
    """申请支出: a pending spending and its approval chain (≤500元 部门经理, else 总经理)."""
    require_perm(request, REQUEST_SPENDING)
    entry = services.fund_spending_request(
        actor=request.user,
        department=_department(request, body.department_id),
        day=body.day,
        amount=body.amount,
        description=body.description,
    )
    return Status(201, _entry(request, entry.pk))


@router.post("/spendings/{int:pk}/decide", response={200: EntryOut, **ERRORS})
def spending_decide(request: HttpRequest, pk: int, body: DecideIn) -> FundEntry:
    """审批 by the current approver: approve, or reject with a reason."""
    require_perm(request, VIEW)
    services.fund_spending_decide(
        actor=request.user, entry=_entry(request, pk), approve=body.approve, reason=body.reason
    )
    return _entry(request, pk)


@router.post("/spendings/{int:pk}/cancel", response={200: EntryOut, **ERRORS})
def spending_cancel(request: HttpRequest, pk: int, body: CancelIn) -> FundEntry:
    """撤回 a spending still in approval (the requester only)."""
    require_perm(request, VIEW)
    services.fund_spending_cancel(actor=request.user, entry=_entry(request, pk), reason=body.reason)
    return _entry(request, pk)


@router.post("/incomes", response={201: EntryOut, **ERRORS})
def income_record(request: HttpRequest, body: EntryIn) -> Status:
    """登记收入: other income, effective at once."""
    require_perm(request, RECORD_INCOME)
    entry = services.fund_income_record(
        actor=request.user,
        department=_department(request, body.department_id),
        day=body.day,
        amount=body.amount,
        description=body.description,
    )
    return Status(201, _entry(request, entry.pk))


@router.get("/export", response={200: None, **ERRORS})
def export(request: HttpRequest, department: int | None = None, month: str = "") -> HttpResponse:
    """部门基金台账 as Excel (.xlsx) for one department and month (YYYY-MM; empty = all)."""
    require_perm(request, EXPORT)
    dept = _department(request, department)
    return export_response(dept, selectors.parse_month(month), kind="", status="")
