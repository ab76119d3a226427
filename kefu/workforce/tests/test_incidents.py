"""Workforce incidents registry: sources are merged, filtered by the source, sorted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kefu.workforce import incidents
from kefu.workforce.incidents import WorkforceIncident, register_incident_source


def _incident(source: str, emp: int, day: int) -> WorkforceIncident:
    return WorkforceIncident(
        source=source,
        rule="late",
        employee_id=emp,
        day=dt.date(2026, 12, day),
        points=Decimal("-0.5"),
        money=Decimal(0),
        description="迟到",
        ref=f"{source}:{emp}:{day}",
    )


def test_sources_are_merged_in_day_then_employee_order(monkeypatch):
    monkeypatch.setattr(incidents, "_SOURCES", {})
    register_incident_source("b", lambda s, e, ids: [_incident("b", 2, 3), _incident("b", 1, 5)])
    register_incident_source("a", lambda s, e, ids: [_incident("a", 9, 3)])
    found = incidents.workforce_incidents(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert [(i.day.day, i.employee_id) for i in found] == [(3, 2), (3, 9), (5, 1)]
    register_incident_source("a", lambda s, e, ids: [])  # re-registering replaces
    assert len(incidents.workforce_incidents(dt.date(2026, 12, 1), dt.date(2026, 12, 31))) == 2
