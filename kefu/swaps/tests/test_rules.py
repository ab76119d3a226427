"""换班规则 (WFM-3) — pure rule tests: each rule with its exact error, and hypothesis properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.swaps.rules import (
    PAYBACK,
    SHANGHAI,
    SwapContext,
    SwapLimits,
    SwapMark,
    SwapRequest,
    check_swap,
    payback_status,
    swapped,
)
from kefu.workforce.rostering.problem import ShiftSpec

DAY = ShiftSpec("day", "白班", 8 * 60 + 30, 17 * 60 + 30)
NIGHT = ShiftSpec("night", "晚班", 17 * 60 + 30, 24 * 60, night=True)
LEAD_DAY = ShiftSpec("lead_day", "组长白班", 8 * 60 + 30, 17 * 60 + 30, skills=frozenset({"lead"}))
SPECS = (DAY, NIGHT, LEAD_DAY)
A, B = 1, 2
MONTH = [dt.date(2026, 12, d) for d in range(1, 32)]
D = dt.date(2026, 12, 10)
P = dt.date(2026, 12, 13)
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)


def base_schedule() -> dict[tuple[int, dt.date], str]:
    """A rests on days ≡ 1 (mod 4), B on days ≡ 2 (mod 4); everyone else works 白班."""
    sched = {}
    for day in MONTH:
        sched[(A, day)] = "rest" if day.day % 4 == 1 else "day"
        sched[(B, day)] = "rest" if day.day % 4 == 2 else "day"
    return sched


def ask(**kw) -> SwapRequest:
    values = {
        "applicant_id": A,
        "colleague_id": B,
        "day": D,
        "now": NOW,
        "payback_day": P,
        "applicant_name": "甲",
        "colleague_name": "乙",
    }
    values.update(kw)
    return SwapRequest(**values)


def ctx(**kw) -> SwapContext:
    values = {"schedule": base_schedule(), "shifts": SPECS}
    values.update(kw)
    return SwapContext(**values)


def codes(errors) -> list[str]:
    return [e.code for e in errors]


def test_a_plain_swap_with_payback_passes() -> None:
    assert check_swap(ask(), ctx()) == []


def test_swapped_exchanges_both_cells_on_each_day() -> None:
    after = swapped(base_schedule(), A, B, [D, P])
    assert (after[(A, D)], after[(B, D)]) == ("rest", "day")
    assert (after[(A, P)], after[(B, P)]) == ("day", "rest")


def test_not_with_oneself_nor_another_team() -> None:
    [e] = check_swap(ask(colleague_id=A), ctx())
    assert (e.code, e.message, e.field) == ("swap_self", "不能与自己换班", "colleague")
    [e] = check_swap(ask(same_team=False), ctx())
    assert (e.code, e.message) == ("swap_other_team", "只能与本班组的同事换班")


def test_both_days_must_be_in_the_published_roster() -> None:
    sched = base_schedule()
    del sched[(B, D)]
    errors = check_swap(ask(), ctx(schedule=sched))
    assert errors[0].code == "swap_not_published"
    assert errors[0].message == "换班12月10日乙不在已发布的排班表中（排班表尚未发布），不能换班"
    sched = base_schedule()
    del sched[(A, P)]
    [e] = [e for e in check_swap(ask(), ctx(schedule=sched)) if e.code == "swap_not_published"]
    assert e.field == "payback_day" and e.message.startswith("还班12月13日甲")


def test_the_applicant_must_work_the_day_and_the_cells_must_differ() -> None:
    errors = check_swap(ask(day=dt.date(2026, 12, 9)), ctx())
    assert errors[0].code == "swap_no_shift"
    assert errors[0].message == "您12月9日没有班次（休息），无需换班"
    errors = check_swap(ask(day=dt.date(2026, 12, 11)), ctx())
    assert errors[0].code == "swap_same_shift"
    assert errors[0].message == "乙12月11日同样是白班，无需换班"


def test_payback_day_must_be_a_working_day_of_the_colleague() -> None:
    errors = check_swap(ask(payback_day=dt.date(2026, 12, 14)), ctx())
    [e] = [e for e in errors if e.code == "swap_no_shift"]
    assert e.message == "乙12月14日没有班次（休息），无需还班" and e.field == "payback_day"


def test_notice_temporary_swaps_are_refused() -> None:
    late = dt.datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI)  # 23.5 h before 08:30
    [e] = check_swap(ask(now=late), ctx())
    assert e.code == "swap_notice"
    assert e.message == "换班须在当班前24小时提出（12月10日 08:30上班），临时换班不予生效"
    ok = dt.datetime(2026, 12, 9, 8, 30, tzinfo=SHANGHAI)
    assert check_swap(ask(now=ok), ctx()) == []
    relaxed = SwapLimits(notice_hours=2)
    assert check_swap(ask(now=late), ctx(limits=relaxed)) == []


def test_no_swaps_on_holidays() -> None:
    [e] = check_swap(ask(), ctx(holidays=frozenset({D})))
    assert (e.code, e.message) == ("swap_holiday", "节假日当班人员不允许换班：12月10日为法定节假日")
    [e] = check_swap(ask(), ctx(holidays=frozenset({P})))
    assert e.code == "swap_holiday" and e.field == "payback_day"
    assert (
        check_swap(ask(), ctx(holidays=frozenset({D}), limits=SwapLimits(holiday_swap=True))) == []
    )


def test_no_leave_on_a_swap_or_payback_day() -> None:
    [e] = check_swap(ask(), ctx(leave_days=frozenset({(B, D)})))
    assert (e.code, e.message) == ("swap_leave", "换班和还班均不得请假：乙12月10日已请假")
    [e] = check_swap(ask(), ctx(leave_days=frozenset({(A, P)})))
    assert e.code == "swap_leave" and e.field == "payback_day"
    sched = base_schedule()
    sched[(B, D)] = "leave"  # approved leave already in the roster
    assert "swap_leave" in codes(check_swap(ask(), ctx(schedule=sched)))


@pytest.mark.parametrize("cap", [2, 3])
def test_monthly_cap_counts_both_parties_pending_and_approved(cap: int) -> None:
    limits = SwapLimits(max_per_month=cap)
    marks = tuple(SwapMark(B, dt.date(2026, 12, 20 + 3 * i)) for i in range(cap))
    [e] = check_swap(ask(), ctx(marks=marks, limits=limits))
    assert e.code == "swap_monthly_cap"
    assert e.message == f"乙2026年12月已有{cap}次换班，每人每月换班不得超过{cap}次"
    fewer = marks[:-1]
    assert check_swap(ask(), ctx(marks=fewer, limits=limits)) == []
    # payback days and other months do not count
    others = (
        *fewer,
        SwapMark(B, dt.date(2026, 12, 29), counted=False),
        SwapMark(B, dt.date(2027, 1, 2)),
    )
    assert check_swap(ask(), ctx(marks=others, limits=limits)) == []


def test_no_consecutive_swaps() -> None:
    [e] = check_swap(ask(), ctx(marks=(SwapMark(A, D - dt.timedelta(days=1)),)))
    assert (e.code, e.message) == ("swap_consecutive", "不允许连续换班：甲12月9日已有换班或还班")
    [e] = check_swap(ask(), ctx(marks=(SwapMark(B, P + dt.timedelta(days=1), counted=False),)))
    assert e.code == "swap_consecutive" and e.field == "payback_day"
    allowed = SwapLimits(allow_consecutive=True)
    assert check_swap(ask(), ctx(marks=(SwapMark(A, dt.date(2026, 12, 9)),), limits=allowed)) == []
    # never two swaps on one day, even when consecutive swaps are allowed
    [e] = check_swap(ask(), ctx(marks=(SwapMark(A, D),), limits=allowed))
    assert e.message == "甲12月10日已有换班或还班，同一天不能再换班"


def test_payback_the_day_after_is_a_consecutive_swap() -> None:
    sched = base_schedule()
    sched[(A, dt.date(2026, 12, 11))] = "rest"
    errors = check_swap(ask(payback_day=dt.date(2026, 12, 11)), ctx(schedule=sched))
    assert "swap_consecutive" in codes(errors)


def test_no_back_to_back_shifts_after_the_swap() -> None:
    sched = base_schedule()
    sched[(B, dt.date(2026, 12, 9))] = "night"  # B works until 24:00, then A's 08:30 白班
    [e] = check_swap(ask(), ctx(schedule=sched))
    assert e.code == "swap_back_to_back"
    assert e.message == (
        "换班者、还班者不允许连班：换班后乙 12月9日上晚班（17:30–24:00）后，12月10日接着上"
        "白班（08:30–17:30），两班间仅休息8.5小时，少于10小时"
    )
    # the same gap already in the roster before the swap is not the swap's doing
    sched[(A, dt.date(2026, 12, 11))] = "night"
    sched[(A, dt.date(2026, 12, 12))] = "day"
    assert "swap_back_to_back" in codes(check_swap(ask(), ctx(schedule=sched)))


def test_night_shifts_may_swap() -> None:
    sched = base_schedule()
    sched[(A, D)] = "night"
    sched[(B, dt.date(2026, 12, 11))] = "night"  # B takes the 晚班, no 白班 right after it
    assert check_swap(ask(), ctx(schedule=sched)) == []
    sched[(B, dt.date(2026, 12, 11))] = "day"
    [e] = check_swap(ask(), ctx(schedule=sched))
    assert e.code == "swap_back_to_back" and "12月11日接着上白班" in e.message


def test_six_days_on_one_off_and_skills_after_the_swap() -> None:
    sched = base_schedule()
    sched[(B, dt.date(2026, 12, 3))] = "rest"
    for d in range(4, 10):
        sched[(B, dt.date(2026, 12, d))] = "day"  # B works 4..9, then A's 10th and on to the 12th
    errors = check_swap(ask(), ctx(schedule=sched))
    assert codes(errors) == ["swap_roster_rule"]
    assert errors[0].message == "换班后乙 12月10日 连续上班9天，超过上限6天（做六休一）"
    sched = base_schedule()
    sched[(A, D)] = "lead_day"
    [e] = check_swap(ask(), ctx(schedule=sched))
    assert e.code == "swap_roster_rule" and "不具备组长白班所需技能：lead" in e.message
    assert check_swap(ask(), ctx(schedule=sched, skills={B: frozenset({"lead"})})) == []


def test_a_swap_must_be_paid_back() -> None:
    sched = base_schedule()
    sched[(B, dt.date(2026, 12, 12))] = "rest"  # B does not run past six days without a payback
    c = ctx(schedule=sched)
    [e] = check_swap(ask(payback_day=None), c)
    assert e.code == "swap_payback_required" and e.field == "payback_day"
    assert e.message == "换班必须还班：请选择还班日期，或选择还班期限日后再安排还班"
    assert check_swap(ask(payback_day=None, payback_due=dt.date(2027, 1, 9)), c) == []
    [e] = check_swap(ask(payback_day=None, payback_due=dt.date(2027, 1, 10)), c)
    assert (e.code, e.message) == (
        "swap_payback_due",
        "还班期限须在换班日之后30天以内（最晚1月9日）",
    )
    [e] = check_swap(ask(payback_day=None, payback_due=D), c)
    assert e.code == "swap_payback_due"
    # without the payback in the same request, the colleague's extra day counts for 做六休一
    errors = check_swap(ask(payback_day=None, payback_due=dt.date(2027, 1, 9)), ctx())
    assert codes(errors) == ["swap_roster_rule"]


def test_payback_day_window() -> None:
    sched = base_schedule()
    errors = check_swap(ask(payback_day=dt.date(2026, 12, 5)), ctx(schedule=sched))
    assert errors[0].code == "swap_payback_day"
    assert errors[0].message == "还班日期须在换班日之后30天以内（12月11日至1月9日）"
    limits = SwapLimits(payback_within_days=2)
    assert "swap_payback_day" in codes(check_swap(ask(), ctx(limits=limits)))


def test_a_payback_request_is_an_exchange_where_the_colleague_gives() -> None:
    req = ask(kind=PAYBACK, day=P, payback_day=None, payback_due=dt.date(2026, 12, 20))
    c = ctx(schedule=swapped(base_schedule(), A, B, [D]))  # the swap itself is in the roster
    assert check_swap(req, c) == []
    # not counted against the monthly cap
    marks = tuple(SwapMark(A, dt.date(2026, 12, 20 + 3 * i)) for i in range(3))
    assert check_swap(req, replace(c, marks=marks)) == []
    late = replace(req, payback_due=dt.date(2026, 12, 12))
    [e] = check_swap(late, c)
    assert (e.code, e.message) == ("swap_payback_day", "还班日期须在还班期限12月12日之前")
    [e] = check_swap(replace(req, day=dt.date(2026, 12, 14)), c)
    assert (e.code, e.message) == ("swap_no_shift", "乙12月14日没有班次（休息），无需还班")


def test_payback_status() -> None:
    today = dt.date(2026, 12, 20)
    assert payback_status(dt.date(2026, 12, 13), dt.date(2026, 12, 13), today) == "done"
    assert payback_status(dt.date(2026, 12, 25), dt.date(2026, 12, 25), today) == "due"
    assert payback_status(None, dt.date(2026, 12, 21), today) == "due"
    assert payback_status(None, dt.date(2026, 12, 19), today) == "overdue"


# --- properties ---------------------------------------------------------------------------
KNOWN = {
    "swap_self",
    "swap_other_team",
    "swap_not_published",
    "swap_no_shift",
    "swap_same_shift",
    "swap_notice",
    "swap_holiday",
    "swap_leave",
    "swap_monthly_cap",
    "swap_consecutive",
    "swap_back_to_back",
    "swap_roster_rule",
    "swap_payback_required",
    "swap_payback_day",
    "swap_payback_due",
}
CODES = st.sampled_from(["day", "night", "rest", "leave"])
DAYS = st.integers(min_value=1, max_value=31).map(lambda d: dt.date(2026, 12, d))


@st.composite
def scenarios(draw):  # type: ignore[no-untyped-def]
    sched = {(p, day): draw(CODES) for p in (A, B) for day in MONTH}
    day = draw(DAYS)
    payback = draw(st.none() | DAYS)
    due = None if payback else draw(st.none() | DAYS)
    marks = tuple(
        SwapMark(draw(st.sampled_from([A, B])), draw(DAYS), draw(st.booleans()))
        for _ in range(draw(st.integers(0, 4)))
    )
    holidays = frozenset(draw(st.lists(DAYS, max_size=3)))
    leave = frozenset((draw(st.sampled_from([A, B])), d) for d in draw(st.lists(DAYS, max_size=3)))
    limits = SwapLimits(
        max_per_month=draw(st.integers(0, 3)), allow_consecutive=draw(st.booleans())
    )
    req = ask(day=day, payback_day=payback, payback_due=due)
    context = ctx(schedule=sched, marks=marks, holidays=holidays, leave_days=leave, limits=limits)
    return req, context


def _rest_gap_ok(sched: dict, pid: int) -> bool:
    specs = {s.code: s for s in SPECS}
    for day in MONTH[1:]:
        before = specs.get(sched.get((pid, day - dt.timedelta(days=1)), ""))
        after = specs.get(sched.get((pid, day), ""))
        if before and after and (24 * 60 + after.start_min - before.end_min) < 600:
            return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_property_an_accepted_swap_breaks_no_rule(scenario) -> None:  # type: ignore[no-untyped-def]
    req, context = scenario
    errors = check_swap(req, context)
    assert {e.code for e in errors} <= KNOWN
    assert all(
        e.message and e.field in {"day", "payback_day", "payback_due", "colleague"} for e in errors
    )
    if errors:
        return
    days = [req.day] + ([req.payback_day] if req.payback_day else [])
    sched = context.schedule
    assert sched[(A, req.day)] in ("day", "night") and sched[(A, req.day)] != sched[(B, req.day)]
    for day in days:
        assert day not in context.holidays
        assert not any((p, day) in context.leave_days for p in (A, B))
        assert "leave" not in (sched[(A, day)], sched[(B, day)])
    for pid in (A, B):
        taken = {m.day for m in context.marks if m.person_id == pid}
        assert not taken & set(days)
        if not context.limits.allow_consecutive:
            assert all(abs((t - d).days) > 1 for t in taken for d in days)
        used = sum(1 for m in context.marks if m.person_id == pid and m.counted)
        assert used + 1 <= context.limits.max_per_month
    after = swapped(sched, A, B, days)
    for pid in (A, B):
        # a rest-gap problem after the swap was already there before it
        assert _rest_gap_ok(after, pid) or not _rest_gap_ok(sched, pid)
    assert req.payback_day or req.payback_due


@settings(max_examples=200, deadline=None)
@given(scenarios(), DAYS, st.sampled_from([A, B]))
def test_property_more_restrictions_never_let_a_refused_swap_through(scenario, extra, who) -> None:  # type: ignore[no-untyped-def]
    req, context = scenario
    if not check_swap(req, context):
        return
    tighter = [
        replace(context, holidays=context.holidays | {extra}),
        replace(context, leave_days=context.leave_days | {(who, extra)}),
        replace(context, marks=(*context.marks, SwapMark(who, extra))),
    ]
    for c in tighter:
        assert check_swap(req, c), "adding a restriction accepted a refused swap"
