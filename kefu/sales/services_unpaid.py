"""Unpaid-order writes — 未付款订单与催付 (seed 000 奖惩·处分 5, PERF-6): the only write path.

* ``unpaid_order_enter`` — 登记未付款订单 by hand (the agent or the 组长 and above in scope).
* ``unpaid_rows_apply`` — the order export's 等待买家付款 rows become unpaid orders, a paid row
  marks its order 已付款 and a 交易关闭 row closes it (called inside ``services.sales_import``).
* ``unpaid_chase`` — 登记催付 (time, 方式, 备注); ``unpaid_mark_paid`` — 标记已付款.
* ``unpaid_check`` — 检查超时未催付: every order whose first hour passed unchased (``chasing``)
  gets a *proposed* ledger line ``unpaid_order_not_chased`` (抽查一次扣5元: the 组长 confirms or
  rejects it in 奖惩台账) for its agent; idempotent by evidence ``sales.unpaid:<订单号>``. Run daily
  (``tasks.unpaid_check_daily_task``), on demand, and by the sales close preparer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import SHANGHAI
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import BackgroundJob
from kefu.core.xlsx import ImportRow, RowError
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee
from kefu.performance.choices import IncidentSource
from kefu.performance.models import Incident
from kefu.performance.services.booking import incident_book

from . import chasing, rules
from .choices import ChaseChannel, LineSource, UnpaidStatus
from .models import ChaseRecord, SalesLine, UnpaidOrder
from .policy import sales_policy
from .selectors import visible_employees
from .selectors_unpaid import (
    ADD_UNPAID,
    CHASE_UNPAID,
    CHECK_UNPAID,
    VIEW_UNPAID,
    DutyIndex,
    late_q,
)

RULE_CODE = "unpaid_order_not_chased"  # performance catalogue: 未付款订单拍下后一小时内没催付
EVIDENCE_PREFIX = "sales.unpaid:"
MAX_MONEY = Decimal("9999999999.99")


def _require(actor: Any, perm: str) -> None:
    if not (actor and actor.is_authenticated and actor.has_perm(perm)):
        raise PermissionDeniedError()


def _in_scope(actor: Any, agent: Employee) -> None:
    if not visible_employees(actor, VIEW_UNPAID).filter(pk=agent.pk).exists():
        raise PermissionDeniedError("只能处理本人或您管理范围内客服的订单")


def deadline_for(placed_at: dt.datetime) -> dt.datetime:
    """催付时限 with the window of the policy in force on the day the order was placed."""
    day = placed_at.astimezone(SHANGHAI).date()
    return chasing.chase_deadline(placed_at, sales_policy(day).unpaid_chase_minutes)


def _snapshot(order: UnpaidOrder) -> dict[str, Any]:
    return {
        "order_no": order.order_no,
        "agent": order.agent_id,
        "placed_at": order.placed_at.isoformat(),
        "status": order.status,
        "chased_at": order.chased_at.isoformat() if order.chased_at else None,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
    }


# --- 登记 ---------------------------------------------------------------------------------------
@transaction.atomic
def unpaid_order_enter(
    *,
    actor: Any,
    agent: Employee,
    order_no: str,
    placed_at: dt.datetime,
    amount: Decimal = Decimal(0),
    items: str = "",
    customer_name: str = "",
) -> UnpaidOrder:
    """登记未付款订单 — an order of ``agent`` waiting for payment, entered by hand; audited."""
    _require(actor, ADD_UNPAID)
    _in_scope(actor, agent)
    if agent.status != EmployeeStatus.ACTIVE:
        raise DomainError("employee_inactive", "该员工已离职", fields={"agent": "已离职"})
    order_no = (order_no or "").strip()
    if not order_no or len(order_no) > 40:
        raise DomainError("order_no", "请填写订单号（不超过40个字符）", fields={"order_no": "必填"})
    if timezone.is_naive(placed_at):
        placed_at = placed_at.replace(tzinfo=SHANGHAI)
    if placed_at > timezone.now():
        raise DomainError(
            "future_time", "拍下时间不能晚于现在", fields={"placed_at": "不能晚于现在"}
        )
    amount = Decimal(amount)
    if amount < 0 or amount > MAX_MONEY:
        raise DomainError("amount", "金额不能为负数或过大", fields={"amount": "不正确"})
    if UnpaidOrder.objects.filter(order_no=order_no).exists():
        raise ConflictError("unpaid_exists", f"订单 {order_no} 已登记为未付款订单")
    if SalesLine.objects.filter(order_no=order_no).exists():
        raise ConflictError("order_paid", f"订单 {order_no} 已在销售日报中（已付款），无需催付")
    order = UnpaidOrder.objects.create(
        order_no=order_no,
        agent=agent,
        placed_at=placed_at,
        deadline=deadline_for(placed_at),
        amount=rules.round_yuan(amount),
        items=(items or "").strip()[:200],
        customer_name=(customer_name or "").strip()[:60],
        source=LineSource.MANUAL,
        created_by=actor,
    )
    audit.record(actor=actor, action="sales.unpaid_enter", obj=order, after=_snapshot(order))
    return order


# --- 导入（由 services.sales_import 调用） ---------------------------------------------------------
@dataclass
class UnpaidApplied:
    """What the export did to the unpaid orders."""

    created: int = 0
    paid: int = 0
    closed: int = 0


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=SHANGHAI) if timezone.is_naive(moment) else moment


def unpaid_row_errors(row: ImportRow, agents: list[Employee], on_duty: list[Employee]) -> str:
    """Why an unpaid row cannot be given an agent ("" when it can): the 工号 in 备注 wins; without
    one, the single customer-service agent on duty when the order was placed."""
    if len(agents) > 1:
        return f"备注中有多个工号（{'、'.join(e.employee_no for e in agents)}），无法确定客服"
    if agents:
        return ""
    if not on_duty:
        return "备注中没有工号，拍下时也没有当班客服（已发布的排班），请在备注中写明工号"
    if len(on_duty) > 1:
        listed = "、".join(e.employee_no for e in on_duty)
        return f"备注中没有工号，拍下时当班客服有 {len(on_duty)} 人（{listed}），请在备注中写明工号"
    return ""


def unpaid_rows_apply(
    *,
    actor: Any,
    unpaid: list[tuple[ImportRow, Employee]],
    paid: list[ImportRow],
    closed: list[ImportRow],
    job: BackgroundJob | None,
) -> UnpaidApplied:
    """Write the export's effect on unpaid orders (the caller holds the transaction and has
    checked every row). An order already stored is not changed by a 等待买家付款 row again."""
    result = UnpaidApplied()
    numbers = {r.values["order_no"] for r, _ in unpaid} | {
        r.values["order_no"] for r in (*paid, *closed)
    }
    known = {o.order_no: o for o in UnpaidOrder.objects.filter(order_no__in=numbers)}
    grouped: dict[str, tuple[ImportRow, Employee, Decimal, list[str]]] = {}
    for row, agent in unpaid:
        number = row.values["order_no"]
        amount = row.values.get("amount")
        if amount is None:
            amount = (row.values.get("unit_price") or Decimal(0)) * row.values["quantity"]
        if number in grouped:
            first, who, total, names = grouped[number]
            grouped[number] = (first, who, total + amount, [*names, row.values["item"]])
        else:
            grouped[number] = (row, agent, amount, [row.values["item"]])
    for number, (row, agent, total, names) in grouped.items():
        if number in known:
            continue
        placed = _aware(row.values["placed_at"])
        order = UnpaidOrder.objects.create(
            order_no=number,
            agent=agent,
            placed_at=placed,
            deadline=deadline_for(placed),
            amount=rules.round_yuan(min(total, MAX_MONEY)),
            items="、".join(names)[:200],
            customer_name=row.values.get("customer_name", "")[:60],
            source=LineSource.IMPORT,
            import_job=job,
            created_by=actor,
        )
        known[number] = order
        result.created += 1
    for rows, status in ((paid, UnpaidStatus.PAID), (closed, UnpaidStatus.CLOSED)):
        for row in rows:
            order = known.get(row.values["order_no"])
            if order is None or order.status != UnpaidStatus.WAITING:
                continue
            before = _snapshot(order)
            if status == UnpaidStatus.PAID:
                moment = row.values.get("paid_moment")
                order.paid_at = _aware(moment) if moment else timezone.now()
                result.paid += 1
            else:
                order.closed_at = timezone.now()
                result.closed += 1
            order.status = status
            order.save(update_fields=["status", "paid_at", "closed_at", "updated_at"])
            audit.record(
                actor=actor,
                action="sales.unpaid_import_status",
                obj=order,
                before=before,
                after=_snapshot(order),
            )
    return result


def unpaid_rows_resolve(
    rows: list[tuple[ImportRow, list[Employee]]], scope: QuerySet[Employee]
) -> tuple[list[RowError], list[tuple[ImportRow, Employee]]]:
    """The 等待买家付款 rows with their agent, or the row errors (agent, 拍下时间 in the future).
    The duty roster is read once for every row without a 工号."""
    days = {_aware(r.values["placed_at"]).astimezone(SHANGHAI).date() for r, a in rows if not a}
    duty = DutyIndex(scope, days)
    errors: list[RowError] = []
    resolved: list[tuple[ImportRow, Employee]] = []
    now = timezone.now()
    for row, agents in rows:
        placed = _aware(row.values["placed_at"])
        if placed > now:
            errors.append(RowError(row.line, "拍下时间", "拍下时间不能晚于现在"))
            continue
        on_duty = [] if agents else duty.agents_at(placed)
        message = unpaid_row_errors(row, agents, on_duty)
        if message:
            errors.append(RowError(row.line, "备注", message))
        else:
            resolved.append((row, (agents or on_duty)[0]))
    return errors, resolved


# --- 催付 ---------------------------------------------------------------------------------------
@transaction.atomic
def unpaid_chase(
    *,
    actor: Any,
    order: UnpaidOrder,
    channel: str,
    chased_at: dt.datetime | None = None,
    note: str = "",
) -> ChaseRecord:
    """登记催付 — the agent (or a 组长 and above in scope) records a chasing: time (now by
    default; not before 拍下时间, not in the future), 方式, 备注. 无需催付 records that the buyer
    has another paid order (seed: 首先检查买家是否有已付款订单)."""
    _require(actor, CHASE_UNPAID)
    order = UnpaidOrder.objects.select_for_update().get(pk=order.pk)
    _in_scope(actor, order.agent)
    if order.status != UnpaidStatus.WAITING:
        raise ConflictError("not_waiting", f"订单{order.get_status_display()}，不需要再催付")
    if channel not in ChaseChannel.values:
        raise DomainError("channel", "请选择催付方式", fields={"channel": "请选择"})
    now = timezone.now()
    moment = chased_at or now
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=SHANGHAI)
    if moment > now + dt.timedelta(minutes=1):
        raise DomainError(
            "future_time", "催付时间不能晚于现在", fields={"chased_at": "不能晚于现在"}
        )
    if moment < order.placed_at:
        raise DomainError(
            "before_placed", "催付时间不能早于拍下时间", fields={"chased_at": "早于拍下时间"}
        )
    before = _snapshot(order)
    record = ChaseRecord.objects.create(
        order=order,
        chased_at=min(moment, now),
        channel=channel,
        note=(note or "").strip()[:200],
        recorded_by=actor,
    )
    if order.chased_at is None or record.chased_at < order.chased_at:
        order.chased_at = record.chased_at
        order.save(update_fields=["chased_at", "updated_at"])
    audit.record(
        actor=actor,
        action="sales.unpaid_chase",
        obj=order,
        before=before,
        after={**_snapshot(order), "channel": channel, "note": record.note},
    )
    return record


@transaction.atomic
def unpaid_mark_paid(
    *, actor: Any, order: UnpaidOrder, paid_at: dt.datetime | None = None
) -> UnpaidOrder:
    """标记已付款 — the buyer paid (the next order export does the same)."""
    _require(actor, CHASE_UNPAID)
    order = UnpaidOrder.objects.select_for_update().get(pk=order.pk)
    _in_scope(actor, order.agent)
    if order.status != UnpaidStatus.WAITING:
        raise ConflictError("not_waiting", f"订单{order.get_status_display()}，不能标记已付款")
    now = timezone.now()
    moment = paid_at or now
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=SHANGHAI)
    if moment > now or moment < order.placed_at:
        raise DomainError(
            "paid_time", "付款时间须在拍下时间与现在之间", fields={"paid_at": "不正确"}
        )
    before = _snapshot(order)
    order.status, order.paid_at = UnpaidStatus.PAID, moment
    order.save(update_fields=["status", "paid_at", "updated_at"])
    audit.record(
        actor=actor, action="sales.unpaid_paid", obj=order, before=before, after=_snapshot(order)
    )
    return order


# --- 检查超时未催付 -------------------------------------------------------------------------------
@dataclass
class CheckResult:
    """检查超时未催付的结果."""

    proposed: int = 0

    @property
    def summary(self) -> str:
        return f"超时未催付：新生成奖惩提议 {self.proposed} 条（待组长抽查确认）"


@transaction.atomic
def unpaid_check(*, actor: Any, now: dt.datetime | None = None) -> CheckResult:
    """检查超时未催付 — propose ``unpaid_order_not_chased`` (待确认) for the agent of every order
    whose first hour passed unchased; each order once (its ``incident``), a proposal rejected in
    the ledger is never proposed again. ``actor`` None is the system (daily run, close)."""
    if actor is not None:
        _require(actor, CHECK_UNPAID)
    now = now or timezone.now()
    result = CheckResult()
    due = (
        UnpaidOrder.objects.select_for_update(of=("self",))
        .filter(late_q(now), incident__isnull=True)
        .select_related("agent")
        .order_by("placed_at", "pk")
    )
    for order in due:
        handled = (order.chased_at, order.paid_at, order.closed_at)
        if not chasing.missed_chase(deadline=order.deadline, handled=handled, now=now):
            continue  # pragma: no cover - the filter and the rule agree (tested)
        placed = order.placed_at.astimezone(SHANGHAI)
        ref = f"{EVIDENCE_PREFIX}{order.order_no}"
        booked = Incident.objects.filter(
            source=IncidentSource.SALES, evidence_ref=ref, reverses__isnull=True
        ).first()
        if booked is not None:  # proposed before (even if rejected since): link, never again
            order.incident = booked
            order.save(update_fields=["incident", "updated_at"])
            continue
        incident = incident_book(
            actor=actor,
            employee=order.agent,
            day=placed.date(),
            rule_code=RULE_CODE,
            source=IncidentSource.SALES,
            evidence_ref=ref,
            evidence_link=f"{reverse('sales:unpaid_list')}?q={order.order_no}",
            description=f"未付款订单 {order.order_no}：{placed:%Y-%m-%d %H:%M} 拍下，"
            f"{order.deadline.astimezone(SHANGHAI):%H:%M} 前未催付（抽查）",
            confirm=False,
        )
        order.incident = incident
        order.save(update_fields=["incident", "updated_at"])
        result.proposed += 1
    if result.proposed:
        audit.record(
            actor=actor,
            action="sales.unpaid_check",
            object_type="sales.unpaidorder",
            object_id=f"{now:%Y-%m-%d %H:%M}",
            after={"proposed": result.proposed},
        )
    return result
