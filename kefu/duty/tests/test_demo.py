"""seed_demo for duty: two handovers (one confirmed, one waiting), presence events; idempotent;
the scan command runs once on demand."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from kefu.core.models import AuditEvent
from kefu.duty.demo import seed_demo_duty
from kefu.duty.models import Handover, PresenceEvent
from kefu.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_without_a_roster(org: dict[str, Any]) -> None:
    EmployeeFactory(
        employee_no="KF013", department=org["cs"], team=org["team_a"], superior=org["lead_a"]
    )
    seed_demo_duty(org["sysadmin"].user)
    statuses = sorted(Handover.objects.values_list("status", flat=True))
    assert statuses == ["acknowledged", "pending"]
    events = (PresenceEvent.objects.count(), AuditEvent.objects.count())
    seed_demo_duty(org["sysadmin"].user)
    assert Handover.objects.count() == 2
    assert (PresenceEvent.objects.count(), AuditEvent.objects.count()) == events


def test_schedule_command_scans_now() -> None:
    out = StringIO()
    call_command("duty_handover_schedule", "--now", stdout=out)
    assert "已检查" in out.getvalue()
    out = StringIO()
    call_command("duty_handover_schedule", stdout=out)  # immediate backend in tests: no chain
    assert "无需排定" in out.getvalue()


def test_seed_demo_follows_a_published_roster(org: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    from kefu.duty.models import HandoverFlag, PresenceViolation

    from .factories import publish

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    publish(
        org["team_a"], {(org["agent_a1"], yesterday): "day", (org["agent_a2"], yesterday): "night"}
    )
    seed_demo_duty(org["sysadmin"].user)
    # The first shift of the window is left without a handover; the night one waits.
    assert list(HandoverFlag.objects.filter(kind="missing").values_list("employee", flat=True)) == [
        org["agent_a1"].pk
    ]
    h = Handover.objects.get()
    assert (h.author, h.shift_code, h.status) == (org["agent_a2"], "night", "pending")
    assert PresenceViolation.objects.get().employee == org["agent_a1"]  # the 40-minute drop
