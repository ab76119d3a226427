"""发货时限 (AS-8): the 24 h / 48 h notices — pure rules, the idempotent scan, the task chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.models import AuditEvent, Notification
from kefu.customers.tests.factories import CustomerFactory
from kefu.org.choices import Role
from kefu.returns import rules, services
from kefu.returns.choices import CaseType, Stage
from kefu.returns.models import ReturnCase
from kefu.returns.services.clock import supervisors_of

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


# --- pure ------------------------------------------------------------------------------------
def events(now: dt.datetime, sent: tuple[str, ...] = ()) -> list[str]:
    return rules.ship_events_due(start=T0, target_hours=24, max_hours=48, now=now, sent=sent)


def test_events_at_24_and_48_hours() -> None:
    assert events(T0 + 24 * H) == []  # at the deadline itself: still on time
    assert events(T0 + 25 * H) == ["late"]
    assert events(T0 + 25 * H, ("late",)) == []
    assert events(T0 + 49 * H) == ["late", "breach"]  # a scan that missed the first step
    assert events(T0 + 49 * H, ("late",)) == ["breach"]
    assert events(T0 + 90 * H, ("late", "breach")) == []


def test_next_check() -> None:
    check = rules.ship_next_check
    assert check(start=T0, target_hours=24, max_hours=48) == T0 + 24 * H + dt.timedelta(
        microseconds=1
    )
    assert check(start=T0, target_hours=24, max_hours=48, sent=["late"]) > T0 + 48 * H
    assert check(start=T0, target_hours=24, max_hours=48, sent=["late", "breach"]) is None


@given(
    st.integers(min_value=0, max_value=200 * 3600),
    st.integers(min_value=1, max_value=72),
    st.integers(min_value=0, max_value=72),
)
def test_scanning_at_next_check_sends_each_notice_once(seconds: int, target: int, extra: int):
    """Following next_check from the start sends late then breach, each exactly once, and
    nothing is due before the instant next_check names."""
    end = T0 + dt.timedelta(seconds=seconds)
    sent: list[str] = []
    at = rules.ship_next_check(start=T0, target_hours=target, max_hours=target + extra)
    while at is not None and at <= end:
        before = at - dt.timedelta(microseconds=2)
        assert (
            rules.ship_events_due(
                start=T0, target_hours=target, max_hours=target + extra, now=before, sent=sent
            )
            == []
        )
        new = rules.ship_events_due(
            start=T0, target_hours=target, max_hours=target + extra, now=at, sent=sent
        )
        assert new
        sent += new
        at = rules.ship_next_check(
            start=T0, target_hours=target, max_hours=target + extra, sent=sent
        )
    assert sent == list(rules.SHIP_EVENTS[: len(sent)])
    assert len(sent) == len(set(sent))


# --- the scan ----------------------------------------------------------------------------------
def received_exchange(org: dict[str, Any]) -> ReturnCase:
    agent = org["agent_a1"].user
    case = services.returncase_create(
        actor=agent,
        case_type=CaseType.EXCHANGE,
        reason="size",
        customer=CustomerFactory(),
        card_wanted_item="42码",
    )
    case = services.returncase_await_return(actor=agent, case=case, return_tracking_no="YT1")
    return services.returncase_receive(actor=org["warehouse"].user, case=case)


def notes(employee: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=employee.user).values_list("title", flat=True)
    )


@pytest.mark.django_db
def test_owner_told_at_24h_supervisor_at_48h_each_once(org: dict[str, Any]) -> None:
    case = received_exchange(org)
    ready = case.reship_ready_at
    assert case.ship_check_at == ready + 24 * H + dt.timedelta(microseconds=1)
    # Before 24 h nothing is due (the scan does not even read the case).
    assert services.returns_ship_clock_scan(now=ready + 23 * H).checked == 0
    result = services.returns_ship_clock_scan(now=ready + 25 * H)
    assert (result.checked, result.notifications, result.breaches) == (1, 1, 0)
    assert notes(org["agent_a1"]) == [f"退换货单 {case.number} 已超过24小时发货时限"]
    assert notes(org["supervisor"]) == []
    # Idempotent: the same moment again sends nothing.
    assert services.returns_ship_clock_scan(now=ready + 25 * H).notifications == 0
    result = services.returns_ship_clock_scan(now=ready + 49 * H)
    assert (result.notifications, result.breaches) == (2, 1)
    assert notes(org["supervisor"]) == [f"退换货单 {case.number} 超过最迟发货时限（48小时）"]
    assert len(notes(org["agent_a1"])) == 2
    assert notes(org["manager"]) == []  # the nearest 主管 answers, not the whole ladder
    case.refresh_from_db()
    assert case.ship_notified == ["late", "breach"] and case.ship_check_at is None
    assert (
        AuditEvent.objects.filter(action="returns.ship_breach", object_id=str(case.pk)).count() == 1
    )
    # Once per breach: later scans send nothing more.
    assert services.returns_ship_clock_scan(now=ready + 200 * H).checked == 0
    assert Notification.objects.count() == 3


@pytest.mark.django_db
def test_shipping_stops_the_clock(org: dict[str, Any]) -> None:
    case = received_exchange(org)
    case = services.returncase_reship(actor=org["agent_a1"].user, case=case, tracking_no="SF2")
    assert case.stage == Stage.RESHIPPED and case.ship_check_at is None
    assert services.returns_ship_clock_scan(now=timezone.now() + 100 * H).checked == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_early_approval_starts_the_clock_and_a_late_scan_sends_both(org: dict[str, Any]) -> None:
    agent = org["agent_a1"].user
    case = services.returncase_create(
        actor=agent,
        case_type="exchange",
        reason="size",
        customer=CustomerFactory(),
        card_wanted_item="x",
    )
    assert case.ship_check_at is None
    case = services.returncase_approve_early_reship(
        actor=org["supervisor"].user, case=case, reason="老客户"
    )
    assert case.ship_check_at is not None
    result = services.returns_ship_clock_scan(now=case.reship_ready_at + 60 * H)
    assert (result.notifications, result.breaches) == (3, 1)


@pytest.mark.django_db
def test_breach_escalates_to_the_nearest_supervisor_above(
    org: dict[str, Any], make_employee: Any
) -> None:
    case = received_exchange(org)
    ReturnCase.objects.filter(pk=case.pk).update(department=org["cs_sub"])  # 售后服务组
    case.refresh_from_db()
    assert supervisors_of(case) == [org["supervisor"]]  # 客服部's 主管, one level up
    # Nobody on 行政人事部's line holds 主管/经理: every 主管 is told rather than nobody.
    extra = make_employee(Role.SUPERVISOR, department=org["cs_sub"])
    ReturnCase.objects.filter(pk=case.pk).update(department=org["hr_dept"])
    case.refresh_from_db()
    assert {e.pk for e in supervisors_of(case)} == {org["supervisor"].pk, extra.pk}
    ReturnCase.objects.filter(pk=case.pk).update(department=org["cs_sub"])
    case.refresh_from_db()
    assert supervisors_of(case) == [extra]  # the case's own department first


# --- the task chain --------------------------------------------------------------------------
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db
def test_immediate_backend_never_reschedules() -> None:
    from kefu.returns.tasks import returns_ship_clock_scan_task, schedule_next_scan

    assert schedule_next_scan() is False
    assert returns_ship_clock_scan_task.enqueue().return_value["checked"] == 0


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, KEFU_RETURNS_SCAN_SECONDS=120)
def test_chain_started_once_and_runs_one_interval_later() -> None:
    from django_tasks_db.models import DBTaskResult

    from kefu.returns.tasks import returns_ship_clock_scan_task, schedule_next_scan

    before = timezone.now()
    assert schedule_next_scan() is True
    assert schedule_next_scan() is False
    call_command("returns_clock_schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "kefu.returns.tasks.returns_ship_clock_scan_task"
    assert queued.run_after >= before + dt.timedelta(seconds=120)
    returns_ship_clock_scan_task.call()
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_scan_now_command(org: dict[str, Any], capsys: Any) -> None:
    case = received_exchange(org)
    ReturnCase.objects.filter(pk=case.pk).update(
        reship_ready_at=case.reship_ready_at - 30 * H, ship_check_at=timezone.now() - H
    )
    call_command("returns_clock_schedule", "--now")
    assert "已检查 1 张退换货单" in capsys.readouterr().out
    assert notes(org["agent_a1"]) == [f"退换货单 {case.number} 已超过24小时发货时限"]
