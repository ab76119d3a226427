"""Sales writes — 销售日报、询单数与销售排名奖励 (PERF-1, PERF-2, PERF-3): the only write path.

* ``sales_report_enter`` — 填写销售日报: one order of an agent's day, item by item (手工).
* ``sales_import`` / ``sales_import_submit`` — 导入订单: the shop's order export, every row or
  none, in a background job; the agent is the 工号 written in the order remarks; a (订单号, 商品)
  already stored is skipped, so importing the same export twice adds nothing.
* ``inquiry_record`` / ``inquiries_record`` — 登记询单数 (the chat tool's count, source 导入).
* ``inquiry_freeze_tickets`` — the month's counts of 咨询 tickets stored (source 工单统计), so a
  closed month's conversion no longer moves when a ticket is re-classified.
* ``sales_awards_book`` — 销售排名奖励入账: top seller and 回访部 awards booked in the incident
  ledger (idempotent); an award whose winner changed since is reversed. Periods not yet ended and
  awards of ¥0 (亚军 while the policy sets none) are not booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kefu.core import audit
from kefu.core.choices import JobKind
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.jobs import job_submit
from kefu.core.models import BackgroundJob
from kefu.core.xlsx import ImportResult, ImportRow, RowError
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee
from kefu.performance.choices import IncidentSource, IncidentStatus
from kefu.performance.models import Incident
from kefu.performance.periods import (
    ensure_month_open,
    locked_months,
    month_end,
    month_start,
)
from kefu.performance.services.booking import incident_book, incident_reverse

from . import orderfile, rules, services_unpaid
from .choices import InquirySource, LineSource
from .models import InquiryCount, SalesLine
from .selectors import (
    ADD_INQUIRY,
    ADD_LINE,
    IMPORT_LINE,
    VIEW_INQUIRY,
    VIEW_LINE,
    month_awards,
    ticket_inquiries,
    visible_employees,
)

MAX_ITEMS = 20
MAX_MONEY = Decimal("9999999999.99")


def _require(actor: Any, perm: str) -> None:
    if not (actor and actor.is_authenticated and actor.has_perm(perm)):
        raise PermissionDeniedError()


def _agent_in_scope(actor: Any, agent: Employee, perm: str) -> None:
    if not visible_employees(actor, perm).filter(pk=agent.pk).exists():
        raise PermissionDeniedError("只能为本人或您管理范围内的员工登记")


def _check_day(day: dt.date, field: str = "day") -> None:
    if day > timezone.localdate():
        raise DomainError("future_day", "日期不能晚于今天", fields={field: "不能晚于今天"})
    ensure_month_open(month_start(day))


# --- 销售日报：手工 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemIn:
    """One item of an entered order: 商品, 数量, 单价 (金额 = 数量 × 单价)."""

    item: str
    quantity: int
    unit_price: Decimal


@transaction.atomic
def sales_report_enter(
    *,
    actor: Any,
    agent: Employee,
    day: dt.date,
    order_no: str,
    items: Sequence[ItemIn],
    customer_name: str = "",
    remarks: str = "",
) -> list[SalesLine]:
    """填写销售日报 — one order of ``agent`` on ``day`` (手工); audited."""
    _require(actor, ADD_LINE)
    _agent_in_scope(actor, agent, VIEW_LINE)
    if agent.status != EmployeeStatus.ACTIVE:
        raise DomainError("employee_inactive", "该员工已离职", fields={"agent": "已离职"})
    _check_day(day)
    order_no = (order_no or "").strip()
    if not order_no or len(order_no) > 40:
        raise DomainError("order_no", "请填写订单号（不超过40个字符）", fields={"order_no": "必填"})
    if not items:
        raise DomainError("no_items", "请至少填写一项商品", fields={"items": "请填写商品"})
    if len(items) > MAX_ITEMS:
        raise DomainError("too_many_items", f"一张订单最多 {MAX_ITEMS} 项商品")
    names = [i.item.strip() for i in items]
    for it, name in zip(items, names, strict=True):
        if not name or len(name) > 120:
            raise DomainError("item", "请填写商品名称（不超过120个字符）", fields={"items": "商品"})
        if it.quantity <= 0 or it.unit_price < 0 or it.quantity * it.unit_price > MAX_MONEY:
            raise DomainError(
                "item_amount",
                "数量须为正整数，单价不能为负数",
                fields={"items": "数量或单价不正确"},
            )
    if len(set(names)) != len(names):
        raise DomainError("item_duplicate", "同一订单的商品不能重复填写", fields={"items": "重复"})
    taken = list(
        SalesLine.objects.filter(order_no=order_no, item__in=names).values_list("item", flat=True)
    )
    if taken:
        raise DomainError(
            "line_exists",
            f"订单 {order_no} 的商品“{taken[0]}”已登记，不能重复登记",
            fields={"order_no": "该订单已登记"},
            status=409,
        )
    lines = SalesLine.objects.bulk_create(
        [
            SalesLine(
                agent=agent,
                day=day,
                order_no=order_no,
                item=name,
                quantity=it.quantity,
                unit_price=rules.round_yuan(it.unit_price),
                amount=rules.round_yuan(it.unit_price * it.quantity),
                customer_name=(customer_name or "").strip()[:60],
                remarks=(remarks or "").strip()[:200],
                source=LineSource.MANUAL,
                created_by=actor,
            )
            for it, name in zip(items, names, strict=True)
        ]
    )
    audit.record(
        actor=actor,
        action="sales.report_enter",
        object_type="sales.salesline",
        object_id=order_no,
        after={
            "agent": agent.employee_no,
            "day": day.isoformat(),
            "order_no": order_no,
            "items": [[ln.item, ln.quantity, str(ln.amount)] for ln in lines],
        },
    )
    return lines


# --- 导入订单 -------------------------------------------------------------------------------------
def _line_from_row(row: ImportRow) -> tuple[int, Decimal, Decimal]:
    quantity = int(row.values["quantity"])
    price, amount = row.values.get("unit_price"), row.values.get("amount")
    if amount is None:
        amount = price * quantity
    if price is None:
        price = amount / quantity
    return quantity, rules.round_yuan(price), rules.round_yuan(amount)


@dataclass
class OrderImportResult(ImportResult):
    """导入订单的结果: the sales lines and what happened to the unpaid orders."""

    unpaid_created: int = 0
    unpaid_paid: int = 0
    unpaid_closed: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            **super().as_json(),
            "unpaid": {
                "created": self.unpaid_created,
                "paid": self.unpaid_paid,
                "closed": self.unpaid_closed,
            },
        }


def _sale_row_error(row: ImportRow, today: dt.date, locked: set[dt.date]) -> RowError | None:
    day = row.values["paid_at"]
    if day > today:
        return RowError(row.line, "付款时间", "付款时间不能晚于今天")
    if month_start(day) in locked:
        return RowError(row.line, "付款时间", f"{day:%Y年%m月}已月结，不能再导入")
    return None


@transaction.atomic
def sales_import(
    *,
    actor: Any,
    rows: list[ImportRow],
    job: BackgroundJob | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OrderImportResult:
    """导入订单 — all rows or none. Row errors (第N行 + column) come back in the result and
    nothing is written; (订单号, 商品) already stored are skipped (counted as unchanged).

    Rows of status 等待买家付款 become unpaid orders (the agent from the 工号 in 备注, else the one
    agent on duty when it was placed); a paid row marks its unpaid order 已付款, a 交易关闭 row
    closes it (``services_unpaid``)."""
    _require(actor, IMPORT_LINE)
    today = timezone.localdate()
    locked = locked_months()
    numbers = {n for r in rows for n in orderfile.employee_numbers_in(r.values.get("remarks", ""))}
    scope = visible_employees(actor, VIEW_LINE)
    people = {
        e.employee_no.upper(): e
        for e in scope.filter(employee_no__in=numbers | {n.lower() for n in numbers})
    }
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    ready: list[tuple[ImportRow, Employee]] = []
    unpaid: list[tuple[ImportRow, list[Employee]]] = []
    closed: list[ImportRow] = []
    for row in rows:
        for key, message in row.errors.items():
            errors.append(RowError(row.line, orderfile.LABELS[key], message))
        if row.errors:
            continue
        if len(row.values["order_no"]) > 40 or len(row.values["item"]) > 120:
            errors.append(RowError(row.line, "订单号", "订单号或商品名称过长"))
            continue
        found = [
            people[n] for n in orderfile.employee_numbers_in(row.values["remarks"]) if n in people
        ]
        kind = row.values.get("kind", "sale")
        if kind == "closed":
            closed.append(row)
            continue
        if kind == "unpaid":
            unpaid.append((row, found))
            continue
        if not found:
            errors.append(
                RowError(row.line, "备注", "备注中没有找到工号，或该工号不在您的管理范围内")
            )
            continue
        if len(found) > 1:
            listed = "、".join(e.employee_no for e in found)
            errors.append(RowError(row.line, "备注", f"备注中有多个工号（{listed}），无法确定客服"))
            continue
        if (problem := _sale_row_error(row, today, locked)) is not None:
            errors.append(problem)
            continue
        key = (row.values["order_no"], row.values["item"])
        if key in seen:
            errors.append(RowError(row.line, "订单号", f"与第{seen[key]}行的订单号和商品重复"))
            continue
        seen[key] = row.line
        ready.append((row, found[0]))
    resolved: list[tuple[ImportRow, Employee]] = []
    if unpaid:
        problems, resolved = services_unpaid.unpaid_rows_resolve(unpaid, scope)
        errors += problems
    if errors:
        return OrderImportResult(errors=sorted(errors, key=lambda e: e.line))
    existing: set[tuple[str, str]] = set()
    orders = sorted({k[0] for k in seen})
    for offset in range(0, len(orders), 500):
        existing |= set(
            SalesLine.objects.filter(order_no__in=orders[offset : offset + 500]).values_list(
                "order_no", "item"
            )
        )
    new = []
    for row, agent in ready:
        key = (row.values["order_no"], row.values["item"])
        if key in existing:
            continue
        quantity, price, amount = _line_from_row(row)
        new.append(
            SalesLine(
                agent=agent,
                day=row.values["paid_at"],
                order_no=key[0],
                item=key[1],
                quantity=quantity,
                unit_price=price,
                amount=amount,
                customer_name=row.values.get("customer_name", "")[:60],
                remarks=row.values.get("remarks", "")[:200],
                source=LineSource.IMPORT,
                import_job=job,
                created_by=actor,
            )
        )
    total = len(new)
    if progress is not None:
        progress(0, total)
    for offset in range(0, total, 500):
        SalesLine.objects.bulk_create(new[offset : offset + 500])
        if progress is not None:
            progress(min(offset + 500, total), total)
    applied = services_unpaid.unpaid_rows_apply(
        actor=actor,
        unpaid=resolved,
        paid=[r for r, _ in ready],
        closed=closed,
        job=job,
    )
    result = OrderImportResult(
        created=total,
        unchanged=len(ready) - total,
        unpaid_created=applied.created,
        unpaid_paid=applied.paid,
        unpaid_closed=applied.closed,
    )
    audit.record(
        actor=actor,
        action="sales.import",
        object_type="sales.salesline",
        object_id=job.pk if job else "",
        after={
            "rows": len(rows),
            "created": result.created,
            "unchanged": result.unchanged,
            "unpaid": result.as_json()["unpaid"],
        },
    )
    return result


def sales_import_submit(*, actor: Any, data: bytes, filename: str = "") -> BackgroundJob:
    """提交订单导入 — file-level checks now (under the field), the rows in a background job."""
    _require(actor, IMPORT_LINE)
    orderfile.read_rows(data)
    from .tasks import sales_import_task  # tasks imports the services

    return job_submit(
        actor=actor,
        kind=JobKind.SALES_IMPORT,
        payload=data,
        task=sales_import_task,
        description=filename,
    )


# --- 询单数 ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InquiryIn:
    """One count of the chat tool: 工号, 日期, 询单数."""

    employee_no: str
    day: dt.date
    count: int


def _store_inquiry(actor: Any, agent: Employee, day: dt.date, count: int) -> InquiryCount:
    row, created = InquiryCount.objects.get_or_create(
        agent=agent,
        day=day,
        source=InquirySource.IMPORT,
        defaults={"count": count, "updated_by": actor},
    )
    before = None if created else row.count
    if not created and row.count != count:
        row.count, row.updated_by = count, actor
        row.save(update_fields=["count", "updated_by", "updated_at"])
    audit.record(
        actor=actor,
        action="sales.inquiry_record",
        obj=row,
        before={"count": before},
        after={"agent": agent.employee_no, "day": day.isoformat(), "count": count},
    )
    return row


@transaction.atomic
def inquiry_record(*, actor: Any, agent: Employee, day: dt.date, count: int) -> InquiryCount:
    """登记询单数 — the chat tool's count of ``agent`` on ``day`` (replaces an earlier one)."""
    _require(actor, ADD_INQUIRY)
    _agent_in_scope(actor, agent, VIEW_INQUIRY)
    if count < 0 or count > 100_000:
        raise DomainError("count", "询单数须为 0～100000 的整数", fields={"count": "不正确"})
    _check_day(day)
    return _store_inquiry(actor, agent, day, count)


@transaction.atomic
def inquiries_record(*, actor: Any, items: Sequence[InquiryIn]) -> int:
    """登记多条询单数 (the chat tool's push) — all or none; errors name the item (第N条)."""
    _require(actor, ADD_INQUIRY)
    if not items or len(items) > 5000:
        raise DomainError("items", "请提供 1～5000 条询单数", fields={"items": "数量不正确"})
    numbers = {i.employee_no for i in items}
    people = {
        e.employee_no: e
        for e in visible_employees(actor, VIEW_INQUIRY).filter(employee_no__in=numbers)
    }
    locked, today = locked_months(), timezone.localdate()
    errors: dict[str, str] = {}
    for n, it in enumerate(items, start=1):
        if it.employee_no not in people:
            errors[f"items.{n}"] = f"第{n}条：工号不存在或不在您的管理范围内（{it.employee_no}）"
        elif not 0 <= it.count <= 100_000:
            errors[f"items.{n}"] = f"第{n}条：询单数须为 0～100000 的整数"
        elif it.day > today or month_start(it.day) in locked:
            errors[f"items.{n}"] = f"第{n}条：日期晚于今天或所在月份已月结"
    if errors:
        raise DomainError("inquiries_invalid", next(iter(errors.values())), fields=errors)
    for it in items:
        _store_inquiry(actor, people[it.employee_no], it.day, it.count)
    return len(items)


@transaction.atomic
def inquiry_freeze_tickets(*, actor: Any, month: dt.date) -> int:
    """询单数（工单统计）存档 — store the month's counts of 咨询 tickets per agent and day, as the
    close preparer does; replaces what was stored before. Returns the rows stored."""
    start = month_start(month)
    end = month_end(start)
    counts = ticket_inquiries(start, end)
    InquiryCount.objects.filter(day__gte=start, day__lte=end, source=InquirySource.TICKETS).delete()
    InquiryCount.objects.bulk_create(
        [
            InquiryCount(agent_id=a, day=d, count=n, source=InquirySource.TICKETS)
            for a, d, n in counts
        ]
    )
    audit.record(
        actor=actor,
        action="sales.inquiry_freeze",
        object_type="sales.inquirycount",
        object_id=f"{start:%Y-%m}",
        after={"rows": len(counts), "inquiries": sum(n for _, _, n in counts)},
    )
    return len(counts)


# --- 销售排名奖励 ---------------------------------------------------------------------------------
@dataclass
class AwardsResult:
    booked: int = 0
    reversed: int = 0

    @property
    def summary(self) -> str:
        text = f"销售排名奖励入账 {self.booked} 条"
        return text + (f"，冲销 {self.reversed} 条" if self.reversed else "")


@transaction.atomic
def sales_awards_book(*, month: dt.date, actor: Any) -> AwardsResult:
    """销售排名奖励入账 (PERF-3) — book the month's top seller and 回访部 awards whose period has
    ended; idempotent by evidence (``sales.top_seller:YYYY-MM:<id>``, ``sales.rv_monthly:YYYY-MM:
    <rank>:<id>``, ``sales.rv_weekly:YYYY-Www:<id>``). A booked award no longer deserved (late
    sales changed the ranking) is reversed."""
    start = month_start(month)
    today = timezone.localdate()
    awards = month_awards(start)
    due = [a for a in awards.all if a.day <= today and a.amount > 0]
    result = AwardsResult()
    for a in due:
        if a.booked or a.employee is None:
            continue
        incident_book(
            actor=actor,
            employee=a.employee,
            day=a.day,
            rule_code=a.rule_code,
            source=a.source,
            money=a.amount,
            evidence_ref=a.evidence_ref,
            description=f"{a.label}（{a.period}，销售额 ¥{a.sales:,.2f}"
            + (f"，连续 {a.streak} 个月" if a.kind == "top_seller" else "")
            + "）",
        )
        result.booked += 1
    keep = {a.evidence_ref for a in due}
    prefixes = [f"sales.top_seller:{start:%Y-%m}:", f"sales.rv_monthly:{start:%Y-%m}:"]
    prefixes += [f"sales.rv_weekly:{w.label}:" for w in rules.weeks_ending_in(start)]
    match = Q()
    for p in prefixes:
        match |= Q(evidence_ref__startswith=p)
    stale = (
        Incident.objects.filter(
            match,
            source__in=[IncidentSource.SALES, IncidentSource.RETURN_VISIT],
            reverses__isnull=True,
        )
        .exclude(status=IncidentStatus.REVOKED)
        .exclude(evidence_ref__in=keep)
    )
    for incident in stale:
        incident_reverse(actor=actor, incident=incident, reason="销售排名已变化，原奖励冲销")
        result.reversed += 1
    return result


def sales_close_prepare(month: dt.date, actor: object) -> str:
    """Close preparer (registered as "sales"): propose the 超时未催付 fines due (as the system:
    the close's actor may lack the check permission), store the month's ticket inquiry counts and
    book the rankings' awards before the month is reviewed and closed."""
    unpaid = services_unpaid.unpaid_check(actor=None)
    rows = inquiry_freeze_tickets(actor=actor, month=month)
    awards = sales_awards_book(month=month, actor=actor)
    return f"{awards.summary}；工单询单数存档 {rows} 条；{unpaid.summary}"
