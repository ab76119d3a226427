"""Attendance classifier — 考勤判定 (WFM-5): pure functions, data in, data out, no database.

One person-day is judged from the rostered code, the shift's start and end, the clocks that belong
to it, the time now and the policy numbers (``Rules``, built by the service from the versions in
force on that day). The result is a status, the minutes late / early, the missing clocks and the
penalties (扣分 / 罚款 / 扣工资天数, signed: negative = deduction) that become attendance incidents.

How the seeds are read (docs in REQUIREMENTS WFM-5 and shared/seeds):

* 迟到 — the first clock-in after the shift start plus the grace minutes; minutes are whole
  minutes from the start (08:30:59 is on time for 08:30, 08:31:00 is 1 minute late). Points per
  ``late_points`` ([000] 0.5 分) or, when the policy gives bands, per band ([000] 4.2.2 "迟到5分钟内
  扣1分,5∽10分扣5分").
* 旷工 (absence, [000] "超过30分钟以上算缺勤,缺勤一次2分") — late by more than
  ``late_as_absence_minutes``, or leaving more than ``early_leave_as_absence_minutes`` early
  ([002] "超过30分钟作旷工半天处理"). One absence replaces the late / early-leave deductions.
* 旷班 (truancy, [000] "若未经请示自行休息按旷工处理,旷工一次扣5分") — a rostered working day
  without any clock at all and without approved leave: the person rested without approval. It
  differs from 旷工 in that the person never came; lateness or early leave, however long, is 旷工.
  Until the 补卡 deadline the day is only 缺卡 (both clocks may have been forgotten); the policy's
  ``no_show_as = "absence"`` reads a no-show as 旷工 instead.
* 早退 — the last clock-out before the shift end minus the grace minutes ([002]/[003] treat it
  like lateness).
* 缺卡 — one clock of the two is missing. It may be corrected (补卡) within
  ``clock_fix_within_days``; after that, or after the request is rejected, the gap stands and
  counts as leaving the post ([004] "2日内未向主管申请签卡则视为离岗、脱岗,每次扣惩30元").
* 请假 / 休息 / 未排班 — the roster code ``leave`` / ``rest`` / no published roster: never an incident.
* A shift crossing midnight (晚班 17:30–01:00) is one day: the day the shift starts.
* Approved leave of half a day or less (按小时请假, the shift stays in the roster) excuses half the
  shift: ``part_leave = "start"`` (上半班, arriving later) moves the start lateness is measured
  from to the shift's half-day point; ``"end"`` (下半班, leaving earlier) moves the end early
  leave is measured from to it. Arriving at the half-day point is then not late.

Clocks without a type (a time-clock export without 类型) are read by position: before the shift's
midpoint a clock-in, from the midpoint on a clock-out. The earliest clock-in and the latest
clock-out count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .choices import SEVERITY, DayStatus, Direction, IncidentRule

ZERO = Decimal(0)
REST_CODE = "rest"
LEAVE_CODE = "leave"
PART_START, PART_END = "start", "end"  # 上半班 / 下半班 part-day leave


@dataclass(frozen=True)
class Clock:
    """One clock (打卡) as the classifier sees it."""

    at: dt.datetime
    direction: str = Direction.UNKNOWN


@dataclass(frozen=True)
class LateBandRule:
    max_minutes: int
    points: Decimal
    money: Decimal


@dataclass(frozen=True)
class Rules:
    """The numbers of the workforce and attendance policies in force on the day (unsigned)."""

    grace_minutes: int = 0
    early_leave_grace_minutes: int = 0
    late_as_absence_minutes: int = 30
    early_leave_as_absence_minutes: int = 30
    late_points: Decimal = Decimal("0.5")
    late_money: Decimal = ZERO
    late_bands: tuple[LateBandRule, ...] = ()
    early_leave_points: Decimal = Decimal("0.5")
    early_leave_money: Decimal = ZERO
    absence_points: Decimal = Decimal(2)
    absence_money: Decimal = ZERO
    absence_pay_days: Decimal = ZERO
    truancy_points: Decimal = Decimal(5)
    truancy_money: Decimal = ZERO
    truancy_pay_days: Decimal = Decimal(1)
    no_show_as: str = "truancy"
    missed_clock_points: Decimal = ZERO
    missed_clock_money: Decimal = Decimal(30)
    clock_fix_within_days: int = 2
    # WFM-3 空班按旷工: the giver of a swapped shift nobody worked is judged with the holder.
    swap_empty_shift_both: bool = True


@dataclass(frozen=True)
class Penalty:
    """One attendance incident of the day: amounts signed, negative = deduction."""

    rule: str
    points: Decimal
    money: Decimal
    pay_days: Decimal
    quantity: Decimal
    description: str


@dataclass(frozen=True)
class DayFacts:
    """What is known about one person-day.

    ``shift`` is the (start, end) of the rostered shift (None for rest, leave, unknown codes);
    ``clocks`` are the clocks assigned to this day (``assignment_windows``); ``close`` is when no
    more clock may come for it (the end of its window); ``fix_deadline`` when an uncorrected gap
    stands; ``fix_pending`` whether a 补卡 request for it awaits a decision.
    """

    code: str | None
    shift: tuple[dt.datetime, dt.datetime] | None
    clocks: tuple[Clock, ...]
    now: dt.datetime
    close: dt.datetime | None = None
    fix_deadline: dt.datetime | None = None
    fix_pending: bool = False
    shift_name: str = ""
    part_leave: str = ""  # "start" / "end": approved leave of half a day or less


def half_day_point(start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """The middle of the shift — 半天: where a half-day leave ends or begins."""
    return start + (end - start) / 2


def expected_window(
    shift: tuple[dt.datetime, dt.datetime], part_leave: str = ""
) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) the person is expected at work: the shift less a half-day leave's part."""
    start, end = shift
    if part_leave == PART_START:
        return half_day_point(start, end), end
    if part_leave == PART_END:
        return start, half_day_point(start, end)
    return start, end


@dataclass(frozen=True)
class DayResult:
    """考勤结果 of one person-day. ``final``: nothing can change it any more."""

    status: str
    clock_in: dt.datetime | None = None
    clock_out: dt.datetime | None = None
    late_minutes: int = 0
    early_minutes: int = 0
    missing_in: bool = False
    missing_out: bool = False
    final: bool = True
    penalties: tuple[Penalty, ...] = field(default_factory=tuple)

    @property
    def points(self) -> Decimal:
        return sum((p.points for p in self.penalties), ZERO)

    @property
    def money(self) -> Decimal:
        return sum((p.money for p in self.penalties), ZERO)

    @property
    def pay_days(self) -> Decimal:
        return sum((p.pay_days for p in self.penalties), ZERO)


# --- minutes ------------------------------------------------------------------------------------
def _whole_minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def late_minutes(clock_in: dt.datetime, start: dt.datetime, grace: int = 0) -> int:
    """Whole minutes after ``start``; 0 within the grace minutes (then counted from the start)."""
    minutes = _whole_minutes(clock_in - start)
    return minutes if minutes > grace else 0


def early_minutes(clock_out: dt.datetime, end: dt.datetime, grace: int = 0) -> int:
    """Whole minutes before ``end``; 0 within the grace minutes."""
    minutes = _whole_minutes(end - clock_out)
    return minutes if minutes > grace else 0


# --- which clocks belong to which day -----------------------------------------------------------
def _midpoint(a: dt.datetime, b: dt.datetime) -> dt.datetime:
    return a + (b - a) / 2


def assignment_windows(
    days: Sequence[tuple[dt.date, tuple[dt.datetime, dt.datetime] | None]],
    *,
    tz: dt.tzinfo,
    open_minutes: int,
    close_minutes: int,
) -> dict[dt.date, tuple[dt.datetime, dt.datetime]]:
    """The half-open time range [lo, hi) whose clocks belong to each day.

    ``days`` are consecutive dates with their shift (None for rest, leave, not rostered). A shift
    day takes clocks from ``open_minutes`` before its start to ``close_minutes`` after its end, but
    never past the midpoint of the gap to the neighbouring day's shift (a night shift ending at
    01:00 and a day shift starting at 08:30 split the night at 04:45). A day without a shift keeps
    its calendar day, minus what a neighbouring shift claims.
    """
    out: dict[dt.date, tuple[dt.datetime, dt.datetime]] = {}
    n = len(days)
    for i, (day, shift) in enumerate(days):
        prev = days[i - 1][1] if i > 0 else None
        nxt = days[i + 1][1] if i + 1 < n else None
        if shift is not None:
            start, end = shift
            lo = start - dt.timedelta(minutes=open_minutes)
            hi = end + dt.timedelta(minutes=close_minutes)
            if prev is not None:
                lo = max(lo, _midpoint(prev[1], start) if prev[1] <= start else start)
            if nxt is not None:
                hi = min(hi, _midpoint(end, nxt[0]) if end <= nxt[0] else end)
        else:
            lo = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
            hi = lo + dt.timedelta(days=1)
        out[day] = (lo, hi)
    # A day without a shift gives way to its neighbours' shift windows.
    for i, (day, shift) in enumerate(days):
        if shift is not None:
            continue
        lo, hi = out[day]
        if i > 0 and days[i - 1][1] is not None:
            lo = max(lo, out[days[i - 1][0]][1])
        if i + 1 < n and days[i + 1][1] is not None:
            hi = min(hi, out[days[i + 1][0]][0])
        out[day] = (lo, max(lo, hi))
    return out


def pick_clocks(
    clocks: Sequence[Clock], start: dt.datetime, end: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(clock-in, clock-out): the earliest clock-in and the latest clock-out; a clock without a
    type is a clock-in before the shift's midpoint and a clock-out from it on."""
    mid = _midpoint(start, end)
    ins = [c.at for c in clocks if c.direction == Direction.IN]
    outs = [c.at for c in clocks if c.direction == Direction.OUT]
    for c in clocks:
        if c.direction not in (Direction.IN, Direction.OUT):
            (ins if c.at < mid else outs).append(c.at)
    return (min(ins) if ins else None, max(outs) if outs else None)


# --- penalties ----------------------------------------------------------------------------------
def _late_penalty(minutes: int, r: Rules) -> Penalty:
    points, money = r.late_points, r.late_money
    if r.late_bands:
        band = next((b for b in r.late_bands if minutes <= b.max_minutes), r.late_bands[-1])
        points, money = band.points, band.money
    return Penalty(
        IncidentRule.LATE, -points, -money, ZERO, Decimal(minutes), f"迟到 {minutes} 分钟"
    )


def _early_penalty(minutes: int, r: Rules) -> Penalty:
    return Penalty(
        IncidentRule.EARLY_LEAVE,
        -r.early_leave_points,
        -r.early_leave_money,
        ZERO,
        Decimal(minutes),
        f"早退 {minutes} 分钟",
    )


def _absence(r: Rules, description: str) -> Penalty:
    return Penalty(
        IncidentRule.ABSENCE,
        -r.absence_points,
        -r.absence_money,
        r.absence_pay_days,
        Decimal(1),
        description,
    )


def no_show(r: Rules, shift_name: str) -> tuple[str, Penalty]:
    """The judgement of a settled no-show: 旷班 or 旷工 per ``no_show_as``, with its penalty."""
    name = shift_name or "排班日"
    if r.no_show_as == "absence":
        return DayStatus.ABSENT, _absence(r, f"{name}全天未打卡，按旷工处理")
    return DayStatus.TRUANCY, Penalty(
        IncidentRule.TRUANCY,
        -r.truancy_points,
        -r.truancy_money,
        r.truancy_pay_days,
        Decimal(1),
        f"{name}全天未打卡且未请假，视为擅自休息（旷班）",
    )


def _missed(r: Rules, missing_in: bool, missing_out: bool) -> Penalty:
    which = "上下班" if missing_in and missing_out else ("上班" if missing_in else "下班")
    return Penalty(
        IncidentRule.MISSED_CLOCK,
        -r.missed_clock_points,
        -r.missed_clock_money,
        ZERO,
        Decimal(int(missing_in) + int(missing_out)),
        f"缺{which}卡，{r.clock_fix_within_days}天内未补卡，视为脱岗",
    )


# --- the classifier -----------------------------------------------------------------------------
def classify_day(f: DayFacts, r: Rules) -> DayResult:
    """Judge one person-day (see the module docstring for the rules)."""
    if f.code is None or f.code in (REST_CODE, LEAVE_CODE) or f.shift is None:
        status = {REST_CODE: DayStatus.REST, LEAVE_CODE: DayStatus.LEAVE}.get(
            f.code or "", DayStatus.UNSCHEDULED
        )
        times = sorted(c.at for c in f.clocks)
        return DayResult(
            status=status,
            clock_in=times[0] if times else None,
            clock_out=times[-1] if len(times) > 1 else None,
        )
    start, end = f.shift
    clock_in, clock_out = pick_clocks(f.clocks, start, end)
    closed = f.now >= (f.close or end)
    start, end = expected_window(f.shift, f.part_leave)
    settled = f.fix_deadline is not None and f.now >= f.fix_deadline and not f.fix_pending
    if clock_in is None and clock_out is None:
        if not closed:
            return DayResult(status=DayStatus.PENDING, final=False)
        if not settled:
            return DayResult(
                status=DayStatus.MISSED, missing_in=True, missing_out=True, final=False
            )
        status, penalty = no_show(r, f.shift_name)
        return DayResult(status=status, missing_in=True, missing_out=True, penalties=(penalty,))

    late = late_minutes(clock_in, start, r.grace_minutes) if clock_in else 0
    early = early_minutes(clock_out, end, r.early_leave_grace_minutes) if clock_out else 0
    early = early if closed else 0  # a later clock-out may still come
    missing_in = clock_in is None
    missing_out = clock_out is None and closed
    common = {
        "clock_in": clock_in,
        "clock_out": clock_out,
        "late_minutes": late,
        "early_minutes": early,
        "missing_in": missing_in,
        "missing_out": missing_out,
    }
    if late > r.late_as_absence_minutes:
        text = f"迟到 {late} 分钟，超过 {r.late_as_absence_minutes} 分钟按旷工"
        return DayResult(
            status=DayStatus.ABSENT, final=closed, penalties=(_absence(r, text),), **common
        )
    limit = r.early_leave_as_absence_minutes
    if limit and early > limit:
        text = f"早退 {early} 分钟，超过 {limit} 分钟按旷工"
        return DayResult(
            status=DayStatus.ABSENT, final=closed, penalties=(_absence(r, text),), **common
        )
    penalties: list[Penalty] = []
    if late:
        penalties.append(_late_penalty(late, r))
    if early:
        penalties.append(_early_penalty(early, r))
    gap = missing_in or missing_out
    if gap and settled:
        penalties.append(_missed(r, missing_in, missing_out))
    if gap:
        status = DayStatus.MISSED
    elif late and early:
        status = DayStatus.LATE_EARLY
    elif late:
        status = DayStatus.LATE
    elif early:
        status = DayStatus.EARLY
    else:
        status = DayStatus.NORMAL
    return DayResult(
        status=status, final=closed and (not gap or settled), penalties=tuple(penalties), **common
    )


def severity(status: str) -> int:
    """0 = worst; statuses that are no judgement (rest, leave …) rank after 正常."""
    return SEVERITY.index(status) if status in SEVERITY else len(SEVERITY)
