"""退换货 API — mounted at /api/v1/returns/ (AS-5..9; every write through ``services``).

Each step is a POST sub-resource of the case (``/{id}/await-return``, ``/intercept``, ``/receive``,
``/parcel-back``, ``/inspection``, ``/contact``, ``/claim``, ``/forward``, ``/forward-failed``,
``/refund``, ``/reship``, ``/arrival``, ``/cancel``, ``/early-reship-approval``); ``workflow``
decides who may take it, so a refusal is 403 and a step at the wrong time 409. A case the caller
may not see is 404 (data scope: ``selectors.returncase_scope_filter``).

转账登记 (AS-8): ``GET /transfers`` (pending first, with days waiting), ``POST /transfers`` (a
bank transfer owed to the customer on a case), ``POST /transfers/{id}/paid`` (已转账). The
account number is masked unless the caller may see personal data in full.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kefu.core.access import can_reveal, mask_middle
from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError
from kefu.customers.selectors import customers_for_user
from kefu.tickets.selectors import tickets_for_user

from . import rules, selectors, services
from .choices import TransferStatus
from .models import ReturnCase, TransferEntry
from .policy import returns_policy
from .roles import ADD, CHANGE
from .services.clock import clock_of
from .services.common import facts_for
from .workflow import available_actions

router = Router(tags=["退换货"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


# --- schemas ------------------------------------------------------------------------------------
class LedgerOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: Decimal
    note: str
    created_at: dt.datetime


class CaseListOut(Schema):
    id: int
    number: str
    case_type: str
    case_type_label: str
    stage: str
    stage_label: str
    customer_id: int
    customer_name: str
    order_no: str
    return_tracking_no: str
    reship_tracking_no: str
    quality_fault: bool
    created_on: dt.date
    days_open: int
    age_level: str


class CaseOut(CaseListOut):
    ticket_id: int | None
    reason: str
    reason_label: str
    reason_detail: str
    return_freight_payer: str
    reship_freight_payer: str
    freight_refund_due: bool
    card_customer_ref: str
    card_contact: str
    card_reason: str
    card_wanted_item: str
    original_tracking_no: str
    courier: str
    missing_items: list[dict[str, Any]]
    claim_no: str
    claim_amount: Decimal
    forward_tracking_no: str
    contact_outcome: str
    received_on: dt.date | None
    condition: str
    inspection_passed: bool | None
    inspection_notes: str
    refund_amount: Decimal
    refund_method: str
    reship_courier: str
    arrived_on: dt.date | None
    early_reship_approved: bool
    early_reship_reason: str
    cancel_reason: str
    department_id: int | None
    ship_state: str = Field(
        description="发货时限：on_time/late/breached/shipped_on_time/shipped_late；无时限为空"
    )
    ship_due: dt.datetime | None = Field(description="24小时发货时限")
    ship_latest: dt.datetime | None = Field(description="最迟发货时限（48小时）")
    actions: list[str]
    ledger: list[LedgerOut]
    ledger_company_net: Decimal
    ledger_to_customer: Decimal


class CaseFilter(Schema):
    q: str = Field("", max_length=50)
    case_type: str = ""
    stage: str = ""
    age: str = ""
    open: bool = False
    page: int = Field(1, ge=1, le=100000)
    page_size: int = 20


class CaseIn(Schema):
    case_type: str
    reason: str
    ticket_id: int | None = None
    customer_id: int | None = None
    order_no: str = Field("", max_length=40)
    reason_detail: str = Field("", max_length=2000)
    quality_fault: bool | None = None
    card_customer_ref: str = Field("", max_length=60)
    card_contact: str = Field("", max_length=60)
    card_reason: str = Field("", max_length=200)
    card_wanted_item: str = Field("", max_length=200)
    original_tracking_no: str = Field("", max_length=40)
    return_tracking_no: str = Field("", max_length=40)
    courier: str = Field("", max_length=40)
    missing_items: list[dict[str, Any]] = []


class AwaitReturnIn(Schema):
    return_tracking_no: str = Field(max_length=40)
    courier: str = Field("", max_length=40)


class InterceptIn(Schema):
    courier: str = Field(max_length=40)


class ReceivedIn(Schema):
    received_on: dt.date | None = None


class InspectionIn(Schema):
    passed: bool
    condition: str = Field(max_length=200)
    received_on: dt.date | None = None
    notes: str = Field("", max_length=2000)


class ContactIn(Schema):
    outcome: str
    note: str = Field("", max_length=200)


class ClaimIn(Schema):
    claim_no: str = Field(max_length=40)
    claim_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class ForwardIn(Schema):
    forward_tracking_no: str = Field(max_length=40)
    note: str = Field("", max_length=200)


class NoteIn(Schema):
    note: str = Field(max_length=200)


class RefundIn(Schema):
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    method: str
    freight_refund: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    payee: str = Field("", max_length=60)
    bank: str = Field("", max_length=60)
    account: str = Field("", max_length=40)
    note: str = Field("", max_length=200)


class ReshipIn(Schema):
    tracking_no: str = Field(max_length=40)
    courier: str = Field("", max_length=40)
    price_difference: Decimal = Field(Decimal("0"), max_digits=12, decimal_places=2)


class ArrivalIn(Schema):
    arrived_on: dt.date | None = None


class ReasonIn(Schema):
    reason: str = Field(max_length=2000)


class LedgerIn(Schema):
    kind: str
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    note: str = Field("", max_length=200)


class TransferOut(Schema):
    id: int
    case_id: int
    case_number: str
    customer_name: str
    payee: str
    bank: str
    account: str = Field(description="账号（无查看完整个人信息权限时只显示后4位）")
    amount: Decimal
    status: str
    status_label: str
    days_waiting: int
    overdue: bool
    paid_on: dt.date | None
    reference: str
    created_at: dt.datetime


class TransferFilter(Schema):
    status: str = ""
    page: int = Field(1, ge=1, le=100000)
    page_size: int = 20


class TransferIn(Schema):
    case_id: int
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    payee: str = Field(max_length=60)
    bank: str = Field(max_length=60)
    account: str = Field(max_length=40)


class TransferPaidIn(Schema):
    paid_on: dt.date | None = None
    reference: str = Field("", max_length=60)


# --- helpers ------------------------------------------------------------------------------------
def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _list_out(case: ReturnCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "case_type": case.case_type,
        "case_type_label": case.get_case_type_display(),
        "stage": case.stage,
        "stage_label": case.get_stage_display(),
        "customer_id": case.customer_id,
        "customer_name": case.customer.name,
        "order_no": case.order_no,
        "return_tracking_no": case.return_tracking_no,
        "reship_tracking_no": case.reship_tracking_no,
        "quality_fault": case.quality_fault,
        "created_on": case.created_on,
        "days_open": case.days_open,  # type: ignore[attr-defined]
        "age_level": case.age_level,  # type: ignore[attr-defined]
    }


def _detail_out(request: HttpRequest, case: ReturnCase) -> dict[str, Any]:
    policy = returns_policy()
    selectors.with_age([case], policy, _today())
    entries = list(case.ledger.all())
    totals = rules.ledger_totals((e.kind, e.amount) for e in entries)
    data = _list_out(case)
    data.update(
        {
            f: getattr(case, f)
            for f in [
                "ticket_id",
                "reason",
                "reason_detail",
                "return_freight_payer",
                "reship_freight_payer",
                "freight_refund_due",
                "card_customer_ref",
                "card_contact",
                "card_reason",
                "card_wanted_item",
                "original_tracking_no",
                "courier",
                "missing_items",
                "claim_no",
                "claim_amount",
                "forward_tracking_no",
                "contact_outcome",
                "received_on",
                "condition",
                "inspection_passed",
                "inspection_notes",
                "refund_amount",
                "refund_method",
                "reship_courier",
                "arrived_on",
                "early_reship_reason",
                "cancel_reason",
            ]
        }
    )
    clock = clock_of(case, now=timezone.now())
    data.update(
        department_id=case.department_id,
        ship_state=clock.state if clock else "",
        ship_due=clock.due if clock else None,
        ship_latest=clock.latest if clock else None,
        reason_label=returns_policy(case.created_on).reason_label(case.reason),
        early_reship_approved=case.early_reship_approved_at is not None,
        actions=available_actions(facts_for(request.user, case)),
        ledger=[
            {
                "id": e.pk,
                "kind": e.kind,
                "kind_label": e.get_kind_display(),
                "amount": e.amount,
                "note": e.note,
                "created_at": e.created_at,
            }
            for e in entries
        ],
        ledger_company_net=totals.company_net,
        ledger_to_customer=totals.to_customer,
    )
    return data


def _case(request: HttpRequest, case_id: int) -> ReturnCase:
    return selectors.returncase_get_for_user(request.user, case_id)


def _fresh(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail_out(request, _case(request, case_id))


# --- reads --------------------------------------------------------------------------------------
@router.get("/cases", response={200: Page[CaseListOut], **ERRORS})
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    """退换货单 the caller may see; ``age`` ok/warn/late filters open cases by age (AS-9)."""
    require_perm(request, selectors.VIEW)
    policy = returns_policy()
    today = _today()
    qs = selectors.returncases_for_user(
        request.user,
        q=filters.q,
        case_type=filters.case_type,
        stage=filters.stage,
        age=filters.age,
        open_only=filters.open,
        policy=policy,
        today=today,
    )
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_list_out(c) for c in selectors.with_age(page["items"], policy, today)]
    return page


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def case_detail(request: HttpRequest, case_id: int) -> Any:
    return _fresh(request, case_id)


# --- writes -------------------------------------------------------------------------------------
@router.post("/cases", response={201: CaseOut, **ERRORS})
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    """登记退换货单 — on ``ticket_id`` (a service request) or for ``customer_id``."""
    require_perm(request, ADD)
    ticket = customer = None
    if payload.ticket_id is not None:
        ticket = tickets_for_user(request.user).select_related("customer").get(pk=payload.ticket_id)
    elif payload.customer_id is not None:
        customer = customers_for_user(request.user).get(pk=payload.customer_id)
    else:
        message = "请选择客户或工单"
        raise DomainError("return_invalid", message, fields={"customer_id": message})
    data = payload.dict(exclude={"ticket_id", "customer_id"})
    case = services.returncase_create(actor=request.user, ticket=ticket, customer=customer, **data)
    return Status(201, _fresh(request, case.pk))


def _step(request: HttpRequest, case_id: int, service: Any, **kwargs: Any) -> Any:
    case = _case(request, case_id)
    service(actor=request.user, case=case, **kwargs)
    return _fresh(request, case_id)


@router.post("/cases/{case_id}/await-return", response={200: CaseOut, **ERRORS})
def case_await_return(request: HttpRequest, case_id: int, payload: AwaitReturnIn) -> Any:
    """登记退回快递单号."""
    return _step(request, case_id, services.returncase_await_return, **payload.dict())


@router.post("/cases/{case_id}/intercept", response={200: CaseOut, **ERRORS})
def case_intercept(request: HttpRequest, case_id: int, payload: InterceptIn) -> Any:
    """出退件单 (AS-6)."""
    return _step(request, case_id, services.returncase_intercept, **payload.dict())


@router.post("/cases/{case_id}/receive", response={200: CaseOut, **ERRORS})
def case_receive(request: HttpRequest, case_id: int, payload: ReceivedIn) -> Any:
    """仓库收货 (warehouse only)."""
    return _step(request, case_id, services.returncase_receive, **payload.dict())


@router.post("/cases/{case_id}/parcel-back", response={200: CaseOut, **ERRORS})
def case_parcel_back(request: HttpRequest, case_id: int, payload: ReceivedIn) -> Any:
    """原包裹已收到 (order clerk only, AS-6)."""
    return _step(request, case_id, services.returncase_parcel_back, **payload.dict())


@router.post("/cases/{case_id}/inspection", response={200: CaseOut, **ERRORS})
def case_inspection(request: HttpRequest, case_id: int, payload: InspectionIn) -> Any:
    """仓库验收 (warehouse only)."""
    return _step(request, case_id, services.returncase_inspect, **payload.dict())


@router.post("/cases/{case_id}/contact", response={200: CaseOut, **ERRORS})
def case_contact(request: HttpRequest, case_id: int, payload: ContactIn) -> Any:
    """缺货联系客户 (AS-8)."""
    return _step(request, case_id, services.returncase_record_contact, **payload.dict())


@router.post("/cases/{case_id}/claim", response={200: CaseOut, **ERRORS})
def case_claim(request: HttpRequest, case_id: int, payload: ClaimIn) -> Any:
    """快递丢件索赔 (AS-7)."""
    return _step(request, case_id, services.returncase_claim, **payload.dict())


@router.post("/cases/{case_id}/forward", response={200: CaseOut, **ERRORS})
def case_forward(request: HttpRequest, case_id: int, payload: ForwardIn) -> Any:
    """登记转件 (AS-7)."""
    return _step(request, case_id, services.returncase_forward, **payload.dict())


@router.post("/cases/{case_id}/forward-failed", response={200: CaseOut, **ERRORS})
def case_forward_failed(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    """转件失败，快件退回."""
    return _step(request, case_id, services.returncase_forward_failed, **payload.dict())


@router.post("/cases/{case_id}/refund", response={200: CaseOut, **ERRORS})
def case_refund(request: HttpRequest, case_id: int, payload: RefundIn) -> Any:
    """退款 (bank transfers go into the 转账登记)."""
    return _step(request, case_id, services.returncase_refund, **payload.dict())


@router.post("/cases/{case_id}/reship", response={200: CaseOut, **ERRORS})
def case_reship(request: HttpRequest, case_id: int, payload: ReshipIn) -> Any:
    """换货发出 / 补发 — refused (409) before the return is received unless approved."""
    return _step(request, case_id, services.returncase_reship, **payload.dict())


@router.post("/cases/{case_id}/arrival", response={200: CaseOut, **ERRORS})
def case_arrival(request: HttpRequest, case_id: int, payload: ArrivalIn) -> Any:
    """确认送达."""
    return _step(request, case_id, services.returncase_confirm_arrival, **payload.dict())


@router.post("/cases/{case_id}/cancel", response={200: CaseOut, **ERRORS})
def case_cancel(request: HttpRequest, case_id: int, payload: ReasonIn) -> Any:
    """取消."""
    return _step(request, case_id, services.returncase_cancel, **payload.dict())


@router.post("/cases/{case_id}/early-reship-approval", response={200: CaseOut, **ERRORS})
def case_approve_early_reship(request: HttpRequest, case_id: int, payload: ReasonIn) -> Any:
    """主管批准退货未收到先发货 (supervisor/manager; the reason is recorded)."""
    return _step(request, case_id, services.returncase_approve_early_reship, **payload.dict())


@router.post("/cases/{case_id}/ledger", response={201: CaseOut, **ERRORS})
def case_ledger_add(request: HttpRequest, case_id: int, payload: LedgerIn) -> Any:
    """登记运费/差价 (AS-9)."""
    case = _case(request, case_id)
    services.ledger_entry_add(actor=request.user, case=case, **payload.dict())
    return Status(201, _fresh(request, case_id))


# --- 转账登记 (AS-8) ---------------------------------------------------------------------------
def _transfer_out(request: HttpRequest, t: TransferEntry, overdue_days: int) -> dict[str, Any]:
    days = rules.days_open(timezone.localtime(t.created_at).date(), _today())
    return {
        "id": t.pk,
        "case_id": t.case_id,
        "case_number": t.case.number,
        "customer_name": t.case.customer.name,
        "payee": t.payee,
        "bank": t.bank,
        "account": t.account if can_reveal(request.user) else mask_middle(t.account, 0, 4),
        "amount": t.amount,
        "status": t.status,
        "status_label": t.get_status_display(),
        "days_waiting": days,
        "overdue": t.status == TransferStatus.PENDING and days >= overdue_days,
        "paid_on": t.paid_on,
        "reference": t.reference,
        "created_at": t.created_at,
    }


def _transfer(request: HttpRequest, transfer_id: int) -> TransferEntry:
    return selectors.transfers_for_user(request.user).get(pk=transfer_id)


@router.get("/transfers", response={200: Page[TransferOut], **ERRORS})
def transfer_list(request: HttpRequest, filters: Query[TransferFilter]) -> Any:
    """转账登记 of the cases the caller may see, pending first; ``overdue`` past the policy's days."""
    require_perm(request, selectors.VIEW)
    qs = selectors.transfers_for_user(request.user, status=filters.status)
    page = paginate(qs, filters.page, filters.page_size)
    overdue_days = returns_policy().transfer_overdue_days
    page["items"] = [_transfer_out(request, t, overdue_days) for t in page["items"]]
    return page


@router.post("/transfers", response={201: TransferOut, **ERRORS})
def transfer_create(request: HttpRequest, payload: TransferIn) -> Any:
    """登记一笔银行转账 on a case — never more than the case's ledger owes the customer."""
    require_perm(request, CHANGE)
    case = _case(request, payload.case_id)
    entry = services.transfer_register(
        actor=request.user, case=case, **payload.dict(exclude={"case_id"})
    )
    fresh = _transfer(request, entry.pk)
    return Status(201, _transfer_out(request, fresh, returns_policy().transfer_overdue_days))


@router.post("/transfers/{transfer_id}/paid", response={200: TransferOut, **ERRORS})
def transfer_paid(request: HttpRequest, transfer_id: int, payload: TransferPaidIn) -> Any:
    """已转账 — the transfer was paid (date, bank reference); a second time is 409."""
    require_perm(request, CHANGE)
    entry = _transfer(request, transfer_id)
    services.transfer_mark_paid(actor=request.user, transfer=entry, **payload.dict())
    fresh = _transfer(request, transfer_id)
    return _transfer_out(request, fresh, returns_policy().transfer_overdue_days)
