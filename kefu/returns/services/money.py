"""Ledger services — 差价与运费台账、转账登记 (AS-8, AS-9) and the audited Excel export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import DomainError

from .. import rules
from ..choices import LedgerKind, Stage, TransferStatus
from ..models import ReturnCase, ReturnLedgerEntry, TransferEntry
from ..roles import CHANGE, EXPORT
from .common import OBJECT_TYPE, lock, money, require_perm, text


@transaction.atomic
def ledger_entry_add(
    *, actor: Any, case: ReturnCase, kind: str, amount: Any, note: str = ""
) -> ReturnLedgerEntry:
    """登记一笔运费/差价 on a case (AS-9). Only a price difference may be negative."""
    require_perm(actor, CHANGE)
    if kind not in LedgerKind.values:
        raise DomainError("return_invalid", "请选择项目", fields={"kind": "请选择项目"})
    value = money(amount, "amount", "金额", allow_negative=kind == LedgerKind.PRICE_DIFFERENCE)
    if value == 0:
        raise DomainError("return_invalid", "金额不能为0", fields={"amount": "不能为0"})
    entry = ReturnLedgerEntry.objects.create(
        case=case,
        kind=kind,
        amount=value,
        note=text(note, "note", "说明", max_length=200),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="returns.ledger_add",
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        after={"kind": kind, "amount": value, "note": entry.note},
    )
    return entry


def transfer_payee(*, payee: str, bank: str, account: str) -> dict[str, str]:
    """The 收款人/开户行/账号 of a bank transfer, validated (all three required)."""
    return {
        "payee": text(payee, "payee", "收款人", max_length=60, required=True),
        "bank": text(bank, "bank", "开户行", max_length=60, required=True),
        "account": text(account, "account", "账号", max_length=40, required=True),
    }


def transfer_write(
    *, actor: Any, case: ReturnCase, amount: Decimal, payee: dict[str, str]
) -> TransferEntry:
    """Store one 转账登记 entry and its audit event (the caller checked and locked)."""
    entry = TransferEntry.objects.create(case=case, amount=amount, **payee)
    audit.record(
        actor=actor,
        action="returns.transfer_register",
        obj=entry,
        after={"case": case.number, "amount": entry.amount},
    )
    return entry


@transaction.atomic
def transfer_register(
    *, actor: Any, case: ReturnCase, amount: Any, payee: str, bank: str, account: str
) -> TransferEntry:
    """转账登记 — 银行转账客户登记 (AS-8, [004] 银行转账明细表): money owed to the customer on a
    case (a price difference paid back, a freight refund recorded after the refund…) to be paid by
    bank transfer and tracked until paid.

    The registered transfers of a case never exceed what its ledger owes the customer
    (``rules.ledger_totals(...).to_customer``); a cancelled case takes none.
    """
    require_perm(actor, CHANGE)
    case = lock(case)
    if case.stage == Stage.CANCELLED:
        raise DomainError("case_closed", "退换货单已取消，不能登记转账", status=409)
    value = money(amount, "amount", "金额")
    if value <= 0:
        raise DomainError("return_invalid", "金额必须大于0", fields={"amount": "必须大于0"})
    fields = transfer_payee(payee=payee, bank=bank, account=account)
    totals = rules.ledger_totals(case.ledger.values_list("kind", "amount"))
    registered = case.transfers.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    open_amount = max(totals.to_customer - registered, Decimal("0")).quantize(Decimal("0.01"))
    if value > open_amount:
        message = f"转账金额超过应付客户的金额（尚可登记 {open_amount} 元，请先在台账登记应付款项）"
        raise DomainError("transfer_exceeds", message, fields={"amount": message})
    return transfer_write(actor=actor, case=case, amount=value, payee=fields)


@transaction.atomic
def transfer_mark_paid(
    *, actor: Any, transfer: TransferEntry, paid_on: dt.date | None, reference: str = ""
) -> TransferEntry:
    """已转账 — a bank-transfer refund was paid (the 转账登记 entry is closed)."""
    require_perm(actor, CHANGE)
    transfer = TransferEntry.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status == TransferStatus.PAID:
        raise DomainError("transfer_paid", "该笔转账已登记为已转账", status=409)
    day = paid_on or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError(
            "return_invalid", "转账日期不能晚于今天", fields={"paid_on": "不能晚于今天"}
        )
    transfer.status = TransferStatus.PAID
    transfer.paid_on = day
    transfer.paid_by = actor
    transfer.reference = text(reference, "reference", "转账流水号", max_length=60)
    transfer.save()
    audit.record(
        actor=actor,
        action="returns.transfer_paid",
        object_type=OBJECT_TYPE,
        object_id=transfer.case_id,
        after={"transfer": transfer.pk, "amount": transfer.amount, "paid_on": day},
    )
    return transfer


@transaction.atomic
def returncase_export_record(*, actor: Any, count: int, filters: dict[str, Any]) -> None:
    """Record that a 退换货单 list left the system as a file (SEC-1, SEC-3)."""
    require_perm(actor, EXPORT)
    audit.record(
        actor=actor,
        action="returns.export",
        object_type=OBJECT_TYPE,
        after={"count": count, "filters": filters},
    )
