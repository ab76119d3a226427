"""SLA clock — 工单时限 (TKT-4, CMP-6): deadlines, pauses, warnings and the escalation ladder.

Pure functions over plain data (the database layer at the end only loads policy and calendar):

* ``plan_for(subject, tickets=…, sla=…, calendar=…)`` → ``SlaPlan``: for the ticket's channel,
  kind, sub-kind, priority and customer grade, the two targets — 首次响应 and 解决 — each a budget
  of clock time on a clock, with the resolution target's warnings and escalation ladder;
* ``compute_due(plan, pauses)`` → ``SlaDue``: first-response and resolution deadlines shifted by
  the pauses, and the instant of every warning and escalation step;
* ``clock_at(plan.start, target, pauses, at)`` → ``ClockReading``: time used, remaining or
  overdue at a moment, and whether the clock is paused;
* ``escalation_step(reading, target)`` → ``SlaStep``: 正常 / 即将超时 / 已超时, the warning or
  rung reached and whom it notifies.

Clocks. Online channels (``choices.ONLINE_CHANNELS``) run on ``tickets.online_hours`` (00:00–24:00
by default) on every day, holidays included; offline channels on ``tickets.offline_hours`` or, by
default, the 客服部's service hours ``sla.business_hours``, on 工作日 only (法定节假日 skipped,
调休上班日 worked). A complaint's limit (CMP-6) runs on the *calendar* clock (every instant of
every day) by default, or on the offline clock counting 工作日 when ``complaint.basis`` is
``business_days``.

Pauses. The clock does not run while the ticket waits on the customer (待客户) or is settled
(已解决/已关闭, until a 重新打开): the service passes those periods as ``Pause`` intervals (the
statemachine's ``Transition.clock`` says when one starts and ends; the last may still be open).
A pause only ever moves deadlines later.

Semantics (those of kefu.core.calendar): a deadline is the *latest* instant at which no more than
the budget has been used, so an action at or before the deadline is on time. A step (warning,
breach, escalation rung) at offset ``o`` from the deadline is reached once *more* than
``budget + o`` has been used, i.e. just after the instant ``compute_due`` gives for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from kefu.core.calendar import (
    SHANGHAI,
    BusinessCalendar,
)
from kefu.core.policy.schemas import SlaPolicy
from kefu.org.choices import Level

from .choices import Kind, SlaStage, is_online_channel
from .policy import OWNER, TicketsPolicy
from .sla_types import (
    ZERO,
    ClockKind,
    ClockReading,
    EveryDayCalendar,
    Milestone,
    Pause,
    SlaClock,
    SlaDue,
    SlaPlan,
    SlaStep,
    SlaSubject,
    SlaTarget,
    build_clock,
)

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
    "clock_at",
    "compute_due",
    "compute_due_on_calendar",
    "deadline",
    "escalation_step",
    "plan_for",
    "unpaid_order_chase_due",
]

_ZERO = ZERO


# --- targets --------------------------------------------------------------------------------
def _number(value: float) -> str:
    return f"{value:g}"


def _notify_label(notify: str) -> str:
    return "处理人" if notify == OWNER else Level(notify).label


def _milestones(
    title: str,
    budget: dt.timedelta,
    warnings: Iterable[tuple[dt.timedelta, str]],
    tickets: TicketsPolicy,
) -> tuple[Milestone, ...]:
    """Warnings (``(before, "2天")`` pairs) and the escalation ladder of a resolution target."""
    steps = [
        Milestone(
            stage=SlaStage.WARNING,
            offset=-before,
            notify=OWNER,
            label=f"距{title}到期还有{text}",
        )
        # A warning as long as the whole budget would fire at 受理: it says nothing.
        for before, text in warnings
        if before < budget
    ]
    for rung in tickets.escalation:
        when = "已超时" if rung.after_hours == 0 else f"超时{_number(rung.after_hours)}小时"
        steps.append(
            Milestone(
                stage=SlaStage.OVERDUE,
                offset=dt.timedelta(hours=rung.after_hours),
                notify=rung.notify,
                label=f"{title}{when}，通知{_notify_label(rung.notify)}",
            )
        )
    return tuple(sorted(steps, key=lambda m: m.offset))


def plan_for(
    subject: SlaSubject, *, tickets: TicketsPolicy, sla: SlaPolicy, calendar: BusinessCalendar
) -> SlaPlan:
    """The targets of a ticket under the policies in force on the day it was received.

    First response: the TKT-4 standard of a real-time channel (``realtime_first_response``,
    numbers from the sla domain), else the first matching row of ``tickets.targets`` that sets
    one. Resolution: for a complaint, CMP-6's ``sla.complaint_close_days`` on the basis of
    ``tickets.complaint``; otherwise the first matching row that sets ``resolution_hours``.
    """
    if subject.received_at.tzinfo is None or subject.received_at.utcoffset() is None:
        raise ValueError("received_at must be an aware datetime")
    # The targets depend on the subject's kind, channel, priority and grade and on the policies
    # and calendar, never on the receipt time: built once per combination and process (every
    # request recorded needs them, issue #3). Keyed by the identity of the policy and calendar
    # objects (the per-process caches hand out the same ones until they change), which the
    # entry holds on to, so an id is never reused while it is a key.
    key = (
        subject.channel,
        subject.kind,
        subject.subkind,
        subject.priority,
        subject.customer_grade,
        id(tickets),
        id(sla),
        id(calendar),
    )
    known = _TARGETS.get(key)
    if known is None or known[0] is not tickets or known[1] is not sla or known[2] is not calendar:
        if len(_TARGETS) >= _TARGETS_KEPT:
            _TARGETS.clear()
        known = (tickets, sla, calendar, *_targets(subject, tickets, sla, calendar))
        _TARGETS[key] = known
    return SlaPlan(start=subject.received_at, first_response=known[3], resolution=known[4])


_TARGETS: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_TARGETS_KEPT = 512


def _targets(
    subject: SlaSubject, tickets: TicketsPolicy, sla: SlaPolicy, calendar: BusinessCalendar
) -> tuple[SlaTarget, SlaTarget]:
    """The first-response and resolution targets of ``plan_for``."""
    channel_clock = build_clock(
        ClockKind.ONLINE if is_online_channel(subject.channel) else ClockKind.OFFLINE,
        tickets=tickets,
        sla=sla,
        calendar=calendar,
    )
    match = {
        "kind": subject.kind,
        "subkind": subject.subkind,
        "priority": subject.priority,
        "customer_grade": subject.customer_grade,
    }

    standard = tickets.realtime_first_response.get(subject.channel)
    if standard == "first_greeting_seconds":
        first_budget = dt.timedelta(seconds=sla.first_greeting_seconds)
        first_source = "sla.first_greeting_seconds（TKT-4）"
    elif standard == "reception_minutes":
        first_budget = dt.timedelta(minutes=sla.reception_minutes)
        first_source = "sla.reception_minutes（TKT-4）"
    else:
        index, rule = next(
            (i, r)
            for i, r in enumerate(tickets.targets)
            if r.first_response_minutes is not None and r.matches(**match)
        )
        first_budget = dt.timedelta(minutes=rule.first_response_minutes or 0)
        first_source = f"tickets.targets[{index}]"
    first_response = SlaTarget(
        name="first_response",
        title="首次响应时限",
        budget=first_budget,
        clock=channel_clock,
        pausable=True,
        source=first_source,
    )

    if subject.kind == Kind.COMPLAINT:
        limit = tickets.complaint
        if limit.basis == "calendar_days":
            clock = build_clock(ClockKind.CALENDAR, tickets=tickets, sla=sla, calendar=calendar)
        else:
            clock = build_clock(ClockKind.OFFLINE, tickets=tickets, sla=sla, calendar=calendar)
        day = clock.day_length
        budget = day * sla.complaint_close_days
        title = "投诉结案时限"
        resolution = SlaTarget(
            name="resolution",
            title=title,
            budget=budget,
            clock=clock,
            pausable=limit.pause_while_waiting,
            source=f"sla.complaint_close_days（CMP-6，{limit.basis}）",
            milestones=_milestones(
                title,
                budget,
                ((day * days, f"{_number(days)}天") for days in limit.warn_days_before),
                tickets,
            ),
        )
    else:
        index, rule = next(
            (i, r)
            for i, r in enumerate(tickets.targets)
            if r.resolution_hours is not None and r.matches(**match)
        )
        budget = dt.timedelta(hours=rule.resolution_hours or 0)
        title = "解决时限"
        resolution = SlaTarget(
            name="resolution",
            title=title,
            budget=budget,
            clock=channel_clock,
            pausable=True,
            source=f"tickets.targets[{index}]",
            milestones=_milestones(
                title,
                budget,
                ((dt.timedelta(hours=h), f"{_number(h)}小时") for h in tickets.warn_before_hours),
                tickets,
            ),
        )
    return first_response, resolution


# --- the clock arithmetic -------------------------------------------------------------------
def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def _closed_pauses(
    pauses: Iterable[Pause], until: dt.datetime | None
) -> tuple[list[tuple[dt.datetime, dt.datetime]], bool]:
    """Pauses as sorted, merged ``[start, end)`` UTC intervals; an open one ends at ``until``.

    Returns the intervals and whether an open pause had to be closed at ``until``.
    """
    intervals: list[tuple[dt.datetime, dt.datetime]] = []
    open_seen = False
    for pause in pauses:
        _require_aware(pause.start, "pause.start")
        start = pause.start.astimezone(dt.UTC)
        if pause.end is None:
            if open_seen:
                raise ValueError("at most one pause may still be open")
            if until is None:
                raise ValueError("an open pause needs as_of (the moment it is assumed to end)")
            open_seen = True
            end = max(until.astimezone(dt.UTC), start)
        else:
            _require_aware(pause.end, "pause.end")
            end = pause.end.astimezone(dt.UTC)
            if end < start:
                raise ValueError("a pause cannot end before it starts")
        if end > start:
            intervals.append((start, end))
    intervals.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in intervals:
        # Touching intervals merge too: the clock does not run between them.
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged, open_seen


def _latest(
    start: dt.datetime,
    amount: dt.timedelta,
    clock: SlaClock,
    pauses: Sequence[tuple[dt.datetime, dt.datetime]],
) -> dt.datetime:
    """The latest instant at which at most ``amount`` of unpaused clock time has run."""
    remaining = amount
    cursor = start.astimezone(dt.UTC)
    for pause_start, pause_end in pauses:
        if pause_end <= cursor:
            continue
        if pause_start <= cursor:  # paused right now: the clock restarts at the pause's end
            cursor = pause_end
            continue
        candidate = clock.add(cursor, remaining)
        # Strictly before: when the budget runs out exactly as the pause starts, the clock stands
        # still through the pause, so the latest such instant is after it.
        if candidate < pause_start:
            return candidate
        remaining -= clock.measure(cursor, pause_start)
        cursor = pause_end
    return clock.add(cursor, remaining)


def _elapsed(
    start: dt.datetime,
    at: dt.datetime,
    clock: SlaClock,
    pauses: Sequence[tuple[dt.datetime, dt.datetime]],
) -> dt.timedelta:
    used = clock.measure(start, at)
    for pause_start, pause_end in pauses:
        low, high = max(pause_start, start), min(pause_end, at)
        if high > low:
            used -= clock.measure(low, high)
    return used


def deadline(
    start: dt.datetime,
    target: SlaTarget,
    pauses: Iterable[Pause] = (),
    *,
    offset: dt.timedelta = _ZERO,
    as_of: dt.datetime | None = None,
) -> dt.datetime:
    """The instant ``target``'s budget (plus ``offset``) runs out, the pauses considered.

    An open pause is assumed to end at ``as_of``. A negative offset past the whole budget gives
    ``start``'s normalised working moment.
    """
    _require_aware(start, "start")
    intervals, _ = _closed_pauses(pauses, as_of) if target.pausable else ([], False)
    amount = max(target.budget + offset, _ZERO)
    return _latest(start, amount, target.clock, intervals).astimezone(SHANGHAI)


def compute_due(
    plan: SlaPlan, pauses: Iterable[Pause] = (), *, as_of: dt.datetime | None = None
) -> SlaDue:
    """The first-response and resolution deadlines and every step's instant — 计算到期时间.

    ``pauses`` are the periods the clock stood still; if the last is still open, pass ``as_of``
    (usually now): the deadlines are then projected as if the pause ended at that moment.
    """
    pauses = tuple(pauses)
    _closed, projected = _closed_pauses(pauses, as_of)
    target = plan.resolution
    steps = tuple(
        (deadline(plan.start, target, pauses, offset=m.offset, as_of=as_of), m)
        for m in target.milestones
    )
    return SlaDue(
        first_response_due=deadline(plan.start, plan.first_response, pauses, as_of=as_of),
        resolution_due=deadline(plan.start, target, pauses, as_of=as_of),
        milestones=steps,
        projected=projected,
    )


def clock_at(
    start: dt.datetime, target: SlaTarget, pauses: Iterable[Pause], at: dt.datetime
) -> ClockReading:
    """Where ``target``'s clock stands at ``at`` — 计时读数 (pauses after ``at`` are ignored)."""
    _require_aware(start, "start")
    _require_aware(at, "at")
    at_utc = at.astimezone(dt.UTC)
    paused = False
    intervals: list[tuple[dt.datetime, dt.datetime]] = []
    if target.pausable:
        intervals, _ = _closed_pauses(pauses, at_utc)
        paused = any(
            p.start.astimezone(dt.UTC) <= at_utc
            and (p.end is None or at_utc < p.end.astimezone(dt.UTC))
            for p in pauses
        )
    start_utc = start.astimezone(dt.UTC)
    elapsed = _elapsed(start_utc, at_utc, target.clock, intervals) if at_utc > start_utc else _ZERO
    return ClockReading(at=at, elapsed=elapsed, budget=target.budget, paused=paused)


def escalation_step(reading: ClockReading, target: SlaTarget) -> SlaStep:
    """The warning or escalation step ``reading`` has reached — 预警与升级.

    A step at offset ``o`` is reached once more than ``budget + o`` of clock time is used: the
    warnings before the deadline (notify the owner), then the rungs of the ladder after it
    (owner → 组长 → 主管 → 部门经理 by default).
    """
    reached = tuple(
        i for i, m in enumerate(target.milestones) if reading.elapsed > reading.budget + m.offset
    )
    current = target.milestones[reached[-1]] if reached else None
    upcoming = len(reached)
    nxt = target.milestones[upcoming] if upcoming < len(target.milestones) else None
    if reading.breached:
        stage = SlaStage.OVERDUE
    elif current is not None:
        stage = SlaStage.WARNING
    else:
        stage = SlaStage.ON_TIME
    return SlaStep(stage=stage, reached=reached, current=current, next=nxt)


def unpaid_order_chase_due(
    ordered_at: dt.datetime,
    *,
    tickets: TicketsPolicy,
    sla: SlaPolicy,
    calendar: BusinessCalendar,
) -> dt.datetime:
    """TKT-9: by when an unpaid order must be chased (``sla.unpaid_order_chase_hours``).

    Orders come through the online shop, so the time runs on the online clock.
    """
    clock = build_clock(ClockKind.ONLINE, tickets=tickets, sla=sla, calendar=calendar)
    target = SlaTarget(
        name="unpaid_order_chase",
        title="未付款订单催付时限",
        budget=dt.timedelta(hours=sla.unpaid_order_chase_hours),
        clock=clock,
        pausable=False,
        source="sla.unpaid_order_chase_hours（TKT-9）",
    )
    return deadline(ordered_at, target)


# --- database layer -------------------------------------------------------------------------
def compute_due_on_calendar(
    subject: SlaSubject,
    pauses: Iterable[Pause] = (),
    *,
    as_of: dt.datetime | None = None,
    sla: SlaPolicy | None = None,
) -> tuple[SlaPlan, SlaDue]:
    """``plan_for`` + ``compute_due`` with the policies in force on the day of receipt and the
    stored holiday calendar (``CalendarDay``), loading as many days as the answer needs.

    ``sla``: the sla policy in force on the day of receipt, when the caller has already read it
    (creating a request reads it for the 留言 decision too), so it is not read twice.
    """
    from kefu.core.calendar import calendar_for_range
    from kefu.core.policy import sla_policy

    from .policy import tickets_policy

    pauses = tuple(pauses)
    first = subject.received_at.astimezone(SHANGHAI).date()
    tickets = tickets_policy(first)
    sla = sla if sla is not None else sla_policy(first)
    # The pauses so far and a month of margin; doubled until every instant lies inside the
    # loaded range, so no day is judged without its calendar row.
    latest_pause = max(
        [p.end or as_of or subject.received_at for p in pauses] + [subject.received_at]
    )
    span = (latest_pause.astimezone(SHANGHAI).date() - first).days + 31
    while True:
        last = first + dt.timedelta(days=span)
        calendar = calendar_for_range(first, last)
        plan = plan_for(subject, tickets=tickets, sla=sla, calendar=calendar)
        due = compute_due(plan, pauses, as_of=as_of)
        instants = [due.first_response_due, due.resolution_due, *(at for at, _ in due.milestones)]
        if max(instants).astimezone(SHANGHAI).date() <= last:
            return plan, due
        span *= 2
