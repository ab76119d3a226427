"""Shared pieces of the ticket services — 工单服务公共部分: rights, the acting employee, state."""

from __future__ import annotations

from typing import Any

from kefu.core.errors import PermissionDeniedError
from kefu.org.choices import Scope
from kefu.org.models import Employee
from kefu.org.roles import roles_of, scope_of
from kefu.org.selectors import department_descendant_ids, employee_of

from ..models import Ticket
from ..statemachine import ActionFacts, TicketState

VIEW = "tickets.view_ticket"
ADD = "tickets.add_ticket"
CHANGE = "tickets.change_ticket"
OBJECT_TYPE = "tickets.ticket"

# The fields of a ticket its audit snapshots hold at creation (later events hold what changed).
SNAPSHOT_FIELDS = [
    "number",
    "channel",
    "kind",
    "subkind",
    "priority",
    "status",
    "title",
    "description",
    "demand",
    "customer_id",
    "customer_grade",
    "contact_name",
    "contact_phone",
    "order_no",
    "purchase_date",
    "tracking_no",
    "received_at",
    "owner_id",
    "first_responsible_id",
    "department_id",
    "team_id",
    "first_response_due",
    "resolution_due",
    "service_mode",
    "red_flag",
    "red_flag_note",
    "offline_message",
]


def require_perm(actor: Any, perm: str) -> None:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDeniedError()


def acting_employee(actor: Any) -> Employee:
    """The employee record of a person acting on tickets; people without one may not act.

    A ticket's owner, 首问负责人 and transfer targets are employees (ORG-3), and the rule engine
    reads an actor id of None as "the system": a login without an employee record (a bare
    superuser) must never slip through as the system.
    """
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDeniedError("只有在职员工可以处理工单", code="ticket_not_employee")
    return employee


def oversees(actor: Any, employee: Employee, ticket: Ticket) -> bool:
    """Whether the ticket lies in the actor's data scope (ORG-5), for the LEAD capacity."""
    scope = scope_of(actor)
    if scope == Scope.ALL:
        return True
    if scope == Scope.DEPARTMENT:
        return ticket.department_id in department_descendant_ids(employee.department_id)
    if scope == Scope.TEAM:
        return employee.team_id is not None and ticket.team_id == employee.team_id
    return False


def state_of(ticket: Ticket) -> TicketState:
    """The rule engine's view of a stored ticket."""
    return TicketState(
        status=ticket.status,
        owner_id=ticket.owner_id,
        first_responsible_id=ticket.first_responsible_id,
        pending_owner_id=ticket.pending_owner_id,
        pending_department_id=ticket.pending_department_id,
        responded=ticket.responded,
        followed_up=ticket.followed_up,
        major_fault=ticket.major_fault,
        fault_report_complete=ticket.fault_report_complete,
        first_contact_eligible=ticket.first_contact_eligible,
    )


def facts_for(
    actor: Any | None, ticket: Ticket, employee: Employee | None = None, **inputs: Any
) -> ActionFacts:
    """ActionFacts for ``actor`` (None = the system) acting on ``ticket`` with ``inputs``."""
    if actor is None:
        return ActionFacts(actor_id=None, **inputs)
    employee = employee or acting_employee(actor)
    return ActionFacts(
        actor_id=employee.pk,
        actor_roles=frozenset(roles_of(actor)),
        oversees_ticket=oversees(actor, employee, ticket),
        actor_department_id=employee.department_id,
        actor_speciality=employee.speciality,
        **inputs,
    )
