"""Demo 退换货单 for ``manage.py seed_demo``: every case type, at every stage, on demo customers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kefu.customers.models import Customer

from . import services as s
from .choices import CaseType as T
from .choices import ContactOutcome, LedgerKind, RefundMethod
from .models import ReturnCase


def seed_demo_returns(actor: Any) -> int:
    """Create the demo cases once (idempotent); returns how many were made."""
    if ReturnCase.objects.exists():
        return 0
    customers = list(Customer.objects.order_by("id")[:8])
    if not customers or actor is None:
        return 0

    def cust(i: int) -> Customer:
        return customers[i % len(customers)]

    made: list[tuple[ReturnCase, int]] = []

    def new(i: int, case_type: str, reason: str, age: int, **kw: Any) -> ReturnCase:
        case = s.returncase_create(
            actor=actor,
            case_type=case_type,
            reason=reason,
            customer=cust(i),
            order_no=f"DD2026{1000 + i}",
            # Spread the registration days so the open-cases list shows ages.
            registered_on=dt.date.today() - dt.timedelta(days=age),
            **kw,
        )
        made.append((case, age))
        return case

    # 退货: registered / awaiting / refunded.
    new(0, T.RETURN, "size", 1, card_contact="138****0001", card_reason="尺码偏小")
    c = new(1, T.RETURN, "quality", 5, card_reason="鞋底开胶")
    c = s.returncase_await_return(
        actor=actor, case=c, return_tracking_no="SF100200300", courier="顺丰"
    )
    s.ledger_entry_add(
        actor=actor, case=c, kind=LedgerKind.FREIGHT_CUSTOMER, amount="12.00", note="客户垫付"
    )
    c = new(2, T.RETURN, "quality", 9)
    c = s.returncase_await_return(
        actor=actor, case=c, return_tracking_no="YT55667788", courier="圆通"
    )
    s.ledger_entry_add(actor=actor, case=c, kind=LedgerKind.FREIGHT_CUSTOMER, amount="10.00")
    c = s.returncase_inspect(actor=actor, case=c, passed=True, condition="完好，包装完整")
    s.returncase_refund(
        actor=actor, case=c, amount="299.00", method=RefundMethod.ALIPAY, freight_refund="10.00"
    )
    # 换货: awaiting / inspected / early approval reshipped / completed.
    c = new(3, T.EXCHANGE, "size", 3, card_wanted_item="同款42码")
    s.returncase_await_return(actor=actor, case=c, return_tracking_no="ZT12345678", courier="中通")
    c = new(4, T.EXCHANGE, "wrong_item", 12, card_wanted_item="黑色款")
    c = s.returncase_await_return(
        actor=actor, case=c, return_tracking_no="ST11112222", courier="申通"
    )
    s.returncase_inspect(actor=actor, case=c, passed=True, condition="完好")
    c = new(5, T.EXCHANGE, "quality", 2, card_wanted_item="同款换新")
    c = s.returncase_approve_early_reship(actor=actor, case=c, reason="老客户，已拍照证实质量问题")
    s.returncase_reship(actor=actor, case=c, tracking_no="SF900800700", courier="顺丰")
    c = new(6, T.EXCHANGE, "size", 20, card_wanted_item="41码")
    c = s.returncase_await_return(
        actor=actor, case=c, return_tracking_no="YD33334444", courier="韵达"
    )
    c = s.returncase_inspect(actor=actor, case=c, passed=True, condition="完好")
    c = s.returncase_reship(
        actor=actor, case=c, tracking_no="YD55556666", courier="韵达", price_difference="20.00"
    )
    s.returncase_confirm_arrival(actor=actor, case=c)
    # 拦截: slip issued / parcel back / refunded.
    c = new(7, T.INTERCEPT, "changed_mind", 2, original_tracking_no="SF700000001")
    s.returncase_intercept(actor=actor, case=c, courier="顺丰")
    c = new(0, T.INTERCEPT, "changed_mind", 6, original_tracking_no="SF700000002")
    c = s.returncase_intercept(actor=actor, case=c, courier="顺丰")
    s.returncase_parcel_back(actor=actor, case=c)
    # 破损 failed inspection; 少件 reshipped; 丢件 claim; 转件 forwarding; 缺货 bank transfer.
    c = new(1, T.DAMAGED, "damaged_in_transit", 4)
    c = s.returncase_await_return(
        actor=actor, case=c, return_tracking_no="JD20260001", courier="京东"
    )
    s.returncase_inspect(
        actor=actor, case=c, passed=False, condition="人为损坏", notes="鞋面划痕非运输所致"
    )
    c = new(2, T.MISSING, "short_shipped", 1, missing_items="鞋垫×1\n鞋带×2")
    s.returncase_reship(actor=actor, case=c, tracking_no="ZT99990000", courier="中通")
    c = new(3, T.LOST, "lost_in_transit", 16, original_tracking_no="YT00001111", courier="圆通")
    s.returncase_claim(actor=actor, case=c, claim_no="YTCLAIM-0088", claim_amount=Decimal("199.00"))
    c = new(4, T.FORWARD, "other", 8, original_tracking_no="SF333444555")
    s.returncase_forward(
        actor=actor, case=c, forward_tracking_no="SF333444556", note="客户改地址，转寄杭州"
    )
    c = new(5, T.OUT_OF_STOCK, "out_of_stock", 3)
    c = s.returncase_record_contact(
        actor=actor, case=c, outcome=ContactOutcome.REFUND, note="客户同意退款"
    )
    s.returncase_refund(
        actor=actor,
        case=c,
        amount="158.00",
        method=RefundMethod.BANK_TRANSFER,
        payee="王女士",
        bank="工商银行上海分行",
        account="6222020000001234",
    )
    c = new(6, T.RETURN, "changed_mind", 7)
    s.returncase_cancel(actor=actor, case=c, reason="客户撤回退货申请")
    return len(made)
