"""Clock in / out — 打卡: one button, the time from the server, double clicks absorbed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.core import audit
from kefu.org.models import Employee

from ..choices import ClockSource
from ..frames import Frame, clocks_in, frame_at, next_direction
from ..models import ClockEvent
from ..policy import attendance_policy
from .classification import reclassify_around
from .common import CLOCK, acting_employee, require

NOTE_MAX = 200
WEB_DEVICE = "网页"


@dataclass(frozen=True)
class PunchResult:
    """What one press of the clock button did: the clock, and whether it was a repeat."""

    event: ClockEvent
    repeated: bool
    frame: Frame


@transaction.atomic
def clock_punch(
    *, actor: Any, note: str = "", device: str = "", now: dt.datetime | None = None
) -> PunchResult:
    """打卡 — clock in or out at the server's time (``now`` is for tests and demo data only).

    The direction follows from the day's clocks: the first of the work day is 上班, later ones
    下班. A second press within the policy's ``repeat_clock_seconds`` returns the first clock
    unchanged (double click, two tabs), so does a press in the same second from a parallel
    request. The day is classified again at once. Audited.
    """
    require(actor, CLOCK)
    employee = acting_employee(actor)
    # Serialise the person's presses: two requests of one double click run one after the other.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    at = (now or timezone.now()).replace(microsecond=0)
    repeat = attendance_policy(timezone.localdate(at)).repeat_clock_seconds
    last = ClockEvent.objects.filter(employee=employee).order_by("-at", "-id").first()
    frame = frame_at(employee.pk, at)
    if last is not None and dt.timedelta(0) <= at - last.at < dt.timedelta(seconds=repeat):
        return PunchResult(event=last, repeated=True, frame=frame)
    direction = next_direction(frame, clocks_in(employee.pk, frame.window))
    note = (note or "").strip()[:NOTE_MAX]
    try:
        with transaction.atomic():
            event = ClockEvent.objects.create(
                employee=employee,
                at=at,
                direction=direction,
                source=ClockSource.WEB,
                device=(device or WEB_DEVICE).strip()[:60],
                note=note,
                created_by=actor,
            )
    except IntegrityError:
        existing = ClockEvent.objects.get(employee=employee, at=at)
        return PunchResult(event=existing, repeated=True, frame=frame)
    reclassify_around(employee.pk, at)
    audit.record(
        actor=actor,
        action="attendance.clock",
        obj=event,
        after={
            "employee": employee.pk,
            "at": at,
            "direction": direction,
            "source": ClockSource.WEB,
            "work_day": frame.day,
        },
    )
    return PunchResult(event=event, repeated=False, frame=frame)
