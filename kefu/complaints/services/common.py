"""Shared pieces of the complaint services — 投诉服务公共部分: the actor, the state, one step.

Every procedure service goes the same way: lock the complaint, build the engine's facts for the
actor, ``procedure.apply``, store the state after, write one ``ComplaintStep`` row and record one
audit event. ``take_step`` is that path; the services around it add what their step stores.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.org.models import Department, Employee
from kefu.org.roles import roles_of
from kefu.org.selectors import department_descendant_ids, employee_of
from kefu.tickets.services.common import oversees as ticket_oversees

from ..choices import ProcedureStatus
from ..models import Complaint, ComplaintStep
from ..procedure import (
    ComplaintState,
    ProcedureAction,
    ProcedureFacts,
    Transition,
    apply,
    available_actions,
    expected_approvals,
)

VIEW = "complaints.view_complaint"
ADD = "complaints.add_complaint"
OBJECT_TYPE = "complaints.complaint"


def require_perm(actor: Any, perm: str) -> None:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDeniedError()


def acting_employee(actor: Any) -> Employee:
    """The employee record of a person acting on complaints; people without one may not act.

    Steps are taken by people of a department (the investigating department, its head, the
    客服部): a login without an employee record has no department and takes no step.
    """
    employee = employee_of(actor) if actor is not None else None
    if employee is None or not employee.is_active:
        raise PermissionDeniedError("只有在职员工可以处理客户投诉", code="complaint_not_employee")
    return employee


def heads_department(employee: Employee, department_id: int) -> bool:
    """Is ``employee`` the head (负责人) of the department?

    The department's recorded head when it has one; otherwise a member of the department whose
    position ranks as 部门经理 (the organisation may not have filled in every head yet).
    """
    department = Department.objects.filter(pk=department_id).only("head_id").first()
    if department is None:
        return False
    if department.head_id is not None:
        return department.head_id == employee.pk
    level = employee.position.level if employee.position_id else ""
    return employee.department_id == department_id and level == "department_head"


def state_of(complaint: Complaint) -> ComplaintState:
    """The rule engine's view of a stored complaint.

    ``approvals`` follow from the status in every state the engine can reach
    (``expected_approvals``); the step rows hold the same history for people to read.
    """
    return ComplaintState(
        status=complaint.status,
        accepted=complaint.accepted,
        route=complaint.route,
        investigating_department_id=complaint.investigating_department_id,
        owner_id=complaint.ticket.owner_id,
        approvals=expected_approvals(complaint.status, complaint.route),
    )


def facts_for(
    actor: Any, employee: Employee, complaint: Complaint, **inputs: Any
) -> ProcedureFacts:
    """ProcedureFacts for ``actor`` (an employee's login) acting on ``complaint`` with ``inputs``."""
    department_id = complaint.investigating_department_id
    in_department = department_id is not None and employee.department_id in (
        department_descendant_ids(department_id)
    )
    return ProcedureFacts(
        actor_id=employee.pk,
        actor_roles=frozenset(roles_of(actor)),
        oversees=ticket_oversees(actor, employee, complaint.ticket),
        in_investigating_department=in_department,
        heads_investigating_department=(
            department_id is not None and heads_department(employee, department_id)
        ),
        **inputs,
    )


def lock(complaint: Complaint) -> Complaint:
    """The complaint re-read under a row lock, with its ticket."""
    locked = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(pk=complaint.pk)
        .first()
    )
    if locked is None:
        raise DomainError("complaint_not_found", "投诉不存在", status=404)
    return locked


def take_step(
    *,
    actor: Any,
    complaint: Complaint,
    action: ProcedureAction,
    comment: str = "",
    **inputs: Any,
) -> tuple[Complaint, Employee, Transition]:
    """Lock, decide, store the new status and the step row. The caller adds its own fields,
    saves, and calls ``finish`` for the audit event."""
    employee = acting_employee(actor)
    complaint = lock(complaint)
    transition = apply(state_of(complaint), action, facts_for(actor, employee, complaint, **inputs))
    complaint.status = transition.after.status
    ComplaintStep.objects.create(
        complaint=complaint,
        step=transition.step,
        action=transition.action.value,
        approval_step=transition.approval_step,
        decision=transition.decision,
        comment=(comment or "").strip(),
        actor=actor,
        actor_name=employee.name[:40],
        at=timezone.now(),
    )
    return complaint, employee, transition


def finish(
    *,
    actor: Any,
    complaint: Complaint,
    transition: Transition,
    extra_after: dict[str, Any] | None = None,
    reason: str = "",
) -> Complaint:
    """Save the complaint and record the step's one audit event."""
    complaint.save()
    after = {**transition.audit_after(), **(extra_after or {})}
    audit.record(
        actor=actor,
        action=transition.audit_action,
        obj=complaint,
        before=transition.audit_before(),
        after=after,
        reason=(reason or "").strip(),
    )
    return complaint


def actions_for(actor: Any, complaint: Complaint) -> list[ProcedureAction]:
    """The procedure actions ``actor`` may take on ``complaint`` now (the buttons of its page)."""
    employee = employee_of(actor) if getattr(actor, "is_authenticated", False) else None
    if employee is None or not employee.is_active:
        return []
    return available_actions(state_of(complaint), facts_for(actor, employee, complaint))


def step_label(status: str) -> str:
    return ProcedureStatus(status).label
