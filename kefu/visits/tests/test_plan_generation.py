"""The set-based plan generator: the SQL agrees with the pure rule, ranges, assignment, realignment,
progress, and the installation-changed hook (``kefu.aftersales.hooks``).

Runs on the test database (SQLite by default, PostgreSQL with DATABASE_URL=postgres://…); the
statements are the same on both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection

from kefu.aftersales.hooks import run_installation_changed
from kefu.aftersales.models import Installation
from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory
from kefu.org.choices import Role
from kefu.org.tests.factories import EmployeeFactory
from kefu.visits.choices import Source, TaskStatus
from kefu.visits.models import VisitTask
from kefu.visits.plan import PlanRuleSet, add_months, plan_dates
from kefu.visits.policy import visits_policy
from kefu.visits.services import generate_visit_plans, visit_record
from kefu.visits.services.plans import PLAN_CANCEL_REASON

from .factories import make_installation

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 31)  # a month end: clamping is exercised


def _mixed_installations() -> list[Installation]:
    """Products and projects, in and out of warranty, of every grade, with month-end dates."""
    out = []
    for kind, acc, months, grade in [
        ("product", dt.date(2026, 1, 31), 12, "normal"),
        ("product", dt.date(2025, 8, 31), 12, "key"),
        ("product", dt.date(2024, 2, 29), 36, "major"),
        ("product", dt.date(2023, 1, 1), 12, "normal"),  # long out of warranty
        ("project", dt.date(2025, 12, 15), 12, "normal"),
        ("project", dt.date(2022, 6, 30), 24, "key"),
        ("project", dt.date(2019, 1, 1), 12, "normal"),  # project years over
        ("product", dt.date(2026, 3, 31), 24, "major"),
    ]:
        out.append(
            make_installation(kind=kind, acceptance=acc, warranty_months=months, grade=grade)
        )
    return out


def _expected(inst: Installation, start: dt.date) -> set[tuple[str, dt.date, bool]]:
    policy = visits_policy(start)
    rules = PlanRuleSet.from_policy(policy.plan)
    return {
        (v.source, v.due_date, v.in_warranty)
        for v in plan_dates(
            kind=inst.kind,
            acceptance_date=inst.acceptance_date,
            warranty_end=inst.warranty_end,
            grade=inst.customer.grade,
            rules=rules,
            start=start,
            end=add_months(start, policy.plan.horizon_months),
        )
    }


def _planned(inst: Installation) -> set[tuple[str, dt.date, bool]]:
    return {
        (t.source, t.due_date, t.in_warranty)
        for t in VisitTask.objects.filter(installation=inst, status=TaskStatus.PLANNED)
    }


@pytest.mark.parametrize("chunk_size", [1, 3, 50_000])
def test_generated_tasks_are_exactly_the_pure_rule(org: dict[str, Any], chunk_size: int) -> None:
    insts = _mixed_installations()
    result = generate_visit_plans(on=TODAY, chunk_size=chunk_size)
    expected = {i.pk: _expected(i, TODAY) for i in insts}
    assert result.installations == len(insts)
    assert result.wanted == result.created == sum(len(v) for v in expected.values()) > 0
    for inst in insts:
        assert _planned(inst) == expected[inst.pk], inst.acceptance_date
        rows = VisitTask.objects.filter(installation=inst)
        assert all(t.customer_id == inst.customer_id and t.attempt == 1 for t in rows)
    again = generate_visit_plans(on=TODAY, chunk_size=chunk_size)
    assert (again.created, again.cancelled, again.restored, again.adjusted) == (0, 0, 0, 0)


def test_one_installation_keeps_one_visitor_and_the_ring_is_shared(org: dict[str, Any]) -> None:
    second = EmployeeFactory(
        employee_no="AS009", name="回访二", department=org["cs_sub"], roles=[Role.RETURN_VISITOR]
    )
    insts = [make_installation(acceptance=dt.date(2026, 2, 10)) for _ in range(6)]
    generate_visit_plans(on=TODAY)
    by_inst: dict[int, set[int]] = defaultdict(set)
    for inst_id, assignee in VisitTask.objects.values_list("installation_id", "assignee_id"):
        by_inst[inst_id].add(assignee)
    assert all(len(a) == 1 for a in by_inst.values())
    used = {a for s in by_inst.values() for a in s}
    assert used == {org["visitor"].pk, second.pk}
    assert len(by_inst) == len(insts)


def test_no_visitor_leaves_tasks_unassigned(org: dict[str, Any]) -> None:
    org["visitor"].user.groups.clear()
    make_installation(acceptance=dt.date(2026, 2, 10))
    result = generate_visit_plans(on=TODAY)
    assert result.created > 0
    assert set(VisitTask.objects.values_list("assignee_id", flat=True)) == {None}


def test_customer_change_realigns_planned_but_not_done(org: dict[str, Any]) -> None:
    inst = make_installation(acceptance=dt.date(2026, 2, 10))
    generate_visit_plans(on=TODAY)
    done = VisitTask.objects.filter(installation=inst).order_by("due_date").first()
    visit_record(actor=org["visitor"].user, task=done, outcome="satisfied")
    new_owner = CustomerFactory(grade="normal")
    Installation.objects.filter(pk=inst.pk).update(customer=new_owner)
    result = generate_visit_plans(on=TODAY)
    planned = VisitTask.objects.filter(installation=inst, status=TaskStatus.PLANNED)
    assert result.adjusted == planned.count() > 0 and result.created == 0
    assert set(planned.values_list("customer_id", flat=True)) == {new_owner.pk}
    done.refresh_from_db()
    assert done.customer_id == inst.customer_id  # a recorded visit keeps who was called


def test_warranty_shortened_cancels_and_flags(org: dict[str, Any]) -> None:
    inst = make_installation(acceptance=dt.date(2026, 2, 10), warranty_months=24)
    generate_visit_plans(on=TODAY)
    before = _planned(inst)
    Installation.objects.filter(pk=inst.pk).update(warranty_end=dt.date(2026, 8, 10))
    inst.refresh_from_db()
    result = generate_visit_plans(on=TODAY)
    assert _planned(inst) == _expected(inst, TODAY)
    assert result.cancelled == len(before) - len(_expected(inst, TODAY)) > 0
    cancelled = VisitTask.objects.filter(installation=inst, status=TaskStatus.CANCELLED)
    assert set(cancelled.values_list("cancel_reason", flat=True)) == {PLAN_CANCEL_REASON}


def test_other_sources_and_past_tasks_are_never_touched(org: dict[str, Any]) -> None:
    inst = make_installation(acceptance=dt.date(2026, 2, 10))
    generate_visit_plans(on=TODAY)
    past = VisitTask.objects.filter(installation=inst).order_by("due_date").first()
    VisitTask.objects.filter(pk=past.pk).update(due_date=TODAY - dt.timedelta(days=3))
    retry = VisitTask.objects.create(
        installation=inst,
        customer=inst.customer,
        source=Source.WARRANTY,
        due_date=dt.date(2026, 5, 2),
        attempt=2,
        parent=past,
        created_at=past.created_at,
        updated_at=past.updated_at,
    )
    Installation.objects.filter(pk=inst.pk).update(warranty_end=TODAY - dt.timedelta(days=1))
    result = generate_visit_plans(on=TODAY)
    assert result.wanted == 0 and result.cancelled > 0
    past.refresh_from_db()
    retry.refresh_from_db()
    assert past.status == TaskStatus.PLANNED and retry.status == TaskStatus.PLANNED


def test_installation_ids_limit_the_run(org: dict[str, Any]) -> None:
    a = make_installation(acceptance=dt.date(2026, 2, 10))
    b = make_installation(acceptance=dt.date(2026, 2, 11))
    result = generate_visit_plans(on=TODAY, installation_ids=[a.pk, a.pk])
    assert result.installations == 1 and result.created == len(_expected(a, TODAY))
    assert not VisitTask.objects.filter(installation=b).exists()
    event = AuditEvent.objects.filter(action="visits.plan_generate").latest("seq")
    assert event.after["scope"] == [a.pk]
    assert generate_visit_plans(on=TODAY, installation_ids=[]).installations == 0


def test_progress_reaches_the_total(org: dict[str, Any]) -> None:
    for day in (10, 11, 12, 13):
        make_installation(acceptance=dt.date(2026, 2, day))
    calls: list[tuple[int, int]] = []
    generate_visit_plans(on=TODAY, chunk_size=2, progress=lambda d, t: calls.append((d, t)))
    assert len(calls) >= 2
    assert calls[-1][0] == calls[-1][1] and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_empty_database_is_a_quiet_run(org: dict[str, Any]) -> None:
    result = generate_visit_plans(on=TODAY)
    assert result.as_dict() == {
        "installations": 0,
        "wanted": 0,
        "created": 0,
        "cancelled": 0,
        "restored": 0,
        "adjusted": 0,
    }


# --- the installation-changed hook -------------------------------------------------------------
def test_installation_changed_hook_plans_that_installation(org: dict[str, Any]) -> None:
    today = dt.date.today()
    other = make_installation(acceptance=today - dt.timedelta(days=20))
    inst = make_installation(acceptance=today - dt.timedelta(days=10))
    run_installation_changed(inst)
    assert _planned(inst) == _expected(inst, today) != set()
    assert not VisitTask.objects.filter(installation=other).exists()
    # The acceptance date is corrected: the hook moves the plan with it.
    Installation.objects.filter(pk=inst.pk).update(
        acceptance_date=today - dt.timedelta(days=5),
        warranty_end=add_months(today - dt.timedelta(days=5), 12),
    )
    inst.refresh_from_db()
    run_installation_changed(inst)
    assert _planned(inst) == _expected(inst, today)
    assert VisitTask.objects.filter(installation=inst, status=TaskStatus.CANCELLED).exists()


def test_installation_changed_hook_ignores_unsaved(org: dict[str, Any]) -> None:
    run_installation_changed(Installation())
    assert not AuditEvent.objects.filter(action="visits.plan_generate").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads: PostgreSQL only")
def test_parallel_ranges_on_postgresql_give_the_same_plans(org: dict[str, Any]) -> None:
    insts = _mixed_installations()
    calls: list[tuple[int, int]] = []
    result = generate_visit_plans(
        on=TODAY, chunk_size=1, workers=2, progress=lambda d, t: calls.append((d, t))
    )
    assert result.created == result.wanted == sum(len(_expected(i, TODAY)) for i in insts)
    for inst in insts:
        assert _planned(inst) == _expected(inst, TODAY)
    assert calls[-1][0] == calls[-1][1]
    Installation.objects.filter(pk=insts[0].pk).update(warranty_end=TODAY - dt.timedelta(days=1))
    again = generate_visit_plans(on=TODAY, chunk_size=2, workers=2)
    assert again.cancelled > 0 and again.created == 0
    # Every worker connection was closed: only this test's own connection is left.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        assert cur.fetchone()[0] == 0
