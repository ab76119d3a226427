"""Visit-task services — 回访任务: record a 回访单, retries, follow-ups, reassignment, hooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Department, Employee

from ..choices import RETRY, ActionStatus, FollowUp, Outcome, Source, TaskStatus
from ..models import CorrectiveAction, VisitTask
from ..plan import after_close_due, retry_due
from ..policy import visits_policy
from .common import (
    REASSIGN,
    RECORD,
    VIEW_ALL,
    acting_employee,
    active_visitor_ids,
    require,
    round_robin,
    today,
)

NOTES_MAX = 2000


def _next_assignee(seed: int) -> int | None:
    return next(round_robin(active_visitor_ids(), start=seed))


def _snapshot(task: VisitTask) -> dict[str, Any]:
    return {
        "status": task.status,
        "outcome": task.outcome,
        "assignee": task.assignee_id,
        "due_date": task.due_date,
        "follow_up": task.follow_up,
    }


def _lock(task: VisitTask | int) -> VisitTask:
    pk = task.pk if isinstance(task, VisitTask) else task
    return VisitTask.objects.select_for_update().get(pk=pk)


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    task: VisitTask | int,
    outcome: str,
    notes: str = "",
    follow_up: str = "",
    problem: str = "",
    action_department: Department | int | None = None,
    action_due: dt.date | None = None,
) -> VisitTask:
    """Record a visit — 登记回访单: outcome code, notes and, for a problem, its follow-up.

    The 回访员 records their own tasks; a supervisor (改派 right) may record any. No answer (or
    busy) schedules the next attempt per policy; a problem found opens a service request
    (工单) or a corrective action (纠正措施) linked to the visit. One audit event.
    """
    require(actor, RECORD)
    employee = acting_employee(actor)
    task = _lock(task)
    if task.assignee_id != employee.pk and not actor.has_perm(REASSIGN):
        raise PermissionDeniedError("只能登记分配给自己的回访任务", code="visit_not_assignee")
    if task.status != TaskStatus.PLANNED:
        raise ConflictError("visit_not_open", "该回访任务已登记或已取消，不能再次登记")
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "请选择回访结果"
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"回访记录不能超过{NOTES_MAX}字"
    problem = (problem or "").strip()
    if outcome == Outcome.PROBLEM:
        if follow_up not in FollowUp.values:
            errors["follow_up"] = "发现问题时请选择转工单或纠正措施"
        if not problem:
            errors["problem"] = "请填写发现的问题"
    elif follow_up:
        errors["follow_up"] = "只有发现问题时才需要后续处理"
    if errors:
        raise DomainError("visit_invalid", "回访单填写有误", fields=errors)
    before = _snapshot(task)
    now = timezone.now()
    task.status = TaskStatus.DONE
    task.outcome = outcome
    task.notes = notes
    task.visited_at = now
    task.visited_by = employee
    task.updated_at = now
    after_extra: dict[str, Any] = {}
    if outcome == Outcome.PROBLEM:
        task.follow_up = follow_up
        if follow_up == FollowUp.TICKET:
            task.follow_up_ticket = _open_ticket(actor, task, problem)
            after_extra["ticket"] = task.follow_up_ticket.number
        else:
            action = _open_action(employee, task, problem, action_department, action_due)
            after_extra["corrective_action"] = action.pk
    task.save()
    if outcome in RETRY:
        nxt = _schedule_retry(task, on=timezone.localdate(now))
        if nxt is not None:
            after_extra["retry"] = nxt.pk
    audit.record(
        actor=actor,
        action="visits.record",
        obj=task,
        before=before,
        after={**_snapshot(task), **after_extra, "notes": notes, "problem": problem},
    )
    return task


def _open_ticket(actor: Any, task: VisitTask, problem: str) -> Any:
    """发现问题 → 转工单: a service request recorded by the 回访员 for the customer."""
    from kefu.tickets.choices import Channel, Kind, Subkind
    from kefu.tickets.services import ticket_create

    if not actor.has_perm("tickets.add_ticket"):
        raise PermissionDeniedError(
            "您没有新建工单的权限，请选择纠正措施", code="visit_no_ticket_right"
        )
    try:
        return ticket_create(
            actor=actor,
            channel=Channel.HOTLINE,
            kind=Kind.AFTER_SALES,
            subkind=Subkind.REPAIR,
            customer=task.customer,
            title=f"回访发现问题（{task.receipt_no}）",
            description=problem,
        )
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        # The request is built from the visit; show its complaint beside the problem text.
        detail = "；".join(exc.fields.values()) or exc.message
        raise DomainError("visit_ticket_invalid", exc.message, fields={"problem": detail}) from exc


def _open_action(
    employee: Employee,
    task: VisitTask,
    problem: str,
    department: Department | int | None,
    due: dt.date | None,
) -> CorrectiveAction:
    dept_id = department.pk if isinstance(department, Department) else department
    if dept_id is not None and not Department.objects.filter(pk=dept_id).exists():
        raise DomainError(
            "visit_action_department",
            "责任部门不存在",
            fields={"action_department": "责任部门不存在"},
        )
    return CorrectiveAction.objects.create(
        visit=task,
        description=problem,
        department_id=dept_id,
        due_date=due,
        created_by=employee,
    )


def _schedule_retry(task: VisitTask, *, on: dt.date) -> VisitTask | None:
    """无人接听 → the next attempt per policy (same assignee), or None after the last one."""
    policy = visits_policy(on)
    due = retry_due(
        visited_on=on,
        attempt=task.attempt,
        max_attempts=policy.retry.max_attempts,
        spacing_days=policy.retry.spacing_days,
    )
    if due is None:
        return None
    now = timezone.now()
    return VisitTask.objects.create(
        installation_id=task.installation_id,
        customer_id=task.customer_id,
        ticket_id=task.ticket_id,
        source=task.source,
        due_date=due,
        in_warranty=task.in_warranty,
        attempt=task.attempt + 1,
        parent=task,
        assignee_id=task.assignee_id,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def visit_reassign(
    *, actor: Any, task: VisitTask | int, assignee: Employee | int, reason: str = ""
) -> VisitTask:
    """Reassign a visit — 改派回访任务 (supervisors): only to an active 回访员, only open tasks."""
    require(actor, REASSIGN)
    task = _lock(task)
    if task.status != TaskStatus.PLANNED:
        raise ConflictError("visit_not_open", "只能改派待回访的任务")
    pk = assignee.pk if isinstance(assignee, Employee) else assignee
    target = (
        Employee.objects.filter(
            pk=pk, status=EmployeeStatus.ACTIVE, user__groups__name=Role.RETURN_VISITOR.label
        )
        .distinct()
        .first()
    )
    if target is None:
        raise DomainError(
            "visit_assignee_invalid",
            "只能改派给在职回访员",
            fields={"assignee": "请选择在职回访员"},
        )
    before = _snapshot(task)
    task.assignee = target
    task.updated_at = timezone.now()
    task.save(update_fields=["assignee", "updated_at"])
    audit.record(
        actor=actor,
        action="visits.reassign",
        obj=task,
        before=before,
        after=_snapshot(task),
        reason=(reason or "").strip()[:200],
    )
    return task


@transaction.atomic
def corrective_action_close(
    *, actor: Any, action: CorrectiveAction | int, result: str
) -> CorrectiveAction:
    """Close a corrective action — 纠正措施完成, with what was done (supervisors)."""
    require(actor, VIEW_ALL)
    require(actor, RECORD)
    obj = CorrectiveAction.objects.select_for_update().get(
        pk=action.pk if isinstance(action, CorrectiveAction) else action
    )
    if obj.status != ActionStatus.OPEN:
        raise ConflictError("visit_action_closed", "该纠正措施已完成")
    result = (result or "").strip()
    if not result:
        raise DomainError(
            "visit_action_result", "请填写整改结果", fields={"result": "请填写整改结果"}
        )
    obj.status = ActionStatus.CLOSED
    obj.result = result[:NOTES_MAX]
    obj.closed_at = timezone.now()
    obj.save()
    audit.record(actor=actor, action="visits.action_close", obj=obj, after={"result": obj.result})
    return obj


def visit_plan_after_close(ticket: Any, action: str, actor: Any) -> None:
    """Ticket hook: a closed service request gets a visit N days later (AS-4), once per request.

    Runs inside the ticket action's transaction. A request closed, reopened and closed again
    keeps its first visit (unique per ticket); a request without a customer gets none.
    """
    from kefu.tickets.statemachine import Action

    if action != Action.CLOSE or not getattr(ticket, "customer_id", None):
        return
    if VisitTask.objects.filter(
        ticket=ticket, source=Source.AFTER_CLOSE, parent__isnull=True
    ).exists():
        return
    closed = timezone.localdate(ticket.closed_at) if ticket.closed_at else today()
    policy = visits_policy(closed)
    now = timezone.now()
    try:
        with transaction.atomic():
            task = VisitTask.objects.create(
                customer_id=ticket.customer_id,
                ticket=ticket,
                source=Source.AFTER_CLOSE,
                due_date=after_close_due(closed_on=closed, days=policy.plan.after_close_days),
                assignee_id=_next_assignee(ticket.pk),
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:  # a concurrent close planned it first
        return
    audit.record(
        actor=None,
        action="visits.plan_after_close",
        obj=task,
        after={"ticket": ticket.number, "due_date": task.due_date, "assignee": task.assignee_id},
    )
