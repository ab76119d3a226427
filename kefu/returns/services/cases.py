"""Case services — 退换货单登记与各环节办理 (AS-5..8): the only write path for ``ReturnCase``.

Every step goes the same way: lock the case, ask ``workflow`` whether the actor may take it now,
store what the step records, move the stage, write one audit event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.customers.models import Customer
from kefu.org.selectors import employee_of
from kefu.tickets.models import Ticket

from .. import rules
from ..choices import (
    FINAL_STAGES,
    CaseType,
    ClaimStatus,
    ContactOutcome,
    LedgerKind,
    RefundMethod,
    Stage,
)
from ..models import ReturnCase, ReturnDayCounter, ReturnLedgerEntry
from ..policy import returns_policy
from ..roles import ADD
from ..workflow import Action, TransitionError, next_stage
from .clock import next_ship_check
from .common import TEXT_MAX, facts_for, lock, money, require_perm, snapshot, text
from .money import transfer_payee, transfer_write

# Which case type a service request's 子类 suggests (TKT-2 → AS-5..7).
TYPE_BY_SUBKIND: dict[str, str] = {
    "return": CaseType.RETURN,
    "exchange": CaseType.EXCHANGE,
    "damaged": CaseType.DAMAGED,
    "short_shipped": CaseType.MISSING,
    "chase": CaseType.LOST,
}


def today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def next_number(day: dt.date, prefix: str, digits: int) -> str:
    """The next 退换货单号 of ``day`` — ``TH20261122-0001`` (unique; gaps are harmless)."""
    ReturnDayCounter.objects.get_or_create(day=day)
    ReturnDayCounter.objects.filter(pk=day).update(last=F("last") + 1)
    last = ReturnDayCounter.objects.values_list("last", flat=True).get(pk=day)
    return f"{prefix}{day:%Y%m%d}-{last:0{digits}d}"


def _missing_items(value: Any) -> list[dict[str, Any]]:
    """少件: which items, how many — ``[{"item": "鞋垫", "qty": 1}]`` (also from "鞋垫×1" lines)."""
    items: list[dict[str, Any]] = []
    raw = value or []
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, list) or len(raw) > 50:
        raise DomainError(
            "return_invalid", "缺少的商品格式不正确", fields={"missing_items": "格式不正确"}
        )
    for entry in raw:
        if isinstance(entry, str):
            name, _, qty = entry.replace("x", "×").replace("*", "×").partition("×")
            entry = {"item": name.strip(), "qty": qty.strip() or 1}
        if not isinstance(entry, dict):
            raise DomainError(
                "return_invalid", "缺少的商品格式不正确", fields={"missing_items": "格式不正确"}
            )
        name = str(entry.get("item", "")).strip()[:60]
        try:
            qty = int(str(entry.get("qty", 1)).strip())
        except ValueError:
            qty = 0
        if not name or not 1 <= qty <= 9999:
            message = "每行填写商品名称和数量，如“鞋垫×1”"
            raise DomainError("return_invalid", message, fields={"missing_items": message})
        items.append({"item": name, "qty": qty})
    return items


@transaction.atomic
def returncase_create(
    *,
    actor: Any,
    case_type: str,
    reason: str,
    customer: Customer | None = None,
    ticket: Ticket | None = None,
    order_no: str = "",
    reason_detail: str = "",
    quality_fault: bool | None = None,
    card_customer_ref: str = "",
    card_contact: str = "",
    card_reason: str = "",
    card_wanted_item: str = "",
    original_tracking_no: str = "",
    return_tracking_no: str = "",
    courier: str = "",
    missing_items: Any = None,
    registered_on: dt.date | None = None,
) -> ReturnCase:
    """登记退换货单 — from a service request (``ticket``) or directly for ``customer``.

    ``quality_fault`` None takes the reason's default from policy; it decides the freight terms.
    """
    require_perm(actor, ADD)
    if case_type not in CaseType.values:
        raise DomainError("return_invalid", "请选择退换货类型", fields={"case_type": "请选择类型"})
    policy = returns_policy()
    codes = [r.code for r in policy.reasons]
    if reason not in codes:
        raise DomainError("return_invalid", "请选择退换原因", fields={"reason": "请选择原因"})
    if ticket is not None:
        customer = ticket.customer
        order_no = order_no or ticket.order_no
        original_tracking_no = original_tracking_no or ticket.tracking_no
    if customer is None:
        raise DomainError("return_invalid", "请选择客户", fields={"customer_id": "请选择客户"})
    values = {
        "order_no": text(order_no, "order_no", "订单号", max_length=40),
        "reason_detail": text(reason_detail, "reason_detail", "原因说明", max_length=TEXT_MAX),
        "card_customer_ref": text(card_customer_ref, "card_customer_ref", "客户ID", max_length=60),
        "card_contact": text(card_contact, "card_contact", "联系方式", max_length=60),
        "card_reason": text(card_reason, "card_reason", "退换原因", max_length=200),
        "card_wanted_item": text(
            card_wanted_item, "card_wanted_item", "要更换的商品", max_length=200
        ),
        "original_tracking_no": text(
            original_tracking_no, "original_tracking_no", "原发货单号", max_length=40
        ),
        "return_tracking_no": text(
            return_tracking_no, "return_tracking_no", "退回快递单号", max_length=40
        ),
        "courier": text(courier, "courier", "快递公司", max_length=40),
    }
    items = _missing_items(missing_items)
    if case_type == CaseType.MISSING and not items:
        message = "少件须登记缺少的商品"
        raise DomainError("return_invalid", message, fields={"missing_items": message})
    if (
        case_type in (CaseType.INTERCEPT, CaseType.LOST, CaseType.FORWARD)
        and not values["original_tracking_no"]
    ):
        message = "请填写原发货单号"
        raise DomainError("return_invalid", message, fields={"original_tracking_no": message})
    if case_type == CaseType.EXCHANGE and not values["card_wanted_item"]:
        message = "换货须写明要更换的商品"
        raise DomainError("return_invalid", message, fields={"card_wanted_item": message})
    if quality_fault is None:
        quality_fault = next(r.quality_fault for r in policy.reasons if r.code == reason)
    terms = rules.freight_terms(
        case_type=case_type,
        quality_fault=quality_fault,
        company_fault_types=policy.freight.company_fault_types,
        non_quality_reship_payer=policy.freight.non_quality_reship_payer,
        intercept_return_payer=policy.freight.intercept_return_payer,
    )
    # A case may be registered for an earlier day (a call logged late), never for a later one.
    day = registered_on or today()
    if day > today():
        raise DomainError(
            "return_invalid",
            "登记日期不能晚于今天",
            fields={"registered_on": "登记日期不能晚于今天"},
        )
    # The case belongs to its registering person's department and team (data scope, ORG-5);
    # somebody without an employee record (an administrator) files it under the ticket's.
    me = employee_of(actor)
    home = me if me is not None else ticket
    case = ReturnCase.objects.create(
        number=next_number(day, policy.numbering.prefix, policy.numbering.digits),
        case_type=case_type,
        customer=customer,
        ticket=ticket,
        department_id=getattr(home, "department_id", None),
        team_id=getattr(home, "team_id", None),
        reason=reason,
        quality_fault=quality_fault,
        return_freight_payer=terms.return_payer,
        reship_freight_payer=terms.reship_payer,
        freight_refund_due=terms.refund_return_freight_after_receipt,
        missing_items=items,
        created_on=day,
        created_by=actor,
        **values,
    )
    audit.record(
        actor=actor,
        action="returns.create",
        obj=case,
        after={
            "number": case.number,
            "case_type": case_type,
            "reason": reason,
            "quality_fault": quality_fault,
            "return_freight_payer": terms.return_payer,
            "ticket": ticket.pk if ticket else None,
        },
    )
    return case


def _step(
    actor: Any,
    case: ReturnCase,
    action: str,
    changes: dict[str, Any],
    *,
    passed: bool | None = None,
    reason: str = "",
) -> ReturnCase:
    """Take one step (inside the caller's transaction): check, store, move, audit."""
    if not (actor and getattr(actor, "is_authenticated", False)):
        raise PermissionDeniedError()
    case = lock(case)
    try:
        target = next_stage(facts_for(actor, case), action, passed=passed)
    except TransitionError as exc:
        if exc.code == "forbidden":
            raise PermissionDeniedError(exc.message) from exc
        raise DomainError(exc.code, exc.message, status=409) from exc
    before = snapshot(case, *changes)
    now = timezone.now()
    for field, value in changes.items():
        setattr(case, field, value)
    if target != case.stage:
        case.stage = target
        case.stage_changed_at = now
        # An exchange may go out once its return is in (or on approval): the 24/48 h clock starts.
        if target in (Stage.RECEIVED, Stage.INSPECTED_PASS) and case.reship_ready_at is None:
            case.reship_ready_at = now
    if target in FINAL_STAGES:
        case.closed_at = now
    # AS-8: the shipping clock's next check (started, moved on, or stopped by this step).
    case.ship_check_at = next_ship_check(case)
    case.save()
    audit.record(
        actor=actor,
        action=f"returns.{action}",
        obj=case,
        before=before,
        after=snapshot(case, *changes),
        reason=reason,
    )
    return case


@transaction.atomic
def returncase_await_return(
    *, actor: Any, case: ReturnCase, return_tracking_no: str, courier: str = ""
) -> ReturnCase:
    """登记退回快递单号 — the customer has sent the goods back (AS-5: 客户告知退货运单号)."""
    no = text(
        return_tracking_no, "return_tracking_no", "退回快递单号", max_length=40, required=True
    )
    changes = {
        "return_tracking_no": no,
        "courier": text(courier, "courier", "快递公司", max_length=40) or case.courier,
    }
    return _step(actor, case, Action.AWAIT_RETURN, changes)


@transaction.atomic
def returncase_intercept(*, actor: Any, case: ReturnCase, courier: str) -> ReturnCase:
    """出退件单 (AS-6): 联系快递公司撤回包裹, print the two-part 快件退回单."""
    courier = text(courier, "courier", "快递公司", max_length=40, required=True)
    return _step(
        actor, case, Action.INTERCEPT, {"courier": courier, "slip_issued_at": timezone.now()}
    )


def _received_on(value: dt.date | None) -> dt.date:
    day = value or today()
    if day > today():
        raise DomainError(
            "return_invalid", "收货日期不能晚于今天", fields={"received_on": "不能晚于今天"}
        )
    return day


@transaction.atomic
def returncase_receive(
    *, actor: Any, case: ReturnCase, received_on: dt.date | None = None
) -> ReturnCase:
    """仓库收货 — the returned parcel arrived at the warehouse (warehouse only)."""
    return _step(
        actor,
        case,
        Action.RECEIVE,
        {"received_on": _received_on(received_on), "received_by": actor},
    )


@transaction.atomic
def returncase_parcel_back(
    *, actor: Any, case: ReturnCase, received_on: dt.date | None = None
) -> ReturnCase:
    """原包裹已收到 (AS-6) — the order clerk signs for the intercepted parcel (订单员 only)."""
    return _step(
        actor,
        case,
        Action.PARCEL_BACK,
        {
            "parcel_back_at": timezone.now(),
            "parcel_back_by": actor,
            "received_on": _received_on(received_on),
            "received_by": actor,
        },
    )


@transaction.atomic
def returncase_inspect(
    *,
    actor: Any,
    case: ReturnCase,
    passed: bool,
    condition: str,
    received_on: dt.date | None = None,
    notes: str = "",
) -> ReturnCase:
    """仓库验收 (AS-5: 仓库员验货后签字) — received date, condition, pass/fail; warehouse only."""
    changes = {
        "received_on": _received_on(received_on or case.received_on),
        "received_by": case.received_by or actor,
        "condition": text(condition, "condition", "货品状况", max_length=200, required=True),
        "inspection_passed": bool(passed),
        "inspected_by": actor,
        "inspected_at": timezone.now(),
        "inspection_notes": text(notes, "notes", "验收备注", max_length=TEXT_MAX),
    }
    return _step(actor, case, Action.INSPECT, changes, passed=bool(passed))


@transaction.atomic
def returncase_record_contact(
    *, actor: Any, case: ReturnCase, outcome: str, note: str = ""
) -> ReturnCase:
    """缺货联系客户 (AS-8) — the customer chose an exchange or a refund."""
    if outcome not in ContactOutcome.values:
        raise DomainError(
            "return_invalid", "请选择联系结果", fields={"outcome": "请选择换货或退款"}
        )
    changes = {
        "contact_outcome": outcome,
        "contact_note": text(note, "note", "联系记录", max_length=200),
    }
    return _step(actor, case, Action.CONTACT, changes)


@transaction.atomic
def returncase_claim(
    *, actor: Any, case: ReturnCase, claim_no: str, claim_amount: Any
) -> ReturnCase:
    """快递丢件索赔 (AS-7, [000] 快递丢件如何索赔)."""
    changes = {
        "claim_no": text(claim_no, "claim_no", "索赔单号", max_length=40, required=True),
        "claim_amount": money(claim_amount, "claim_amount", "索赔金额"),
        "claim_status": ClaimStatus.FILED,
    }
    return _step(actor, case, Action.CLAIM, changes)


@transaction.atomic
def returncase_forward(
    *, actor: Any, case: ReturnCase, forward_tracking_no: str, note: str = ""
) -> ReturnCase:
    """登记转件 (AS-7: 转件的要跟踪转件情况，如转件单号、是否转件成功)."""
    changes = {
        "forward_tracking_no": text(
            forward_tracking_no, "forward_tracking_no", "转件单号", max_length=40, required=True
        ),
        "forward_note": text(note, "note", "转件情况", max_length=200),
    }
    return _step(actor, case, Action.FORWARD, changes)


@transaction.atomic
def returncase_forward_failed(*, actor: Any, case: ReturnCase, note: str) -> ReturnCase:
    """转件失败 — the parcel comes back to be resent (快件需退回重发的，跟踪快件退回情况)."""
    note = text(note, "note", "转件情况", max_length=200, required=True)
    return _step(actor, case, Action.FORWARD_FAILED, {"forward_note": note})


@transaction.atomic
def returncase_refund(
    *,
    actor: Any,
    case: ReturnCase,
    amount: Any,
    method: str,
    freight_refund: Any = None,
    payee: str = "",
    bank: str = "",
    account: str = "",
    note: str = "",
) -> ReturnCase:
    """退款 — the refund (and the return freight the company owes, AS-5) in the ledger.

    A bank transfer goes into the 转账登记 ledger and is tracked until paid (AS-8).
    """
    amount_value = money(amount, "amount", "退款金额")
    freight_value = money(freight_refund, "freight_refund", "运费返还")
    if method not in RefundMethod.values:
        raise DomainError("return_invalid", "请选择退款方式", fields={"method": "请选择退款方式"})
    if amount_value <= 0 and freight_value <= 0:
        raise DomainError("return_invalid", "请填写退款金额", fields={"amount": "必须大于0"})
    if freight_value > 0 and not case.freight_refund_due:
        message = "本单运费由客户承担，不返还运费"
        raise DomainError("return_invalid", message, fields={"freight_refund": message})
    transfer: dict[str, str] = {}
    if method == RefundMethod.BANK_TRANSFER:
        transfer = transfer_payee(payee=payee, bank=bank, account=account)
    note = text(note, "note", "说明", max_length=200)
    case = _step(
        actor,
        case,
        Action.REFUND,
        {"refund_amount": amount_value, "refund_method": method, "refunded_at": timezone.now()},
    )
    if amount_value > 0:
        ReturnLedgerEntry.objects.create(
            case=case, kind=LedgerKind.REFUND, amount=amount_value, note=note, created_by=actor
        )
    if freight_value > 0:
        ReturnLedgerEntry.objects.create(
            case=case, kind=LedgerKind.FREIGHT_REFUND, amount=freight_value, created_by=actor
        )
    if transfer:
        transfer_write(actor=actor, case=case, amount=amount_value + freight_value, payee=transfer)
    return case


@transaction.atomic
def returncase_reship(
    *,
    actor: Any,
    case: ReturnCase,
    tracking_no: str,
    courier: str = "",
    price_difference: Any = None,
) -> ReturnCase:
    """换货发出 / 补发 / 重发 — the new tracking number; a price difference goes into the ledger.

    Refused before the return is received unless a supervisor approved (``workflow``).
    """
    changes = {
        "reship_tracking_no": text(
            tracking_no, "tracking_no", "发出快递单号", max_length=40, required=True
        ),
        "reship_courier": text(courier, "courier", "快递公司", max_length=40),
        "reshipped_at": timezone.now(),
    }
    diff = money(price_difference, "price_difference", "差价", allow_negative=True)
    case = _step(actor, case, Action.RESHIP, changes)
    if diff != 0:
        ReturnLedgerEntry.objects.create(
            case=case, kind=LedgerKind.PRICE_DIFFERENCE, amount=diff, created_by=actor
        )
    return case


@transaction.atomic
def returncase_confirm_arrival(
    *, actor: Any, case: ReturnCase, arrived_on: dt.date | None = None
) -> ReturnCase:
    """确认送达 — 跟踪客户是否顺利收到换货 ([004] ⑦); the case is complete."""
    day = arrived_on or today()
    if day > today():
        raise DomainError(
            "return_invalid", "送达日期不能晚于今天", fields={"arrived_on": "不能晚于今天"}
        )
    return _step(actor, case, Action.CONFIRM_ARRIVAL, {"arrived_on": day})


@transaction.atomic
def returncase_cancel(*, actor: Any, case: ReturnCase, reason: str) -> ReturnCase:
    """取消退换货单 (e.g. 验收不合格退回客户, the customer withdrew) with the reason."""
    reason = text(reason, "reason", "取消原因", max_length=TEXT_MAX, required=True)
    return _step(actor, case, Action.CANCEL, {"cancel_reason": reason}, reason=reason)


@transaction.atomic
def returncase_approve_early_reship(*, actor: Any, case: ReturnCase, reason: str) -> ReturnCase:
    """批准先发货 — a supervisor lets an exchange go out before the return arrives ([004]).

    Only 客服主管/客服部经理 (``returns.approve_early_reship``); the reason is kept on the case
    and in the audit trail.
    """
    reason = text(reason, "reason", "批准理由", max_length=TEXT_MAX, required=True)
    now = timezone.now()
    case = _step(
        actor,
        case,
        Action.APPROVE_EARLY_RESHIP,
        {
            "early_reship_approved_by": actor,
            "early_reship_approved_at": now,
            "early_reship_reason": reason,
            "reship_ready_at": case.reship_ready_at or now,
        },
        reason=reason,
    )
    return case


def freight_refund_suggestion(case: ReturnCase) -> Decimal:
    """How much return freight is still owed to the customer (for the refund form)."""
    policy = returns_policy(case.created_on)
    entries = list(case.ledger.values_list("kind", "amount"))
    totals = rules.ledger_totals(entries)
    terms = rules.FreightTerms(
        company_fault=case.freight_refund_due,
        return_payer=case.return_freight_payer,
        reship_payer=case.reship_freight_payer,
        customer_advances_return=case.freight_refund_due,
        refund_return_freight_after_receipt=case.freight_refund_due,
    )
    return rules.freight_refund_due(
        terms,
        advanced=totals.by_kind[LedgerKind.FREIGHT_CUSTOMER],
        already_refunded=totals.by_kind[LedgerKind.FREIGHT_REFUND],
        cap=Decimal(policy.freight.freight_refund_cap),
    )
