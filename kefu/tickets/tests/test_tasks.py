"""The periodic SLA scan — 时限扫描任务: schedules itself once, never piles up, escalates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kefu.core.models import Notification
from kefu.tickets.tasks import schedule_next_scan, tickets_sla_scan_task
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_immediate_backend_never_reschedules() -> None:
    # The test settings run tasks at once: a self-scheduling task must not recurse.
    assert schedule_next_scan() is False
    assert tickets_sla_scan_task.enqueue().return_value["checked"] == 0


@override_settings(TASKS=DB_TASKS, KEFU_SLA_SCAN_SECONDS=90)
def test_chain_is_started_once_and_runs_one_interval_later() -> None:
    before = timezone.now()
    assert schedule_next_scan() is True
    assert schedule_next_scan() is False
    call_command("sla_schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "kefu.tickets.tasks.tickets_sla_scan_task"
    assert queued.run_after >= before + dt.timedelta(seconds=90)
    # A run that ends while another is waiting does not add a second chain.
    tickets_sla_scan_task.call()
    assert DBTaskResult.objects.count() == 1


def test_scan_now_command_escalates(org: dict[str, Any], capsys: Any) -> None:
    ticket = make_ticket(org["agent_a1"], channel="online_chat", priority="urgent")
    type(ticket).objects.filter(pk=ticket.pk).update(
        received_at=ticket.received_at - dt.timedelta(days=2),
        next_sla_check_at=timezone.now() - dt.timedelta(days=1),
    )
    call_command("sla_schedule", "--now")
    assert "已检查 1 张工单" in capsys.readouterr().out
    assert Notification.objects.filter(recipient=org["agent_a1"].user).exists()
