"""seed_demo for visits: plans from demo installations, a few recorded visits, idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.visits.demo import seed_demo_visits
from kefu.visits.models import CareTask, VisitTask

from .factories import make_installation

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(org: dict[str, Any]) -> None:
    for i in range(3):
        make_installation(acceptance=timezone.localdate() - dt.timedelta(days=20 + i), grade="key")
    seed_demo_visits(org["sysadmin"].user)
    counts = (VisitTask.objects.count(), VisitTask.objects.filter(status="done").count())
    assert counts[1] == 3 and CareTask.objects.count() == 3
    events = AuditEvent.objects.count()
    seed_demo_visits(org["sysadmin"].user)
    assert (VisitTask.objects.count(), VisitTask.objects.filter(status="done").count()) == counts
    assert AuditEvent.objects.count() == events  # a second seed writes nothing
