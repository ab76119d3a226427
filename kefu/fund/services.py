"""部门基金 writes (PERF-7) — the only path that changes fund lines besides the fines that the
incident ledger books through ``kefu.fund.fines``.

活动支出 (spending on team activities): the requester asks (``fund_spending_request``: a pending
line, the approval chain ``fund_spending`` started with the amount as its fact — ≤500 元 the
department head, above that up to the 总经理, nobody skipped); each approver decides in turn
(``fund_spending_decide``); on final approval the line becomes effective and counts in the balance.
The fund may never go negative: a spending larger than what is left (balance less the spendings
still in approval) is refused when asked and again at the final approval. ``fund_spending_cancel``
withdraws a request still in approval. 其他收入 (``fund_income_record``) is effective at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.org.approval_flow import approval_cancel, approval_decide, approval_start
from kefu.org.models import Department, Employee
from kefu.org.selectors import employee_of

from . import selectors
from .choices import FundEntryKind, FundEntryStatus
from .models import FundEntry

APPROVAL_KIND = "fund_spending"
MAX_AMOUNT = Decimal("9999999999.99")
_FIELDS = ("department", "day", "kind", "amount", "description", "status", "reject_reason")


def _snapshot(entry: FundEntry) -> dict[str, Any]:
    return audit.snapshot(entry, _FIELDS)


def _link(entry: FundEntry) -> str:
    return reverse("fund:entry_detail", args=[entry.pk])


def _yuan(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _me(actor: Any) -> Employee:
    me = employee_of(actor)
    if me is None or not me.is_active:
        raise PermissionDeniedError("只有在职员工可以申请部门基金支出", code="fund_not_employee")
    return me


def _amount(value: Any) -> Decimal:
    """A positive amount in yuan with at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise DomainError("fund_amount_invalid", "请输入金额", fields={"amount": "请输入金额"})
    if amount <= 0:
        raise DomainError(
            "fund_amount_invalid", "金额必须大于0", fields={"amount": "金额必须大于0"}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(
            "fund_amount_invalid", "金额最多2位小数", fields={"amount": "金额最多2位小数"}
        )
    if amount > MAX_AMOUNT:
        raise DomainError("fund_amount_invalid", "金额过大", fields={"amount": "金额过大"})
    return amount


def _description(value: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(
            "fund_description_required", f"请填写{label}", fields={"description": f"请填写{label}"}
        )
    return text[:200]


def _day(day: dt.date) -> dt.date:
    if day > timezone.localdate():
        raise DomainError("fund_future_day", "日期不能晚于今天", fields={"day": "日期不能晚于今天"})
    return day


def _department(actor: Any, department: Department, perm: str) -> Department:
    """Lock the department (its fund's writes run one at a time) after checking the actor's
    right and scope: one may only act on a fund one may read."""
    if not actor.has_perm(perm):
        raise PermissionDeniedError()
    if not selectors.fund_can_read(actor, department.pk):
        raise PermissionDeniedError("只能操作本部门的部门基金", code="fund_other_department")
    return Department.objects.select_for_update().get(pk=department.pk)


def _check_funds(department_id: int, amount: Decimal, *, with_pending: bool) -> None:
    """Refuse a spending the fund cannot pay. When asked, the other spendings still in approval
    are set aside first; at the final approval only what has been spent counts."""
    balance = selectors.fund_balance(department_id)
    pending = selectors.fund_pending_spending(department_id) if with_pending else Decimal(0)
    available = balance + pending
    if amount > available:
        detail = f"当前余额{_yuan(balance)}"
        if pending:
            detail += f"，其他待审批支出{_yuan(-pending)}"
        raise DomainError(
            "fund_insufficient",
            f"部门基金余额不足：{detail}，可用{_yuan(max(available, Decimal(0)))}，"
            f"本次支出{_yuan(amount)}，支出后余额不能为负",
            fields={"amount": f"超出可用余额{_yuan(max(available, Decimal(0)))}"},
            status=409,
        )


@transaction.atomic
def fund_spending_request(
    *,
    actor: Any,
    department: Department,
    day: dt.date,
    amount: Decimal,
    description: str,
) -> FundEntry:
    """申请支出 — ask to spend the department fund on a team activity: a pending line and the
    approval chain ``fund_spending`` with the amount as its fact (the first approver is told)."""
    dept = _department(actor, department, selectors.REQUEST_SPENDING)
    me = _me(actor)
    value = _amount(amount)
    text = _description(description, "支出事由")
    _day(day)
    _check_funds(dept.pk, value, with_pending=True)
    entry = FundEntry.objects.create(
        department=dept,
        day=day,
        kind=FundEntryKind.SPENDING,
        amount=-value,
        description=text,
        status=FundEntryStatus.PENDING,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record(actor=actor, action="fund.spending_request", obj=entry, after=_snapshot(entry))
    approval_start(
        subject=entry,
        kind=APPROVAL_KIND,
        applicant=me,
        title=f"部门基金支出：{dept.name} {_yuan(value)} {text}",
        link=_link(entry),
        on=day,
        amount=value,
    )
    return entry


def _locked(entry: FundEntry) -> FundEntry:
    return FundEntry.objects.select_for_update().select_related("department").get(pk=entry.pk)


@transaction.atomic
def fund_spending_decide(
    *, actor: Any, entry: FundEntry, approve: bool, reason: str = ""
) -> FundEntry:
    """审批 a spending: the current approver's 同意 passes it on (or, at the last level, makes it
    effective — 已入账 — if the fund still covers it); 驳回 (a reason required) ends it."""
    Department.objects.select_for_update().filter(pk=entry.department_id).first()
    entry = _locked(entry)
    if entry.kind != FundEntryKind.SPENDING or entry.status != FundEntryStatus.PENDING:
        raise ConflictError("fund_not_pending", "该支出申请不在审批中")
    before = _snapshot(entry)
    outcome = approval_decide(actor=actor, subject=entry, approve=approve, comment=reason)
    if outcome == "approved":
        _check_funds(entry.department_id, -entry.amount, with_pending=False)
        entry.status = FundEntryStatus.EFFECTIVE
        entry.decided_at = timezone.now()
        entry.save(update_fields=["status", "decided_at"])
        audit.record(
            actor=actor,
            action="fund.spending_approve",
            obj=entry,
            before=before,
            after=_snapshot(entry),
        )
    elif outcome == "rejected":
        entry.status = FundEntryStatus.REJECTED
        entry.decided_at = timezone.now()
        entry.reject_reason = (reason or "").strip()[:500]
        entry.save(update_fields=["status", "decided_at", "reject_reason"])
        audit.record(
            actor=actor,
            action="fund.spending_reject",
            obj=entry,
            before=before,
            after=_snapshot(entry),
            reason=entry.reject_reason,
        )
    return entry


@transaction.atomic
def fund_spending_cancel(*, actor: Any, entry: FundEntry, reason: str = "") -> FundEntry:
    """撤回 a spending still in approval — only its requester may."""
    entry = _locked(entry)
    if entry.kind != FundEntryKind.SPENDING or entry.created_by_id != getattr(actor, "pk", None):
        raise PermissionDeniedError("只有申请人可以撤回支出申请", code="fund_not_requester")
    if entry.status != FundEntryStatus.PENDING:
        raise ConflictError("fund_not_pending", "该支出申请不在审批中，不能撤回")
    before = _snapshot(entry)
    approval_cancel(actor=actor, subject=entry, reason=reason or "申请人撤回")
    entry.status = FundEntryStatus.CANCELLED
    entry.decided_at = timezone.now()
    entry.save(update_fields=["status", "decided_at"])
    audit.record(
        actor=actor,
        action="fund.spending_cancel",
        obj=entry,
        before=before,
        after=_snapshot(entry),
        reason=(reason or "")[:200],
    )
    return entry


@transaction.atomic
def fund_income_record(
    *,
    actor: Any,
    department: Department,
    day: dt.date,
    amount: Decimal,
    description: str,
) -> FundEntry:
    """登记收入 — other income of the fund (a donation, what is left of an activity…): effective
    at once."""
    dept = _department(actor, department, selectors.RECORD_INCOME)
    value = _amount(amount)
    text = _description(description, "收入说明")
    _day(day)
    entry = FundEntry.objects.create(
        department=dept,
        day=day,
        kind=FundEntryKind.INCOME,
        amount=value,
        description=text,
        status=FundEntryStatus.EFFECTIVE,
        created_by=actor,
        created_at=timezone.now(),
        decided_at=timezone.now(),
    )
    audit.record(actor=actor, action="fund.income_record", obj=entry, after=_snapshot(entry))
    return entry
