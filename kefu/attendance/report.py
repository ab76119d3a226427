"""考勤月报 — the monthly attendance report (WFM-6, RPT-2): pure aggregation, no database.

One line per person of the department: days rostered and worked, lateness and early leave (times
and minutes), missing clocks, 旷工 and 旷班 days, leave days (by type when the leave module tells
the type), rest days, approved corrections and the month's deductions. The symbols of the daily
grid are the ones attendance clerks write in a paper 考勤表.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .choices import DayStatus

WORKED = {DayStatus.NORMAL, DayStatus.LATE, DayStatus.EARLY, DayStatus.LATE_EARLY}
NOT_SCHEDULED = {DayStatus.REST, DayStatus.LEAVE, DayStatus.UNSCHEDULED}
SYMBOLS: dict[str, str] = {
    DayStatus.NORMAL: "√",
    DayStatus.LATE: "迟",
    DayStatus.EARLY: "早",
    DayStatus.LATE_EARLY: "迟早",
    DayStatus.MISSED: "缺",
    DayStatus.ABSENT: "旷",
    DayStatus.TRUANCY: "旷班",
    DayStatus.LEAVE: "假",
    DayStatus.REST: "休",
    DayStatus.UNSCHEDULED: "",
    DayStatus.PENDING: "",
}
LEGEND = "√ 正常　迟 迟到　早 早退　缺 缺卡　旷 旷工　旷班 擅自休息　假 请假　休 休息"
UNTYPED_LEAVE = "请假"


@dataclass(frozen=True)
class Person:
    id: int
    employee_no: str
    name: str
    team: str


@dataclass(frozen=True)
class DayRow:
    employee_id: int
    day: dt.date
    status: str
    late_minutes: int = 0
    early_minutes: int = 0
    missing_in: bool = False
    missing_out: bool = False
    final: bool = True
    points: Decimal = Decimal(0)
    money: Decimal = Decimal(0)
    pay_days: Decimal = Decimal(0)


@dataclass
class ReportLine:
    """考勤月报 one person."""

    person: Person
    scheduled_days: int = 0
    worked_days: int = 0
    late_count: int = 0
    late_minutes: int = 0
    early_count: int = 0
    early_minutes: int = 0
    missed_count: int = 0
    absence_days: int = 0
    truancy_days: int = 0
    leave_days: int = 0
    leave_by_type: dict[str, int] = field(default_factory=dict)
    rest_days: int = 0
    corrections: int = 0
    open_days: int = 0
    points: Decimal = Decimal(0)
    money: Decimal = Decimal(0)
    pay_days: Decimal = Decimal(0)
    grid: dict[dt.date, str] = field(default_factory=dict)
    note: str = ""

    @property
    def deducted_points(self) -> Decimal:
        """扣分 as a positive number (the stored amounts are signed)."""
        return -self.points

    @property
    def fined(self) -> Decimal:
        """罚款 as a positive number."""
        return -self.money


@dataclass
class MonthReport:
    month: dt.date
    days: list[dt.date]
    lines: list[ReportLine]
    leave_types: list[str]
    totals: ReportLine


_SUMMED = (
    "scheduled_days",
    "worked_days",
    "late_count",
    "late_minutes",
    "early_count",
    "early_minutes",
    "missed_count",
    "absence_days",
    "truancy_days",
    "leave_days",
    "rest_days",
    "corrections",
    "open_days",
    "points",
    "money",
    "pay_days",
)


def _add(line: ReportLine, row: DayRow, leave_type: str | None) -> None:
    status = row.status
    line.grid[row.day] = SYMBOLS.get(status, "")
    if status not in NOT_SCHEDULED:
        line.scheduled_days += 1
    has_clock = not (row.missing_in and row.missing_out)
    if status in WORKED or (status == DayStatus.MISSED and has_clock):
        line.worked_days += 1
    if row.late_minutes and status != DayStatus.ABSENT:
        line.late_count += 1
        line.late_minutes += row.late_minutes
    if row.early_minutes and status != DayStatus.ABSENT:
        line.early_count += 1
        line.early_minutes += row.early_minutes
    line.missed_count += int(row.missing_in and has_clock) + int(row.missing_out and has_clock)
    if status == DayStatus.ABSENT:
        line.absence_days += 1
    elif status == DayStatus.TRUANCY:
        line.truancy_days += 1
    elif status == DayStatus.LEAVE:
        line.leave_days += 1
        kind = leave_type or UNTYPED_LEAVE
        line.leave_by_type[kind] = line.leave_by_type.get(kind, 0) + 1
    elif status == DayStatus.REST:
        line.rest_days += 1
    if not row.final:
        line.open_days += 1
    line.points += row.points
    line.money += row.money
    line.pay_days += row.pay_days


def build_report(
    *,
    month: dt.date,
    people: Iterable[Person],
    rows: Iterable[DayRow],
    leave_types: Mapping[tuple[int, dt.date], str],
    corrections: Mapping[int, int],
    dismissal_days: int,
) -> MonthReport:
    """The month's report from the classified days of the department's people."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    days = [first + dt.timedelta(days=i) for i in range((nxt - first).days)]
    lines = {p.id: ReportLine(person=p) for p in people}
    for row in rows:
        line = lines.get(row.employee_id)
        if line is not None and first <= row.day < nxt:
            _add(line, row, leave_types.get((row.employee_id, row.day)))
    types: dict[str, None] = {}
    for line in lines.values():
        line.corrections = corrections.get(line.person.id, 0)
        bad = line.absence_days + line.truancy_days
        if bad >= dismissal_days:
            line.note = f"旷工/旷班累计{bad}天，已达{dismissal_days}天辞退线"
        for kind in line.leave_by_type:
            types[kind] = None
    ordered = sorted(lines.values(), key=lambda x: (x.person.team, x.person.employee_no))
    totals = ReportLine(person=Person(0, "", "合计", ""))
    sums: dict[str, int] = defaultdict(int)
    for line in ordered:
        for name in _SUMMED:
            setattr(totals, name, getattr(totals, name) + getattr(line, name))
        for kind, n in line.leave_by_type.items():
            sums[kind] += n
    totals.leave_by_type = dict(sums)
    leave_order = sorted(types, key=lambda k: (k == UNTYPED_LEAVE, k))
    return MonthReport(
        month=first, days=days, lines=ordered, leave_types=leave_order, totals=totals
    )


def line_json(line: ReportLine) -> dict[str, object]:
    """One line as the submission snapshot stores it."""
    return {
        "employee_id": line.person.id,
        "employee_no": line.person.employee_no,
        "name": line.person.name,
        "team": line.person.team,
        **{name: str(getattr(line, name)) for name in _SUMMED},
        "leave_by_type": line.leave_by_type,
        "note": line.note,
    }
