"""Leave rules — 请假规则 (WFM-3, WFM-4, WFM-5), pure: data in, a list of Chinese errors out.

``check_leave(ask, context)`` returns every rule a request breaks, each with a stable code and
the form/API field it belongs to:

* ``leave_dates`` / ``leave_too_long`` / ``leave_hours`` — the range and the part-day hours;
* ``leave_no_shift`` — the published roster has no shift in the range (nothing to take leave from);
* ``leave_notice`` — 一般事假需提前一天提出, 紧急事假需在班前2小时提出: the first shift in the
  range starts at least ``notice_hours`` (urgent: ``urgent_notice_hours``) after now (a day not
  rostered yet counts from the earliest start of a daytime shift);
* ``leave_night_shift`` — 夜班不允许请假 (when the policy says so), unless the type is exempt;
* ``leave_holiday`` — 节假日当班人员不允许请假;
* ``leave_swap_day`` — 换班和还班均不得请假;
* ``leave_overlap`` — two requests may not cover the same day;
* ``leave_type_max`` / ``leave_balance`` / ``leave_span`` — per-request maximum (婚假 3 天 …),
  the remaining balance (年假, 调休), a balance type stays inside its year or month.

``count_days`` gives the days a request takes: the days of the range the person works (a day the
published roster shows as rest does not count; a day not yet rostered does), half a day for a
part-day request of at most ``half_day_hours``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from kefu.workforce.rostering.problem import OFF_CODES, ShiftSpec

SHANGHAI = ZoneInfo("Asia/Shanghai")
HALF = Decimal("0.5")


def md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _num(value: Decimal | float | int) -> str:
    return f"{Decimal(str(value)).normalize():f}"


@dataclass(frozen=True)
class RuleError:
    """One broken rule: stable ``code``, Chinese ``message``, the form/API ``field``."""

    code: str
    message: str
    field: str = "start_day"


@dataclass(frozen=True)
class LeaveLimits:
    """The policy numbers a request is checked against (workforce + leave domains)."""

    notice_hours: float = 24
    urgent_notice_hours: float = 2
    night_shift_leave: bool = False
    holiday_leave: bool = False
    exempt: bool = False  # this type ignores the night-shift and holiday rules
    half_day_hours: float = 4
    max_days_per_request: int = 180


@dataclass(frozen=True)
class LeaveAsk:
    """What is asked: ``leave_type`` from ``start`` to ``end`` (or ``hours`` of one day)."""

    leave_type: str
    type_name: str
    start: dt.date
    end: dt.date
    now: dt.datetime
    urgent: bool = False
    hours: Decimal | None = None
    balance: str = "none"  # none / annual / monthly / per_request
    max_days: int | None = None


@dataclass(frozen=True)
class Overlap:
    """Another request of the same person holding some of the days."""

    number: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class LeaveContext:
    """What the database says: the person's published codes by day, holidays, swap days, other
    requests and the balance left (None = the type has no balance)."""

    schedule: Mapping[dt.date, str]
    shifts: tuple[ShiftSpec, ...]
    limits: LeaveLimits = field(default_factory=LeaveLimits)
    holidays: frozenset[dt.date] = frozenset()
    swap_days: frozenset[dt.date] = frozenset()
    overlaps: tuple[Overlap, ...] = ()
    remaining: Decimal | None = None
    balance_label: str = ""


def date_range(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def count_days(
    start: dt.date,
    end: dt.date,
    hours: Decimal | None,
    schedule: Mapping[dt.date, str],
    half_day_hours: float,
) -> Decimal:
    """Days a request takes: working days of the range (rostered rest excluded; a day without a
    published roster counts), or half/one day for a part-day request."""
    if end < start:
        return Decimal(0)
    working = sum(1 for d in date_range(start, end) if schedule.get(d) not in OFF_CODES)
    if hours is not None:
        if working == 0:
            return Decimal(0)
        return HALF if hours <= Decimal(str(half_day_hours)) else Decimal(1)
    return Decimal(working)


def _start_of(spec: ShiftSpec, day: dt.date) -> dt.datetime:
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)
    return midnight + dt.timedelta(minutes=spec.start_min)


def _shape(ask: LeaveAsk, ctx: LeaveContext, specs: Mapping[str, ShiftSpec]) -> list[RuleError]:
    if ask.end < ask.start:
        return [RuleError("leave_dates", "结束日期不能早于开始日期", "end_day")]
    limit = ctx.limits.max_days_per_request
    if (ask.end - ask.start).days + 1 > limit:
        return [RuleError("leave_too_long", f"每次请假最多{limit}天，请分次申请", "end_day")]
    if ask.hours is not None:
        if ask.start != ask.end:
            return [
                RuleError(
                    "leave_hours", "按小时请假只能在同一天内，请把结束日期设为开始日期", "hours"
                )
            ]
        spec = specs.get(ctx.schedule.get(ask.start, ""))
        cap = Decimal(str(spec.hours)) if spec else Decimal(24)
        if not Decimal(0) < ask.hours <= cap:
            return [
                RuleError(
                    "leave_hours",
                    f"请假小时数须大于0且不超过当班时长（{_num(cap)}小时）",
                    "hours",
                )
            ]
    return []


def _notice(ask: LeaveAsk, ctx: LeaveContext, specs: Mapping[str, ShiftSpec]) -> list[RuleError]:
    days = date_range(ask.start, ask.end)
    rostered = [d for d in days if d in ctx.schedule]
    working = [d for d in days if ctx.schedule.get(d) in specs]
    if rostered and len(rostered) == len(days) and not working:
        return [RuleError("leave_no_shift", "请假期间您没有班次（休息），无需请假")]
    first_shift: tuple[dt.date, ShiftSpec] | None = None
    for d in days:
        code = ctx.schedule.get(d)
        if code in specs:
            first_shift = (d, specs[code])
            break
        if d not in ctx.schedule:
            break  # not rostered yet: the day itself is the reference
    if first_shift is not None:
        day, spec = first_shift
        starts = _start_of(spec, day)
        at = f"{md(day)} {spec.name} {starts:%H:%M}上班"
    else:
        # Not rostered yet: the day's earliest possible daytime shift is the reference.
        day = next((d for d in days if d not in ctx.schedule), ask.start)
        earliest = min((s.start_min for s in ctx.shifts if not s.night), default=0)
        starts = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI) + dt.timedelta(
            minutes=earliest
        )
        at = f"{md(day)}"
    limits = ctx.limits
    if ask.urgent:
        if ask.now > starts - dt.timedelta(hours=limits.urgent_notice_hours):
            return [
                RuleError(
                    "leave_notice",
                    f"紧急请假须在班前{limits.urgent_notice_hours:g}小时提出（{at}）",
                    "urgent",
                )
            ]
    elif ask.now > starts - dt.timedelta(hours=limits.notice_hours):
        return [
            RuleError(
                "leave_notice",
                f"一般请假须在当班前{limits.notice_hours:g}小时提出（{at}）；"
                f"确有急事请选择紧急请假（班前{limits.urgent_notice_hours:g}小时）",
                "start_day",
            )
        ]
    return []


def _duty_days(ask: LeaveAsk, ctx: LeaveContext, specs: Mapping[str, ShiftSpec]) -> list[RuleError]:
    out: list[RuleError] = []
    days = date_range(ask.start, ask.end)
    limits = ctx.limits
    if not limits.night_shift_leave and not limits.exempt:
        nights = [d for d in days if (s := specs.get(ctx.schedule.get(d, ""))) and s.night]
        if nights:
            spec = specs[ctx.schedule[nights[0]]]
            more = f"等{len(nights)}天" if len(nights) > 1 else ""
            out.append(
                RuleError(
                    "leave_night_shift",
                    f"夜班不允许请假，如有特殊情况请找同事换班：{md(nights[0])}{spec.name}{more}",
                )
            )
    if not limits.holiday_leave and not limits.exempt:
        on_duty = [d for d in days if d in ctx.holidays and ctx.schedule.get(d) in specs]
        if on_duty:
            out.append(
                RuleError(
                    "leave_holiday",
                    f"节假日当班人员不允许请假：{md(on_duty[0])}为法定节假日且您当班",
                )
            )
    swap = sorted(set(days) & ctx.swap_days)
    if swap:
        out.append(
            RuleError("leave_swap_day", f"换班和还班均不得请假：{md(swap[0])}为您的换班或还班日")
        )
    for other in ctx.overlaps:
        out.append(
            RuleError(
                "leave_overlap",
                f"与已有请假{other.number}（{md(other.start)}至{md(other.end)}）时间重叠",
            )
        )
    return out


def _balance(ask: LeaveAsk, ctx: LeaveContext, days: Decimal) -> list[RuleError]:
    if ask.balance == "annual" and ask.start.year != ask.end.year:
        return [RuleError("leave_span", f"{ask.type_name}须在同一年内，请按年分开申请", "end_day")]
    if ask.balance == "monthly" and (ask.start.year, ask.start.month) != (
        ask.end.year,
        ask.end.month,
    ):
        return [
            RuleError("leave_span", f"{ask.type_name}须在同一个月内，请按月分开申请", "end_day")
        ]
    if ask.balance == "per_request" and ask.max_days is not None and days > ask.max_days:
        return [
            RuleError(
                "leave_type_max",
                f"{ask.type_name}每次最多{ask.max_days}天，本次{_num(days)}天",
                "end_day",
            )
        ]
    if ctx.remaining is not None and days > ctx.remaining:
        return [
            RuleError(
                "leave_balance",
                f"{ask.type_name}余额不足：{ctx.balance_label}剩余{_num(max(ctx.remaining, Decimal(0)))}天，"
                f"本次申请{_num(days)}天",
                "leave_type",
            )
        ]
    return []


def check_leave(ask: LeaveAsk, ctx: LeaveContext) -> list[RuleError]:
    """Every leave rule ``ask`` breaks (empty = allowed)."""
    specs = {s.code: s for s in ctx.shifts}
    errors = _shape(ask, ctx, specs)
    if errors:
        return errors
    errors = _notice(ask, ctx, specs)
    if errors and errors[0].code == "leave_no_shift":
        return errors
    errors += _duty_days(ask, ctx, specs)
    days = count_days(ask.start, ask.end, ask.hours, ctx.schedule, ctx.limits.half_day_hours)
    errors += _balance(ask, ctx, days)
    return errors
