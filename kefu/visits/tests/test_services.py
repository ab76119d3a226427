"""Visit services: idempotent generation, after-close hook, recording, retries, follow-ups."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Any

import pytest

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.services import ticket_act
from kefu.tickets.tests.factories import make_ticket
from kefu.visits.choices import Source, TaskStatus
from kefu.visits.models import CarePlan, CareTask, CorrectiveAction, VisitTask
from kefu.visits.plan import add_months
from kefu.visits.services import (
    care_campaign_generate,
    care_task_record,
    generate_visit_plans,
    visit_reassign,
    visit_record,
)

from .factories import make_installation

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 1)


def _plan(inst: Any) -> list[dt.date]:
    return list(
        VisitTask.objects.filter(installation=inst, status=TaskStatus.PLANNED)
        .order_by("due_date")
        .values_list("due_date", flat=True)
    )


def test_generation_is_idempotent_and_assigns_visitors(org: dict[str, Any]) -> None:
    inst = make_installation(acceptance=dt.date(2026, 1, 10))
    first = generate_visit_plans(on=TODAY)
    assert first.created == 6  # 03-10 … 2027-01-10 every two months, within 12 months
    assert _plan(inst)[0] == dt.date(2026, 3, 10)
    assert set(VisitTask.objects.values_list("assignee_id", flat=True)) == {org["visitor"].pk}
    again = generate_visit_plans(on=TODAY)
    assert (again.created, again.cancelled) == (0, 0)
    assert VisitTask.objects.count() == 6
    assert AuditEvent.objects.filter(action="visits.plan_generate").count() == 2


def test_regeneration_follows_changes_and_keeps_done(org: dict[str, Any]) -> None:
    inst = make_installation(acceptance=dt.date(2026, 1, 10))
    generate_visit_plans(on=TODAY)
    done = VisitTask.objects.get(installation=inst, due_date=dt.date(2026, 3, 10))
    visit_record(actor=org["visitor"].user, task=done, outcome="satisfied")
    # The acceptance date was corrected: dates shift by five days.
    type(inst).objects.filter(pk=inst.pk).update(
        acceptance_date=dt.date(2026, 1, 15), warranty_end=dt.date(2027, 1, 15)
    )
    result = generate_visit_plans(on=TODAY)
    assert result.cancelled == 5 and result.created == 6
    done.refresh_from_db()
    assert done.status == TaskStatus.DONE  # never touched
    assert _plan(inst)[0] == dt.date(2026, 3, 15)
    # Back to the old date: the cancelled tasks come back instead of new rows.
    type(inst).objects.filter(pk=inst.pk).update(
        acceptance_date=dt.date(2026, 1, 10), warranty_end=dt.date(2027, 1, 10)
    )
    result = generate_visit_plans(on=TODAY)
    assert result.restored == 5 and result.created == 0


def test_grade_change_makes_monthly_plan(org: dict[str, Any]) -> None:
    inst = make_installation(acceptance=dt.date(2026, 1, 10))
    generate_visit_plans(on=TODAY)
    inst.customer.__class__.objects.filter(pk=inst.customer_id).update(grade="key")
    generate_visit_plans(on=TODAY)
    got = _plan(inst)
    assert got[:3] == [dt.date(2026, 3, 10), dt.date(2026, 4, 10), dt.date(2026, 5, 10)]
    assert all(b <= add_months(a, 1) for a, b in pairwise(got))


def test_generation_needs_right(org: dict[str, Any]) -> None:
    make_installation(acceptance=dt.date(2026, 1, 10))
    with pytest.raises(PermissionDeniedError):
        generate_visit_plans(actor=org["agent_a1"].user, on=TODAY)
    assert VisitTask.objects.count() == 0
    generate_visit_plans(actor=org["supervisor"].user, on=TODAY)
    assert VisitTask.objects.count() == 6


def test_closed_ticket_plans_a_visit_after_n_days(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    for action in ("accept", "resolve", "close"):
        ticket = ticket_act(actor=agent.user, ticket=ticket, action=action, note="已处理")
    task = VisitTask.objects.get(ticket=ticket)
    assert task.source == Source.AFTER_CLOSE
    assert (task.due_date - ticket.closed_at.astimezone(dt.UTC).date()).days in (2, 3, 4)
    assert task.assignee == org["visitor"]
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="reopen", reason="客户再次来电")
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="再处理")
    ticket_act(actor=agent.user, ticket=ticket, action="close")
    assert VisitTask.objects.filter(ticket=ticket).count() == 1


def _after_close_task(org: dict[str, Any]) -> VisitTask:
    inst = make_installation(acceptance=dt.date(2026, 1, 10))
    generate_visit_plans(on=TODAY)
    return VisitTask.objects.filter(installation=inst).order_by("due_date").first()


def test_no_answer_retries_per_policy(org: dict[str, Any]) -> None:
    task = _after_close_task(org)
    user = org["visitor"].user
    for attempt in (1, 2):
        visit_record(actor=user, task=task, outcome="no_answer")
        task = VisitTask.objects.get(parent=task)
        assert task.attempt == attempt + 1 and task.status == TaskStatus.PLANNED
    visit_record(actor=user, task=task, outcome="no_answer")
    assert not VisitTask.objects.filter(parent=task).exists()  # 3 attempts in all


def test_problem_opens_ticket_or_corrective_action(org: dict[str, Any]) -> None:
    task = _after_close_task(org)
    user = org["visitor"].user
    with pytest.raises(DomainError) as err:
        visit_record(actor=user, task=task, outcome="problem")
    assert set(err.value.fields) == {"follow_up", "problem"}
    task = visit_record(
        actor=user, task=task, outcome="problem", follow_up="ticket", problem="滤网异响"
    )
    assert (
        task.follow_up_ticket is not None and task.follow_up_ticket.customer_id == task.customer_id
    )
    other = VisitTask.objects.filter(status=TaskStatus.PLANNED).first()
    visit_record(
        actor=user,
        task=other,
        outcome="problem",
        follow_up="corrective",
        problem="安装支架松动",
        action_department=org["cs_sub"].pk,
    )
    assert CorrectiveAction.objects.get(visit=other).department == org["cs_sub"]
    with pytest.raises(ConflictError):
        visit_record(actor=user, task=other, outcome="satisfied")


def test_only_assignee_or_supervisor_records_and_reassign(org: dict[str, Any]) -> None:
    task = _after_close_task(org)
    with pytest.raises(PermissionDeniedError):
        visit_record(actor=org["agent_a1"].user, task=task, outcome="satisfied")
    with pytest.raises(PermissionDeniedError):
        visit_reassign(actor=org["visitor"].user, task=task, assignee=org["visitor"])
    with pytest.raises(DomainError):
        visit_reassign(actor=org["supervisor"].user, task=task, assignee=org["agent_a1"])
    task.refresh_from_db()
    assert task.status == TaskStatus.PLANNED and task.assignee == org["visitor"]
    visit_record(actor=org["supervisor"].user, task=task, outcome="satisfied", notes="很满意")
    task.refresh_from_db()
    assert task.outcome == "satisfied" and task.visited_by == org["supervisor"]


def test_care_campaign_generate_and_record(org: dict[str, Any]) -> None:
    key = CustomerFactory(grade="key")
    CustomerFactory(grade="major")
    CustomerFactory(grade="normal")
    result = care_campaign_generate(actor=org["supervisor"].user, year=2026)
    assert result == {"plans": 2, "tasks": 2}
    assert care_campaign_generate(actor=org["supervisor"].user, year=2026) == {
        "plans": 0,
        "tasks": 0,
    }
    task = CareTask.objects.get(plan__customer=key)
    assert task.due_date == dt.date(2026, 12, 31) and task.gift == "新年礼品"
    with pytest.raises(DomainError):
        care_task_record(actor=org["visitor"].user, task=task, gift_sent_on=None, demand="")
    care_task_record(
        actor=org["visitor"].user,
        task=task,
        gift_sent_on=dt.date(2026, 1, 2),
        demand="次年采购20台",
    )
    task.refresh_from_db()
    assert task.status == "done" and CarePlan.objects.count() == 2
    with pytest.raises(PermissionDeniedError):
        care_campaign_generate(actor=org["visitor"].user, year=2027)
