"""Swap rules — 换班规则 (WFM-3), pure: data in, a list of Chinese errors out.

``check_swap(request, context)`` returns every rule the request breaks, each with a stable code
and the field it belongs to, so a form shows it beside the field and the API returns it as is:

* ``swap_self`` / ``swap_other_team`` — only with a colleague of one's own team;
* ``swap_not_published`` — both days must be in the published roster;
* ``swap_no_shift`` / ``swap_same_shift`` — the giver works that day, the two cells differ;
* ``swap_notice`` — 换班需提前报备: the shift starts at least ``notice_hours`` after now
  (临时通知换班的不予生效);
* ``swap_holiday`` — 节假日当班人员不允许换班;
* ``swap_leave`` — 换班和还班均不得请假 (leave asked or approved on a swap or payback day);
* ``swap_monthly_cap`` — 每人每月换班不得超过 N 次 (both parties, pending and approved swaps);
* ``swap_consecutive`` — 不允许连续换班 (a swap day next to another swap day of the same person,
  or two swaps on one day);
* ``swap_back_to_back`` / ``swap_roster_rule`` — 换班者、还班者不允许连班: after the exchange
  neither party breaks the rest gap between shifts, 做六休一, a shift's skills or its days
  (the roster checker's person-level rules, only those the swap newly breaks);
* ``swap_payback_required`` / ``swap_payback_day`` / ``swap_payback_due`` — a swap must be paid
  back (还班) on a later day within ``payback_within_days``.

Night shifts may be swapped (only leave is refused on them). ``payback_status`` gives 待还班 /
已还班 / 逾期 of an approved swap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from kefu.workforce.rostering.checker import check_person, md
from kefu.workforce.rostering.problem import (
    LEAVE,
    OFF_CODES,
    RULE_CONSECUTIVE,
    RULE_HOLIDAY,
    RULE_REST_GAP,
    RULE_SKILL,
    Person,
    RosterProblem,
    RosterRules,
    ShiftSpec,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SWAP, PAYBACK = "swap", "payback"
# Checker rules a swap may newly break; the monthly rest quota is left out on purpose: the
# payback gives the day back, possibly in the next month.
_CHECKED_RULES = (RULE_REST_GAP, RULE_CONSECUTIVE, RULE_SKILL, RULE_HOLIDAY)


@dataclass(frozen=True)
class RuleError:
    """One broken rule: stable ``code``, Chinese ``message``, the form/API ``field``."""

    code: str
    message: str
    field: str = "day"


@dataclass(frozen=True)
class SwapLimits:
    """The policy numbers a swap is checked against (workforce + leave + roster domains)."""

    max_per_month: int = 3
    allow_consecutive: bool = False
    notice_hours: float = 24
    payback_within_days: int = 30
    holiday_swap: bool = False
    max_consecutive_work_days: int = 6
    min_rest_hours_between_shifts: float = 10


@dataclass(frozen=True)
class SwapMark:
    """A day another active swap request (pending or approved) holds for ``person_id``;
    ``counted`` marks the swap's own day of a 换班 (the monthly cap counts those)."""

    person_id: int
    day: dt.date
    counted: bool = True


@dataclass(frozen=True)
class SwapRequest:
    """What is asked: on ``day`` the two exchange their cells (a 换班: the applicant gives their
    shift; a 还班: the colleague gives theirs), optionally again on ``payback_day``."""

    applicant_id: int
    colleague_id: int
    day: dt.date
    now: dt.datetime
    kind: str = SWAP
    payback_day: dt.date | None = None
    payback_due: dt.date | None = None
    applicant_name: str = "申请人"
    colleague_name: str = "同事"
    same_team: bool = True


@dataclass(frozen=True)
class SwapContext:
    """What the database says around the days: published codes, holidays, leave, other swaps."""

    schedule: Mapping[tuple[int, dt.date], str]
    shifts: tuple[ShiftSpec, ...]
    limits: SwapLimits = field(default_factory=SwapLimits)
    holidays: frozenset[dt.date] = frozenset()
    leave_days: frozenset[tuple[int, dt.date]] = frozenset()
    marks: tuple[SwapMark, ...] = ()
    skills: Mapping[int, frozenset[str]] = field(default_factory=dict)


def payback_status(paid_back_on: dt.date | None, due: dt.date | None, today: dt.date) -> str:
    """还班状态: ``done`` once the payback day in the roster has come, ``overdue`` when no payback
    is in the roster and the deadline has passed, else ``due``."""
    if paid_back_on is not None:
        return "done" if paid_back_on <= today else "due"
    if due is not None and due < today:
        return "overdue"
    return "due"


def code_name(specs: Mapping[str, ShiftSpec], code: str | None) -> str:
    if code is None:
        return "未排班"
    if code == "rest":
        return "休息"
    if code == LEAVE:
        return "请假"
    spec = specs.get(code)
    return spec.name if spec else code


def shift_start(spec: ShiftSpec, day: dt.date) -> dt.datetime:
    """The aware start of ``spec`` worked on ``day`` (Asia/Shanghai)."""
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)
    return midnight + dt.timedelta(minutes=spec.start_min)


def swapped(
    schedule: Mapping[tuple[int, dt.date], str], a: int, b: int, days: list[dt.date]
) -> dict[tuple[int, dt.date], str]:
    """The schedule with ``a`` and ``b`` exchanging their cells on each of ``days``."""
    out = dict(schedule)
    for day in days:
        ca, cb = schedule.get((a, day)), schedule.get((b, day))
        if ca is not None and cb is not None:
            out[(a, day)], out[(b, day)] = cb, ca
    return out


def _exchange_day(
    req: SwapRequest,
    ctx: SwapContext,
    specs: Mapping[str, ShiftSpec],
    day: dt.date,
    *,
    giver: int,
    field_name: str,
    label: str,
) -> list[RuleError]:
    """Rules of one exchange day: published, the giver works, the cells differ, no leave."""
    names = {req.applicant_id: req.applicant_name, req.colleague_id: req.colleague_name}
    a, b = req.applicant_id, req.colleague_id
    ca, cb = ctx.schedule.get((a, day)), ctx.schedule.get((b, day))
    if ca is None or cb is None:
        who = names[a] if ca is None else names[b]
        return [
            RuleError(
                "swap_not_published",
                f"{label}{md(day)}{who}不在已发布的排班表中（排班表尚未发布），不能换班",
                field_name,
            )
        ]
    out: list[RuleError] = []
    on_leave = [
        p for p in (a, b) if (p, day) in ctx.leave_days or ctx.schedule.get((p, day)) == LEAVE
    ]
    for p in on_leave:
        out.append(
            RuleError(
                "swap_leave",
                f"换班和还班均不得请假：{names[p]}{md(day)}已请假",
                field_name,
            )
        )
    given = ctx.schedule[(giver, day)]
    if given in OFF_CODES:
        if not on_leave:
            who = "您" if giver == a else names[giver]
            out.append(
                RuleError(
                    "swap_no_shift",
                    f"{who}{md(day)}没有班次（{code_name(specs, given)}），无需{label}",
                    field_name,
                )
            )
    elif ca == cb:
        out.append(
            RuleError(
                "swap_same_shift",
                f"{names[b]}{md(day)}同样是{code_name(specs, cb)}，无需{label}",
                field_name,
            )
        )
    if day in ctx.holidays and not ctx.limits.holiday_swap:
        out.append(
            RuleError(
                "swap_holiday",
                f"节假日当班人员不允许换班：{md(day)}为法定节假日",
                field_name,
            )
        )
    return out


def _notice(
    req: SwapRequest, ctx: SwapContext, specs: Mapping[str, ShiftSpec], day: dt.date
) -> list[RuleError]:
    """换班需提前报备: the earliest shift either party works that day starts late enough."""
    codes = (ctx.schedule.get((req.applicant_id, day)), ctx.schedule.get((req.colleague_id, day)))
    starts = [shift_start(specs[c], day) for c in codes if c in specs]
    if not starts:
        return []
    first = min(starts)
    hours = ctx.limits.notice_hours
    if req.now > first - dt.timedelta(hours=hours):
        return [
            RuleError(
                "swap_notice",
                f"换班须在当班前{hours:g}小时提出（{md(day)} {first:%H:%M}上班），临时换班不予生效",
                "day",
            )
        ]
    return []


def _cap_and_consecutive(
    req: SwapRequest, ctx: SwapContext, days: list[dt.date]
) -> list[RuleError]:
    limits = ctx.limits
    names = {req.applicant_id: req.applicant_name, req.colleague_id: req.colleague_name}
    out: list[RuleError] = []
    for pid in (req.applicant_id, req.colleague_id):
        marks = [m for m in ctx.marks if m.person_id == pid]
        if req.kind == SWAP:
            month = (req.day.year, req.day.month)
            used = sum(1 for m in marks if m.counted and (m.day.year, m.day.month) == month)
            if used + 1 > limits.max_per_month:
                out.append(
                    RuleError(
                        "swap_monthly_cap",
                        f"{names[pid]}{req.day.year}年{req.day.month}月已有{used}次换班，"
                        f"每人每月换班不得超过{limits.max_per_month}次",
                    )
                )
        taken = {m.day for m in marks}
        for day in days:
            field_name = "day" if day == req.day else "payback_day"
            if day in taken:
                out.append(
                    RuleError(
                        "swap_consecutive",
                        f"{names[pid]}{md(day)}已有换班或还班，同一天不能再换班",
                        field_name,
                    )
                )
            elif not limits.allow_consecutive:
                near = sorted(d for d in taken | (set(days) - {day}) if abs((d - day).days) == 1)
                if near:
                    out.append(
                        RuleError(
                            "swap_consecutive",
                            f"不允许连续换班：{names[pid]}{md(near[0])}已有换班或还班",
                            field_name,
                        )
                    )
    return _unique(out)


def _payback(req: SwapRequest, ctx: SwapContext) -> list[RuleError]:
    within = ctx.limits.payback_within_days
    last = req.day + dt.timedelta(days=within)
    if req.kind == PAYBACK:
        if req.payback_due is not None and req.day > req.payback_due:
            return [
                RuleError(
                    "swap_payback_day",
                    f"还班日期须在还班期限{md(req.payback_due)}之前",
                    "day",
                )
            ]
        return []
    if req.payback_day is None and req.payback_due is None:
        return [
            RuleError(
                "swap_payback_required",
                "换班必须还班：请选择还班日期，或选择还班期限日后再安排还班",
                "payback_day",
            )
        ]
    if req.payback_day is not None and not req.day < req.payback_day <= last:
        return [
            RuleError(
                "swap_payback_day",
                f"还班日期须在换班日之后{within}天以内（{md(req.day + dt.timedelta(days=1))}"
                f"至{md(last)}）",
                "payback_day",
            )
        ]
    if req.payback_day is None and req.payback_due and not req.day < req.payback_due <= last:
        return [
            RuleError(
                "swap_payback_due",
                f"还班期限须在换班日之后{within}天以内（最晚{md(last)}）",
                "payback_due",
            )
        ]
    return []


def _roster_rules(
    req: SwapRequest, ctx: SwapContext, specs: Mapping[str, ShiftSpec], days: list[dt.date]
) -> list[RuleError]:
    """The roster checker's person-level rules on both rows, before and after the exchange; only
    what the exchange newly breaks is reported (换班者、还班者不允许连班)."""
    a, b = req.applicant_id, req.colleague_id
    reach = ctx.limits.max_consecutive_work_days + 1
    first, last = min(days) - dt.timedelta(days=reach), max(days) + dt.timedelta(days=reach)
    window = tuple(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    problem = RosterProblem(
        days=window,
        shifts=ctx.shifts,
        people=(
            Person(a, req.applicant_name, ctx.skills.get(a, frozenset())),
            Person(b, req.colleague_name, ctx.skills.get(b, frozenset())),
        ),
        demands=(),
        rules=RosterRules(
            max_consecutive_work_days=ctx.limits.max_consecutive_work_days,
            min_rest_days=0,
            min_rest_hours_between_shifts=ctx.limits.min_rest_hours_between_shifts,
        ),
        holidays=ctx.holidays,
    )
    before = {k: v for k, v in ctx.schedule.items() if k[0] in (a, b) and first <= k[1] <= last}
    after = swapped(before, a, b, days)
    out: list[RuleError] = []
    for pid in (a, b):
        old = {
            (v.rule, v.day) for v in check_person(problem, before, pid) if v.rule in _CHECKED_RULES
        }
        for v in check_person(problem, after, pid):
            if v.rule not in _CHECKED_RULES or (v.rule, v.day) in old:
                continue
            field_name = "payback_day" if req.payback_day and v.day == req.payback_day else "day"
            if v.rule == RULE_REST_GAP:
                out.append(
                    RuleError(
                        "swap_back_to_back",
                        f"换班者、还班者不允许连班：换班后{v.message}",
                        field_name,
                    )
                )
            else:
                out.append(RuleError("swap_roster_rule", f"换班后{v.message}", field_name))
    return out


def _unique(errors: list[RuleError]) -> list[RuleError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in errors:
        if (e.code, e.message) not in seen:
            seen.add((e.code, e.message))
            out.append(e)
    return out


def check_swap(req: SwapRequest, ctx: SwapContext) -> list[RuleError]:
    """Every swap rule ``req`` breaks (empty = allowed), in the order a person would fix them."""
    if req.applicant_id == req.colleague_id:
        return [RuleError("swap_self", "不能与自己换班", "colleague")]
    if not req.same_team:
        return [RuleError("swap_other_team", "只能与本班组的同事换班", "colleague")]
    specs = {s.code: s for s in ctx.shifts}
    main_giver = req.applicant_id if req.kind == SWAP else req.colleague_id
    label = "换班" if req.kind == SWAP else "还班"
    errors = _exchange_day(
        req, ctx, specs, req.day, giver=main_giver, field_name="day", label=label
    )
    days = [req.day]
    if req.kind == SWAP and req.payback_day is not None and req.payback_day != req.day:
        errors += _exchange_day(
            req,
            ctx,
            specs,
            req.payback_day,
            giver=req.colleague_id,
            field_name="payback_day",
            label="还班",
        )
        days.append(req.payback_day)
    errors += _payback(req, ctx)
    errors += _notice(req, ctx, specs, req.day)
    errors += _cap_and_consecutive(req, ctx, days)
    if not any(
        e.code in ("swap_not_published", "swap_no_shift", "swap_same_shift") for e in errors
    ):
        errors += _roster_rules(req, ctx, specs, days)
    return _unique(errors)
