"""Workforce incidents — 考勤/交接班/在线/例会事件 for the performance module (WFM-5..9 → PERF).

Each workforce module that classifies an event with a penalty or reward (迟到, 旷工, 旷班, 早退,
交接班缺失, 当班离线, 例会缺席 …) registers a *source*: a function that lists its incidents for a
date range. The performance module reads them through ``workforce_incidents`` (and the API
``GET /api/v1/workforce/incidents``) and turns them into its incident ledger; the amounts here are
the ones of the policy version in force on the incident's day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class WorkforceIncident:
    """One penalty- or reward-relevant event — 事件.

    ``points`` and ``money`` are signed: negative = deduction (扣分/罚款), positive = reward.
    ``ref`` identifies the evidence row (``"attendance.attendanceday:123"``) so re-reading is
    idempotent for the consumer; ``link`` opens it.
    """

    source: str  # "attendance" | "handover" | "presence" | "meetings" | "mentoring"
    rule: str  # e.g. "late", "absence", "truancy", "early_leave", "missed_handover", "offline"
    employee_id: int
    day: dt.date
    points: Decimal
    money: Decimal
    description: str  # Chinese, shown as is
    ref: str
    link: str = ""
    quantity: Decimal = Decimal(0)  # minutes late, occurrences … where the rule has one


# source(start, end, employee_ids or None) → incidents with start <= day <= end.
IncidentSource = Callable[[dt.date, dt.date, Sequence[int] | None], Iterable[WorkforceIncident]]

_SOURCES: dict[str, IncidentSource] = {}


def register_incident_source(key: str, source: IncidentSource) -> None:
    """Called from an app's ``ready()``; one source per key (re-registering replaces it)."""
    _SOURCES[key] = source


def workforce_incidents(
    start: dt.date, end: dt.date, employee_ids: Sequence[int] | None = None
) -> list[WorkforceIncident]:
    """Every registered source's incidents in ``start``..``end``, by day then employee."""
    found: list[WorkforceIncident] = []
    for key in sorted(_SOURCES):
        found.extend(_SOURCES[key](start, end, employee_ids))
    return sorted(found, key=lambda i: (i.day, i.employee_id, i.source, i.ref))
