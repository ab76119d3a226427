"""seed_demo for meetings: the standing meetings with past minutes, one mentoring pair; idempotent;
the schedule command generates on demand."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from kefu.core.models import AuditEvent
from kefu.meetings.demo import seed_demo_meetings
from kefu.meetings.models import Meeting, MeetingOccurrence, Mentorship, TrainingRecord
from kefu.org.choices import Role
from kefu.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(org: dict[str, Any]) -> None:
    # The demo company's 回访组 and a fresh hire in team A.
    EmployeeFactory(department=org["cs"], team=org["team_a"], roles=[Role.AGENT])
    seed_demo_meetings(org["sysadmin"].user)
    assert Meeting.objects.count() == 3
    assert MeetingOccurrence.objects.exclude(minutes="").count() >= 1
    pair = Mentorship.objects.get()
    assert TrainingRecord.objects.filter(mentorship=pair).count() == 2
    assert TrainingRecord.objects.filter(kind="product").count() == 1
    counts = (MeetingOccurrence.objects.count(), AuditEvent.objects.count())
    seed_demo_meetings(org["sysadmin"].user)
    assert (MeetingOccurrence.objects.count(), AuditEvent.objects.count()) == counts


def test_schedule_command() -> None:
    out = StringIO()
    call_command("meetings_schedule", "--now", stdout=out)
    assert "已生成" in out.getvalue()
    out = StringIO()
    call_command("meetings_schedule", stdout=out)
    assert "无需排定" in out.getvalue()
