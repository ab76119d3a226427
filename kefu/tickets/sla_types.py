"""SLA vocabulary — 工单时限的时钟与数据: the clocks a target's time is counted on, and the plain
data the SLA rules take and give (subject, pause, milestone, target, plan, deadlines, reading,
step).

The rules over them — ``plan_for``, ``compute_due``, ``clock_at``, ``escalation_step`` and the
loader ``compute_due_on_calendar`` — are ``kefu.tickets.sla``, which re-exports every name here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from kefu.core.calendar import (
    SHANGHAI,
    BusinessCalendar,
    WorkSchedule,
    add_business_time,
)
from kefu.core.policy.schemas import SlaPolicy

from .choices import Priority, SlaStage
from .policy import TicketsPolicy

__all__ = [
    "ClockKind",
    "ClockReading",
    "EveryDayCalendar",
    "Milestone",
    "Pause",
    "SlaClock",
    "SlaDue",
    "SlaPlan",
    "SlaStep",
    "SlaSubject",
    "SlaTarget",
    "build_clock",
]

ZERO = dt.timedelta(0)
_ZERO = ZERO
_DAY = dt.timedelta(days=1)


class ClockKind(StrEnum):
    """Which clock a target runs on."""

    ONLINE = "online"  # 线上渠道: tickets.online_hours, every day by default
    OFFLINE = "offline"  # 线下渠道: working hours on 工作日
    CALENDAR = "calendar"  # 自然日: every instant of every day (CMP-6's default)


@dataclass(frozen=True)
class EveryDayCalendar(BusinessCalendar):
    """A calendar on which every day is worked (online channels, calendar-day limits)."""

    def is_workday(self, day: dt.date) -> bool:
        return True


_ALL_DAY = WorkSchedule.from_pairs([["00:00", "24:00"]], tz=SHANGHAI)


@dataclass(frozen=True)
class SlaClock:
    """SlaClock — 计时时钟: the working windows and the calendar a target's time is counted on."""

    kind: ClockKind
    schedule: WorkSchedule
    calendar: BusinessCalendar

    @property
    def day_length(self) -> dt.timedelta:
        """Clock time in one (working) day: 24 h on the calendar clock, 15.5 h on 08:30–24:00."""
        return dt.timedelta(seconds=self.schedule.seconds_per_day)

    def add(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The latest instant at which exactly ``amount`` of clock time has run since ``start``."""
        return add_business_time(start, amount, self.schedule, self.calendar)

    def measure(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Clock time in ``[a, b)``, to the microsecond (zero when ``b <= a``)."""
        a_utc, b_utc = a.astimezone(dt.UTC), b.astimezone(dt.UTC)
        if b_utc <= a_utc:
            return _ZERO
        tz = self.schedule.tz
        day, last = a_utc.astimezone(tz).date(), b_utc.astimezone(tz).date()
        total = _ZERO
        while day <= last:
            if self.calendar.is_workday(day):
                for start, end in self.schedule.windows(day):
                    low, high = max(start, a_utc), min(end, b_utc)
                    if high > low:
                        total += high - low
            day += _DAY
        return total


def build_clock(
    kind: ClockKind, *, tickets: TicketsPolicy, sla: SlaPolicy, calendar: BusinessCalendar
) -> SlaClock:
    """The clock of ``kind`` under these policies; ``calendar`` holds the 节假日 and 调休 days."""
    if kind == ClockKind.CALENDAR:
        return SlaClock(kind, _ALL_DAY, EveryDayCalendar())
    if kind == ClockKind.ONLINE:
        schedule = WorkSchedule.from_pairs(tickets.online_hours, tz=SHANGHAI)
        online_calendar = EveryDayCalendar() if tickets.online_ignores_holidays else calendar
        return SlaClock(kind, schedule, online_calendar)
    pairs = tickets.offline_hours if tickets.offline_hours is not None else sla.business_hours
    return SlaClock(kind, WorkSchedule.from_pairs(pairs, tz=SHANGHAI), calendar)


# --- inputs and outputs ---------------------------------------------------------------------
@dataclass(frozen=True)
class SlaSubject:
    """SlaSubject — 计时对象: what the targets depend on. ``received_at`` is the 受理 time."""

    received_at: dt.datetime
    channel: str
    kind: str
    priority: str = Priority.NORMAL.value
    subkind: str = ""
    customer_grade: str = ""


@dataclass(frozen=True)
class Pause:
    """Pause — 暂停计时: a period in 待客户/已解决/已关闭; ``end`` None while it lasts."""

    start: dt.datetime
    end: dt.datetime | None = None


@dataclass(frozen=True)
class Milestone:
    """A step of a target: a warning before the deadline or a rung of the escalation ladder.

    ``offset`` is clock time relative to the deadline (negative = before). ``notify`` is
    ``"owner"`` (the ticket's 处理人) or a 职级 (kefu.org.choices.Level) above the owner.
    """

    stage: SlaStage
    offset: dt.timedelta
    notify: str
    label: str


@dataclass(frozen=True)
class SlaTarget:
    """SlaTarget — 时限: ``budget`` of clock time on ``clock``; ``source`` names the policy entry."""

    name: str  # "first_response", "resolution" (or "unpaid_order_chase")
    title: str  # 首次响应时限 / 解决时限 / 投诉结案时限
    budget: dt.timedelta
    clock: SlaClock
    pausable: bool
    source: str
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class SlaPlan:
    """SlaPlan — 时限方案: the targets of one ticket, counted from ``start`` (the 受理 time)."""

    start: dt.datetime
    first_response: SlaTarget
    resolution: SlaTarget


@dataclass(frozen=True)
class SlaDue:
    """SlaDue — 到期时间: the deadlines with the pauses so far, and every step's instant.

    ``projected`` is true when an open pause was assumed to end at ``as_of`` (the ticket is
    waiting on the customer now: these are the deadlines if the customer answered this moment).
    """

    first_response_due: dt.datetime
    resolution_due: dt.datetime
    milestones: tuple[tuple[dt.datetime, Milestone], ...]
    projected: bool


@dataclass(frozen=True)
class ClockReading:
    """ClockReading — 计时读数 at ``at``: clock time used against the budget."""

    at: dt.datetime
    elapsed: dt.timedelta
    budget: dt.timedelta
    paused: bool

    @property
    def remaining(self) -> dt.timedelta:
        """Budget left; negative once the deadline is passed."""
        return self.budget - self.elapsed

    @property
    def breached(self) -> bool:
        """已超时: more than the budget has been used."""
        return self.elapsed > self.budget

    @property
    def overdue(self) -> dt.timedelta:
        """How far past the deadline, in clock time (zero while on time)."""
        return max(self.elapsed - self.budget, _ZERO)


@dataclass(frozen=True)
class SlaStep:
    """SlaStep — 时限状态: the stage, the last step reached (whom to notify) and the next one.

    ``reached`` are the indexes into ``target.milestones`` of all steps reached so far; a
    service that remembers the last one it notified sends the ones after it (catching up after
    downtime without repeating).
    """

    stage: SlaStage
    reached: tuple[int, ...]
    current: Milestone | None
    next: Milestone | None
