"""seed_demo: a realistic demo company with every role, idempotent, with a verifiable audit trail."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import call_command

from kefu.core.audit import verify_chain
from kefu.core.models import AuditEvent
from kefu.customers.models import Customer
from kefu.org.approval import approval_chain
from kefu.org.choices import Role
from kefu.org.management.commands.seed_demo import DEMO_PASSWORD
from kefu.org.models import Department, Employee
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_company_once():
    call_command("seed_demo", quiet=True)
    counts = (Employee.objects.count(), Department.objects.count(), Customer.objects.count())
    tickets = Ticket.objects.count()
    events = AuditEvent.objects.count()

    call_command("seed_demo", quiet=True)

    assert (
        Employee.objects.count(),
        Department.objects.count(),
        Customer.objects.count(),
    ) == counts
    assert Ticket.objects.count() == tickets
    assert AuditEvent.objects.count() == events  # the second run changed nothing
    assert 55 <= counts[0] <= 70
    assert counts[2] == 40
    # Service requests in every status, made through the services (numbers, deadlines, audit).
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {
        "new",
        "in_progress",
        "waiting_customer",
        "transferred",
        "resolved",
        "closed",
    } <= statuses
    assert Ticket.objects.filter(resolution_due__isnull=True).count() == 0
    for role in Role:
        assert Group.objects.get(name=role.label).user_set.exists(), role.label
    assert verify_chain() is None


def test_demo_logins_work_and_reporting_lines_approve():
    call_command("seed_demo", quiet=True)
    assert authenticate(username="KF002", password=DEMO_PASSWORD) is not None
    agent = Employee.objects.get(employee_no="KF011")
    chain = approval_chain(agent, "leave", days=2)
    assert [e.position.level for e in chain] == [
        "team_lead",
        "supervisor",
        "department_head",
        "deputy_gm",
    ]
