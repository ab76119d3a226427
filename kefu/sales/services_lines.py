"""Sales-line corrections and the inquiry file — 销售明细更正/删除、询单数文件导入: write path.

* ``sales_line_correct`` / ``sales_line_delete`` — 更正 / 删除 a sales line, by whoever may enter
  it for that agent (``sales.add_salesline`` in scope), with a reason, audited (before/after).
  Refused once the line's month — or the month it would move to — is closed (月结 locks it: a
  closed month's commission never moves; a late correction is a new line in an open month).
* ``inquiry_import`` / ``inquiry_import_submit`` — the chat tool's counts as a file (日期, 工号,
  咨询量), all rows or none, in a background job; a count for the same agent and day replaces the
  earlier one (updated), an equal one is unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.choices import JobKind
from kefu.core.errors import ConflictError, DomainError
from kefu.core.jobs import job_submit
from kefu.core.models import BackgroundJob
from kefu.core.xlsx import ImportResult, ImportRow, RowError
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee
from kefu.performance.periods import ensure_month_open, locked_months, month_start

from . import inquiryfile, rules
from .choices import InquirySource
from .models import InquiryCount, SalesLine
from .selectors import ADD_INQUIRY, ADD_LINE, VIEW_INQUIRY, VIEW_LINE, visible_employees
from .services import MAX_MONEY, _agent_in_scope, _check_day, _require


def _line_snapshot(line: SalesLine) -> dict[str, Any]:
    return {
        "agent": line.agent_id,
        "day": line.day.isoformat(),
        "order_no": line.order_no,
        "item": line.item,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "amount": str(line.amount),
        "customer_name": line.customer_name,
        "remarks": line.remarks,
    }


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError("reason_required", "请填写更正或删除的理由", fields={"reason": "必填"})
    return text[:200]


@transaction.atomic
def sales_line_correct(
    *,
    actor: Any,
    line: SalesLine,
    reason: str,
    agent: Employee | None = None,
    day: dt.date | None = None,
    item: str | None = None,
    quantity: int | None = None,
    unit_price: Decimal | None = None,
    customer_name: str | None = None,
    remarks: str | None = None,
) -> SalesLine:
    """更正销售明细 — change what was entered or imported wrongly (None keeps a value); the
    amount is 数量 × 单价 again. Audited with the reason."""
    _require(actor, ADD_LINE)
    line = SalesLine.objects.select_for_update(of=("self",)).select_related("agent").get(pk=line.pk)
    _agent_in_scope(actor, line.agent, VIEW_LINE)
    text = _reason(reason)
    ensure_month_open(month_start(line.day))
    before = _line_snapshot(line)
    if agent is not None and agent.pk != line.agent_id:
        _agent_in_scope(actor, agent, VIEW_LINE)
        if agent.status != EmployeeStatus.ACTIVE:
            raise DomainError("employee_inactive", "该员工已离职", fields={"agent": "已离职"})
        line.agent = agent
    if day is not None and day != line.day:
        _check_day(day)
        line.day = day
    if item is not None:
        name = item.strip()
        if not name or len(name) > 120:
            raise DomainError("item", "请填写商品名称（不超过120个字符）", fields={"item": "必填"})
        if (
            name != line.item
            and SalesLine.objects.filter(order_no=line.order_no, item=name).exists()
        ):
            raise ConflictError("line_exists", f"订单 {line.order_no} 的商品“{name}”已登记")
        line.item = name
    if quantity is not None:
        line.quantity = quantity
    if unit_price is not None:
        line.unit_price = rules.round_yuan(unit_price)
    if line.quantity <= 0 or line.unit_price < 0 or line.quantity * line.unit_price > MAX_MONEY:
        raise DomainError(
            "item_amount",
            "数量须为正整数，单价不能为负数",
            fields={"quantity": "数量或单价不正确"},
        )
    line.amount = rules.round_yuan(line.unit_price * line.quantity)
    if customer_name is not None:
        line.customer_name = customer_name.strip()[:60]
    if remarks is not None:
        line.remarks = remarks.strip()[:200]
    after = _line_snapshot(line)
    if after == before:
        raise DomainError("unchanged", "没有修改任何内容")
    line.save()
    audit.record(
        actor=actor,
        action="sales.line_correct",
        obj=line,
        before=before,
        after=after,
        reason=text,
    )
    return line


@transaction.atomic
def sales_line_delete(*, actor: Any, line: SalesLine, reason: str) -> None:
    """删除销售明细 — a line entered or imported by mistake; audited with its content."""
    _require(actor, ADD_LINE)
    line = SalesLine.objects.select_for_update(of=("self",)).select_related("agent").get(pk=line.pk)
    _agent_in_scope(actor, line.agent, VIEW_LINE)
    text = _reason(reason)
    ensure_month_open(month_start(line.day))
    before = _line_snapshot(line)
    pk = line.pk
    line.delete()
    audit.record(
        actor=actor,
        action="sales.line_delete",
        object_type="sales.salesline",
        object_id=pk,
        before=before,
        reason=text,
    )


# --- 询单数文件导入 -------------------------------------------------------------------------------
@transaction.atomic
def inquiry_import(
    *,
    actor: Any,
    rows: list[ImportRow],
    job: BackgroundJob | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """导入询单数 — every row or none; row errors (第N行 + 列) come back in the result."""
    _require(actor, ADD_INQUIRY)
    numbers = {r.values.get("employee_no", "") for r in rows}
    people = {
        e.employee_no.upper(): e
        for e in visible_employees(actor, VIEW_INQUIRY).filter(
            employee_no__in=numbers | {n.lower() for n in numbers}
        )
    }
    locked, today = locked_months(), timezone.localdate()
    errors: list[RowError] = []
    seen: dict[tuple[int, dt.date], int] = {}
    ready: list[tuple[Employee, dt.date, int]] = []
    for row in rows:
        for key, message in row.errors.items():
            errors.append(RowError(row.line, inquiryfile.LABELS[key], message))
        if row.errors:
            continue
        agent = people.get(row.values["employee_no"])
        day = row.values["day"]
        if agent is None:
            errors.append(RowError(row.line, "工号", "工号不存在或不在您的管理范围内"))
        elif day > today:
            errors.append(RowError(row.line, "日期", "日期不能晚于今天"))
        elif month_start(day) in locked:
            errors.append(RowError(row.line, "日期", f"{day:%Y年%m月}已月结，不能再导入"))
        elif (agent.pk, day) in seen:
            errors.append(
                RowError(row.line, "工号", f"与第{seen[(agent.pk, day)]}行的工号和日期重复")
            )
        else:
            seen[(agent.pk, day)] = row.line
            ready.append((agent, day, row.values["count"]))
    if errors:
        return ImportResult(errors=errors)
    existing = {
        (x.agent_id, x.day): x
        for x in InquiryCount.objects.filter(
            source=InquirySource.IMPORT,
            agent_id__in={a.pk for a, _, _ in ready},
            day__in={d for _, d, _ in ready},
        )
    }
    new, changed, unchanged = [], [], 0
    for agent, day, count in ready:
        row = existing.get((agent.pk, day))
        if row is None:
            new.append(
                InquiryCount(
                    agent=agent, day=day, count=count, source=InquirySource.IMPORT, updated_by=actor
                )
            )
        elif row.count != count:
            row.count, row.updated_by, row.updated_at = count, actor, timezone.now()
            changed.append(row)
        else:
            unchanged += 1
    total = len(new) + len(changed)
    if progress is not None:
        progress(0, total)
    InquiryCount.objects.bulk_create(new, batch_size=500)
    InquiryCount.objects.bulk_update(changed, ["count", "updated_by", "updated_at"], batch_size=500)
    if progress is not None:
        progress(total, total)
    result = ImportResult(created=len(new), updated=len(changed), unchanged=unchanged)
    audit.record(
        actor=actor,
        action="sales.inquiry_import",
        object_type="sales.inquirycount",
        object_id=job.pk if job else "",
        after={"rows": len(rows), **{k: v for k, v in result.as_json().items() if k != "errors"}},
    )
    return result


def inquiry_import_submit(*, actor: Any, data: bytes, filename: str = "") -> BackgroundJob:
    """提交询单数导入 — file-level checks now (under the field), the rows in a background job."""
    _require(actor, ADD_INQUIRY)
    inquiryfile.read_rows(data)
    from .tasks import inquiry_import_task  # tasks imports the services

    return job_submit(
        actor=actor,
        kind=JobKind.SALES_IMPORT,
        payload=data,
        task=inquiry_import_task,
        description=f"询单数：{filename}"[:200],
    )
