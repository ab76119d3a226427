"""Permission matrix — 权限矩阵 (TKT-3, ORG-5): every role × every action, through the service.

A request held by 客服代表 agent_a1 (售前组) is put in 处理中; then each person tries each action in
a savepoint. What went through must be exactly the table below; what was refused must leave the
ticket and the audit trail untouched. A second ticket lives in another department (信息中心):
the 客服部's supervisor, manager and leads may do nothing there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from kefu.core.errors import DomainError
from kefu.core.models import AuditEvent
from kefu.org.choices import Role
from kefu.tickets.choices import FaultReportField
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_act
from kefu.tickets.statemachine import Action
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

A = Action
# What a person may do with a 处理中 ticket held by agent_a1 (their own team's lead, the
# department's supervisor and manager, and top management oversee it; nobody else may touch it).
OWNER_CAN = {A.REPLY, A.WAIT_CUSTOMER, A.TRANSFER, A.RESOLVE, A.FLAG_MAJOR_FAULT}
LEAD_CAN = OWNER_CAN | {A.REASSIGN}
EXPECTED: dict[str, set[Action]] = {
    "agent_a1": OWNER_CAN,
    "agent_a2": set(),
    "agent_b1": set(),
    "lead_a": LEAD_CAN,
    "lead_b": set(),
    "supervisor": LEAD_CAN,
    "manager": LEAD_CAN,
    "dgm": LEAD_CAN,
    "gm": LEAD_CAN,
    "hr": set(),
    "warehouse": set(),
    "sysadmin": set(),
}
REPORT = {f.value: "内容" for f in FaultReportField}


def _try_all(person: Any, ticket: Ticket, target: Any) -> set[Action]:
    went_through: set[Action] = set()
    for action in Action:
        before_events = AuditEvent.objects.count()
        before = Ticket.objects.filter(pk=ticket.pk).values().get()
        with transaction.atomic():
            try:
                ticket_act(
                    actor=person.user,
                    ticket=ticket,
                    action=action,
                    reason="客户要求",
                    note="已处理完毕",
                    target=target,
                    satisfied=True,
                    fault_report=REPORT,
                )
            except DomainError:
                after = Ticket.objects.filter(pk=ticket.pk).values().get()
                assert after == before, (person.name, action)
                assert AuditEvent.objects.count() == before_events
            else:
                went_through.add(action)
                transaction.set_rollback(True)
    return went_through


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_against_each_action(org: dict[str, Any], who: str) -> None:
    ticket = make_ticket(org["agent_a1"])
    ticket = ticket_act(actor=org["agent_a1"].user, ticket=ticket, action="accept")
    assert _try_all(org[who], ticket, target=org["agent_b1"]) == EXPECTED[who]


def test_another_departments_ticket_is_out_of_reach(
    org: dict[str, Any], make_employee: Any
) -> None:
    outsider = make_employee(Role.AGENT, department=org["it"])
    ticket = make_ticket(outsider)
    ticket = ticket_act(actor=outsider.user, ticket=ticket, action="accept")
    for who in ("agent_a1", "lead_a", "supervisor", "manager", "hr"):
        assert _try_all(org[who], ticket, target=org["agent_b1"]) == set(), who
    # Top management sees the whole company (Scope.ALL) and may step in.
    assert A.REASSIGN in _try_all(org["gm"], ticket, target=org["agent_b1"])
