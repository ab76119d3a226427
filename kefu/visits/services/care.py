"""Key-customer care — 重点客户关怀 (CRM-2): yearly care plans and the December campaign."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.customers.models import Customer

from ..choices import CareStatus
from ..models import CarePlan, CareTask
from ..plan import add_months
from ..policy import visits_policy
from .common import ADD_CARE, CHANGE_CARE, acting_employee, active_visitor_ids, require, round_robin

DEMAND_MAX = 2000


@transaction.atomic
def care_campaign_generate(*, actor: Any, year: int) -> dict[str, int]:
    """Generate the year's care plans and December campaign tasks — 生成新年关怀任务 (idempotent).

    Every customer whose grade the policy names (重点客户, 大客户) gets a care plan for ``year``
    and one campaign task due at the end of the campaign month, with the policy's gift.
    """
    require(actor, ADD_CARE)
    if not 2000 <= year <= 2100:
        raise DomainError("care_year", "年度不正确", fields={"year": "请输入正确的年度"})
    policy = visits_policy()
    campaign = policy.campaign
    month_start = dt.date(year, campaign.month, 1)
    due = add_months(month_start, 1) - dt.timedelta(days=1)
    owners = round_robin(active_visitor_ids(), start=year)
    have = set(CarePlan.objects.filter(year=year).values_list("customer_id", flat=True))
    customers = list(
        Customer.objects.filter(grade__in=campaign.grades)
        .exclude(pk__in=have)
        .values_list("pk", "grade")
    )
    plans = CarePlan.objects.bulk_create(
        [
            CarePlan(
                customer_id=pk,
                year=year,
                grade=grade,
                owner_id=next(owners),
                plan=f"{year}年重点客户关怀：定期回访，{campaign.month}月寄送{campaign.gift}并了解次年需求",
            )
            for pk, grade in customers
        ],
        ignore_conflicts=True,
    )
    plan_ids = list(
        CarePlan.objects.filter(year=year, campaign__isnull=True).values_list("pk", flat=True)
    )
    CareTask.objects.bulk_create(
        [CareTask(plan_id=pk, due_date=due, gift=campaign.gift) for pk in plan_ids],
        ignore_conflicts=True,
    )
    result = {"plans": len(plans), "tasks": len(plan_ids)}
    audit.record(
        actor=actor,
        action="visits.care_generate",
        object_type="visits.careplan",
        object_id=str(year),
        after=result,
    )
    return result


@transaction.atomic
def care_task_record(
    *, actor: Any, task: CareTask | int, gift_sent_on: dt.date | None, demand: str
) -> CareTask:
    """Record the campaign — 登记新年关怀: gift sent (date) and the customer's next-year demand."""
    require(actor, CHANGE_CARE)
    employee = acting_employee(actor)
    obj = CareTask.objects.select_for_update().get(
        pk=task.pk if isinstance(task, CareTask) else task
    )
    if obj.status == CareStatus.DONE:
        raise ConflictError("care_done", "该关怀任务已登记")
    demand = (demand or "").strip()
    errors = {}
    if gift_sent_on is None:
        errors["gift_sent_on"] = "请填写礼品寄送日期"
    elif gift_sent_on > timezone.localdate():
        errors["gift_sent_on"] = "寄送日期不能晚于今天"
    if not demand:
        errors["demand"] = "请填写客户次年需求计划（无需求请写“无”）"
    elif len(demand) > DEMAND_MAX:
        errors["demand"] = f"不能超过{DEMAND_MAX}字"
    if errors:
        raise DomainError("care_invalid", "关怀任务填写有误", fields=errors)
    obj.gift_sent_on = gift_sent_on
    obj.demand = demand
    obj.status = CareStatus.DONE
    obj.done_by = employee
    obj.done_at = timezone.now()
    obj.save()
    audit.record(
        actor=actor,
        action="visits.care_record",
        obj=obj,
        after={"gift_sent_on": gift_sent_on, "demand": demand},
    )
    return obj
