"""Demo attendance — 演示考勤 for ``manage.py seed_demo``: this month's clocks of the rostered demo
people up to yesterday, against the published roster the workforce demo made, with a few late,
absent and no-show days, one forgotten clock-out and its pending 补卡.

The clocks go through the time-clock import service (as the 考勤机 export would), the correction
through ``correction_create`` as the agent. Without a published roster nothing is made. Idempotent:
a month that already has demo clocks is left alone, so a second seed writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from typing import Any

from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.core.xlsx import ImportRow
from kefu.org.models import Employee
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import RosterEntry
from kefu.workforce.shifts import shift_window

from . import services
from .choices import CorrectionStatus, Direction
from .models import ClockCorrection, ClockEvent

logger = logging.getLogger(__name__)

DEVICE = "演示考勤机"
MAX_PEOPLE = 24


def _clocks(emp_id: int, index: int, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """The clocks of a person's ``index``-th working day of the month: mostly on time, and in
    every 20 days two late, one early leave, one forgotten clock-out, one 旷工 (45 minutes late)
    and, for every other person, one day without any clock (旷班)."""
    k = (index + emp_id) % 20
    minutes = dt.timedelta(minutes=1)
    jitter = zlib.crc32(f"{emp_id}:{index}".encode()) % 15
    if k == 10 and emp_id % 2 == 0:
        return []
    if k == 18:
        return [(start + (45 + jitter) * minutes, "上班"), (end + 5 * minutes, "下班")]
    if k in (3, 8):
        return [(start + (3 + jitter) * minutes, "上班"), (end + 2 * minutes, "下班")]
    if k == 13:
        return [(start - 10 * minutes, "上班"), (end - (5 + jitter) * minutes, "下班")]
    if k == 16:
        return [(start - 8 * minutes, "上班")]
    return [(start - (3 + jitter) * minutes, "上班"), (end + (1 + jitter) * minutes, "下班")]


def seed_demo_attendance(actor: Any) -> None:
    today = timezone.localdate()
    first = today.replace(day=1)
    yesterday = today - dt.timedelta(days=1)
    if yesterday < first:
        return  # the 1st: no past day of this month yet
    entries = list(
        RosterEntry.objects.filter(
            roster__status=RosterStatus.PUBLISHED, day__gte=first, day__lte=yesterday
        )
        .select_related("employee")
        .order_by("employee__employee_no", "day")
    )
    if not entries:
        logger.info("attendance demo: no published roster this month, nothing made")
        return
    people = sorted({e.employee_id for e in entries})[:MAX_PEOPLE]
    if ClockEvent.objects.filter(device=DEVICE, at__date__gte=first).exists():
        return
    employees = {e.pk: e for e in Employee.objects.filter(pk__in=people)}
    rows: list[ImportRow] = []
    forgotten: tuple[Employee, dt.date, dt.datetime] | None = None
    worked: dict[int, int] = {}
    for entry in entries:
        employee = employees.get(entry.employee_id)
        if employee is None or not employee.is_active or entry.day < employee.hire_date:
            continue
        window = shift_window(entry.code, entry.day)
        if window is None:
            continue
        worked[employee.pk] = worked.get(employee.pk, 0) + 1
        clocks = _clocks(employee.pk, worked[employee.pk], *window)
        if (
            forgotten is None
            and entry.day >= today - dt.timedelta(days=2)
            and employee.user.has_perm("attendance.add_clockcorrection")
        ):
            clocks = [(window[0] - dt.timedelta(minutes=6), "上班")]  # forgot to clock out
            forgotten = (employee, entry.day, window[1] + dt.timedelta(minutes=4))
        for at, kind in clocks:
            if at >= timezone.now():
                continue
            local = timezone.localtime(at)
            rows.append(
                ImportRow(
                    line=len(rows) + 2,
                    values={
                        "employee_no": employee.employee_no,
                        "time": local.replace(tzinfo=None),
                        "direction": Direction.IN if kind == "上班" else Direction.OUT,
                        "device": DEVICE,
                    },
                )
            )
    if rows:
        result = services.clock_import(actor=actor, rows=rows)
        if result.errors:
            logger.warning("attendance demo: %s", [str(e) for e in result.errors[:5]])
    if (
        forgotten is not None
        and not ClockCorrection.objects.filter(status=CorrectionStatus.PENDING).exists()
    ):
        employee, day, at = forgotten
        try:
            services.correction_create(
                actor=employee.user,
                day=day,
                direction=Direction.OUT,
                at=min(at, timezone.now()),
                reason="下班时系统繁忙，忘记打下班卡",
            )
        except DomainError as exc:  # e.g. no superior on the reporting line
            logger.info("attendance demo: no pending correction (%s)", exc.message)
