"""Demo data (idempotent, fast), the daily self-rescheduling run, the dashboard widget."""

from __future__ import annotations

import datetime as dt
import time
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kefu.attendance import tasks
from kefu.attendance.choices import CorrectionStatus, DayStatus
from kefu.attendance.demo import seed_demo_attendance
from kefu.attendance.models import AttendanceDay, ClockCorrection, ClockEvent
from kefu.core.models import AuditEvent

from .conftest import NOW, TODAY
from .factories import local

pytestmark = pytest.mark.django_db


def test_demo_makes_a_month_of_clocks_once(org, roster, frozen) -> None:
    admin = get_user_model().objects.create_superuser("demo-admin", "", "x")
    started = time.perf_counter()
    seed_demo_attendance(admin)
    assert time.perf_counter() - started < 20
    events = ClockEvent.objects.count()
    assert events > 40
    assert not ClockEvent.objects.filter(at__gte=NOW).exists()
    statuses = set(AttendanceDay.objects.values_list("status", flat=True))
    assert {DayStatus.NORMAL, DayStatus.LATE} <= statuses
    assert statuses & {DayStatus.ABSENT, DayStatus.TRUANCY}
    pending = ClockCorrection.objects.get(status=CorrectionStatus.PENDING)
    assert pending.day >= TODAY - dt.timedelta(days=2) and pending.direction == "out"
    audit = AuditEvent.objects.count()
    seed_demo_attendance(admin)  # a second seed writes nothing
    assert ClockEvent.objects.count() == events and AuditEvent.objects.count() == audit
    assert ClockCorrection.objects.count() == 1


def test_demo_without_a_roster_makes_nothing(org, frozen) -> None:
    seed_demo_attendance(None)
    assert not ClockEvent.objects.exists() and not ClockCorrection.objects.exists()


def test_next_daily_run_is_the_policy_time(org) -> None:
    at = tasks.next_daily_run(local(TODAY, 0, 10))
    assert at == local(TODAY, 1, 30)
    assert tasks.next_daily_run(local(TODAY, 1, 30)) == local(TODAY + dt.timedelta(days=1), 1, 30)


def test_schedule_command_and_immediate_backend(org, roster, frozen) -> None:
    out = StringIO()
    call_command("attendance_classify_schedule", stdout=out)
    assert "无需排定" in out.getvalue()  # tests run tasks at once: no self-scheduling chain
    out = StringIO()
    call_command("attendance_classify_schedule", "--now", stdout=out)
    assert "已计算 8 个人天" in out.getvalue()
    out = StringIO()
    call_command("attendance_classify", "--from", "2026-03-01", "--to", "2026-03-18", stdout=out)
    assert "已计算 36 个人天" in out.getvalue()


def test_schedule_enqueues_once_on_a_deferring_backend(org, monkeypatch) -> None:
    queued: list[dt.datetime] = []

    class Backend:
        supports_defer = True

    class FakeTask:
        def using(self, *, run_after: dt.datetime) -> Any:
            class Queued:
                def enqueue(self) -> None:
                    queued.append(run_after)

            return Queued()

    monkeypatch.setattr(tasks, "default_task_backend", Backend())
    monkeypatch.setattr(tasks, "attendance_classify_daily_task", FakeTask())
    waiting = {"n": 0}
    monkeypatch.setattr(tasks, "_waiting_daily_runs", lambda: waiting["n"])
    at = tasks.schedule_next_daily_run(now=local(TODAY, 3))
    assert at == local(TODAY + dt.timedelta(days=1), 1, 30) and queued == [at]
    waiting["n"] = 1
    assert tasks.schedule_next_daily_run(now=local(TODAY, 3)) is None and len(queued) == 1


def test_daily_task_classifies_as_the_system(org, roster, frozen) -> None:
    tasks.attendance_classify_daily_task.enqueue()
    assert AttendanceDay.objects.filter(day=dt.date(2026, 3, 17)).count() == 2
    event = AuditEvent.objects.get(action="attendance.classify_daily")
    assert event.actor_id is None


def test_dashboard_widget_loads_itself(org, roster, frozen, client_for) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/dashboard/")
    request.user = org["agent_a1"].user
    template = Template('{% include "attendance/_clock_widget.html" %}')
    from django.contrib.auth.context_processors import PermWrapper

    html = template.render(Context({"perms": PermWrapper(request.user), "request": request}))
    assert 'hx-get="/attendance/clock/widget/"' in html
    html = template.render(Context({"perms": PermWrapper(org["warehouse"].user)}))
    assert "clock-widget" not in html
    panel = client_for(org["agent_a1"].user).get("/attendance/clock/widget/").content.decode()
    assert "上班打卡" in panel and "白班 08:30–17:30" in panel
