"""Lost-sale reasons — 询单未成交原因 (RPT-6): the only write path.

An agent records why an inquiry did not become an order, choosing a reason of the policy in force
on the day (``sales.lost_sale_reasons``); 组长 and above may record for the people in their scope.
A record entered by mistake is deleted with a reason (audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee

from .models import LostInquiry
from .policy import sales_policy
from .selectors import visible_employees

VIEW_LOST = "sales.view_lostinquiry"
ADD_LOST = "sales.add_lostinquiry"


def _require_scope(actor: Any, agent: Employee) -> None:
    if not (actor and actor.is_authenticated and actor.has_perm(ADD_LOST)):
        raise PermissionDeniedError()
    if not visible_employees(actor, VIEW_LOST).filter(pk=agent.pk).exists():
        raise PermissionDeniedError("只能为本人或您管理范围内的员工登记")


def _snapshot(x: LostInquiry) -> dict[str, Any]:
    return {
        "agent": x.agent_id,
        "day": x.day.isoformat(),
        "reason": x.reason,
        "customer_name": x.customer_name,
        "item": x.item,
        "note": x.note,
    }


@transaction.atomic
def lost_inquiry_record(
    *,
    actor: Any,
    agent: Employee,
    day: dt.date,
    reason: str,
    customer_name: str = "",
    item: str = "",
    note: str = "",
) -> LostInquiry:
    """登记未成交原因 — one inquiry of ``agent`` on ``day`` that did not convert; audited."""
    _require_scope(actor, agent)
    if agent.status != EmployeeStatus.ACTIVE:
        raise DomainError("employee_inactive", "该员工已离职", fields={"agent": "已离职"})
    if day > timezone.localdate():
        raise DomainError("future_day", "日期不能晚于今天", fields={"day": "不能晚于今天"})
    name = sales_policy(day).reason_name(reason)
    if name is None:
        raise DomainError("reason", "请选择制度中的未成交原因", fields={"reason": "请选择"})
    record = LostInquiry.objects.create(
        agent=agent,
        day=day,
        reason=reason,
        reason_name=name,
        customer_name=(customer_name or "").strip()[:60],
        item=(item or "").strip()[:120],
        note=(note or "").strip()[:200],
        created_by=actor,
    )
    audit.record(actor=actor, action="sales.lost_record", obj=record, after=_snapshot(record))
    return record


@transaction.atomic
def lost_inquiry_delete(*, actor: Any, record: LostInquiry, reason: str) -> None:
    """删除未成交原因记录 (entered by mistake) — with a reason, audited."""
    record = (
        LostInquiry.objects.select_for_update(of=("self",))
        .select_related("agent")
        .get(pk=record.pk)
    )
    _require_scope(actor, record.agent)
    if not (reason or "").strip():
        raise DomainError("reason_required", "请填写删除理由", fields={"reason": "必填"})
    before, pk = _snapshot(record), record.pk
    record.delete()
    audit.record(
        actor=actor,
        action="sales.lost_delete",
        object_type="sales.lostinquiry",
        object_id=pk,
        before=before,
        reason=reason.strip()[:200],
    )
