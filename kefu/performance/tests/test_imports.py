"""Imports of the workforce incidents — idempotent, escalating (WFM-7), skipping unknown rules;
the import job and the close preparer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.errors import PermissionDeniedError
from kefu.core.models import BackgroundJob
from kefu.performance.models import Incident
from kefu.performance.payroll import run_close_preparers
from kefu.performance.services import imports
from kefu.workforce.incidents import WorkforceIncident

D = Decimal


def _wi(org: dict, ref: str, rule: str, **kw) -> WorkforceIncident:
    args = {
        "source": "handover",
        "rule": rule,
        "employee_id": org["agent_a1"].pk,
        "day": kw.pop("day", timezone.localdate() - dt.timedelta(days=1)),
        "points": D(0),
        "money": D("-10"),
        "description": "未交班：白班",
        "ref": ref,
        "link": "/duty/handovers/?tab=flags",
        "quantity": D(1),
    }
    args.update(kw)
    return WorkforceIncident(**args)


@pytest.fixture
def found(monkeypatch: pytest.MonkeyPatch) -> list[WorkforceIncident]:
    items: list[WorkforceIncident] = []
    monkeypatch.setattr(imports, "workforce_incidents", lambda start, end: list(items))
    return items


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.mark.django_db
def test_escalation_idempotency_and_skips(org: dict, found: list) -> None:
    day = _yesterday()
    found += [
        _wi(org, "duty.handoverflag:1", "missed_handover", day=day),
        _wi(org, "duty.handoverflag:2", "missed_handover", day=day),
        _wi(org, "duty.handoverflag:3", "missed_handover", day=day),
        _wi(
            org,
            "attendance.attendanceday:7:late",
            "late",
            source="attendance",
            points=D("-1"),
            money=D(0),
            day=day,
        ),
        _wi(org, "x:1", "no_such_rule", day=day),
    ]
    result = imports.incidents_import(actor=org["manager"].user, start=day, end=day)
    assert (result.read, result.booked, result.already, result.skipped) == (5, 4, 0, 1)
    assert dict(result.skipped_rules) == {"no_such_rule": 1}
    lines = list(Incident.objects.filter(rule="missed_handover").order_by("id"))
    assert [(i.occurrence, i.money, i.dismissal_proposed) for i in lines] == [
        (1, D("-10.00"), False),
        (2, D("-20.00"), False),
        (3, D("0.00"), True),
    ]
    assert all(i.status == "confirmed" and i.source == "handover" for i in lines)
    late = Incident.objects.get(rule="late")
    assert (late.points, late.source, late.evidence_ref) == (
        D("-1"),
        "attendance",
        "attendance.attendanceday:7:late",
    )
    again = imports.incidents_import(actor=org["manager"].user, start=day, end=day)
    assert (again.booked, again.already, again.skipped) == (0, 4, 1)
    assert Incident.objects.count() == 4


@pytest.mark.django_db
def test_import_refused_without_permission(org: dict, found: list) -> None:
    found.append(_wi(org, "duty.handoverflag:9", "missed_handover"))
    for who in ("agent_a1", "lead_a", "hr"):
        with pytest.raises(PermissionDeniedError):
            imports.incidents_import(actor=org[who].user, start=_yesterday(), end=_yesterday())
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_job_and_close_preparer(org: dict, found: list) -> None:
    found.append(_wi(org, "duty.handoverflag:5", "missed_handover"))
    job = imports.incident_import_submit(
        actor=org["supervisor"].user, start=_yesterday(), end=_yesterday()
    )
    job = BackgroundJob.objects.get(pk=job.pk)  # the immediate backend ran it
    assert job.status == "succeeded"
    assert job.result["booked"] == 1
    summaries = run_close_preparers(_yesterday().replace(day=1), org["manager"].user)
    assert any("已入账 1 条" in s for s in summaries)
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_performance_schedule_now(org: dict, found: list) -> None:
    from django.core.management import call_command

    found.append(_wi(org, "duty.handoverflag:6", "missed_handover"))
    call_command("performance_schedule", "--now")
    assert Incident.objects.get().recorded_by is None
