"""Ledger services — 差价与运费台账、转账登记 (AS-8, AS-9) and the audited Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import DomainError

from ..choices import LedgerKind, TransferStatus
from ..models import ReturnCase, ReturnLedgerEntry, TransferEntry
from ..roles import CHANGE, EXPORT
from .common import OBJECT_TYPE, money, require_perm, text


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
