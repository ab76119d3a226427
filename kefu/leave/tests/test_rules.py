"""请假规则 (WFM-3, WFM-4, WFM-5) — pure rule tests, each limit with its exact error."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.leave.rules import (
    SHANGHAI,
    LeaveAsk,
    LeaveContext,
    LeaveLimits,
    Overlap,
    check_leave,
    count_days,
)
from kefu.workforce.rostering.problem import ShiftSpec

DAY = ShiftSpec("day", "白班", 8 * 60 + 30, 17 * 60 + 30)
NIGHT = ShiftSpec("night", "晚班", 17 * 60 + 30, 24 * 60, night=True)
SPECS = (DAY, NIGHT)
MONTH = [dt.date(2026, 12, d) for d in range(1, 32)]
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)
D = dt.date(2026, 12, 10)


def schedule() -> dict[dt.date, str]:
    """白班 every day, rest on days ≡ 0 (mod 5), 晚班 on days ≡ 3 (mod 5)."""
    return {d: "rest" if d.day % 5 == 0 else ("night" if d.day % 5 == 3 else "day") for d in MONTH}


def ask(**kw) -> LeaveAsk:
    values = {
        "leave_type": "personal",
        "type_name": "事假",
        "start": dt.date(2026, 12, 11),
        "end": dt.date(2026, 12, 12),
        "now": NOW,
    }
    values.update(kw)
    return LeaveAsk(**values)


def ctx(**kw) -> LeaveContext:
    values = {"schedule": schedule(), "shifts": SPECS}
    values.update(kw)
    return LeaveContext(**values)


def test_ordinary_leave_two_days_ahead_passes() -> None:
    assert check_leave(ask(), ctx()) == []


def test_range_and_hours() -> None:
    [e] = check_leave(ask(end=dt.date(2026, 12, 9)), ctx())
    assert (e.code, e.message, e.field) == ("leave_dates", "结束日期不能早于开始日期", "end_day")
    [e] = check_leave(
        ask(end=dt.date(2026, 12, 20)), ctx(limits=LeaveLimits(max_days_per_request=5))
    )
    assert (e.code, e.message) == ("leave_too_long", "每次请假最多5天，请分次申请")
    [e] = check_leave(ask(hours=Decimal(2)), ctx())
    assert (e.code, e.field) == ("leave_hours", "hours")
    assert e.message == "按小时请假只能在同一天内，请把结束日期设为开始日期"
    one = dt.date(2026, 12, 11)
    [e] = check_leave(ask(end=one, hours=Decimal(10)), ctx())
    assert e.message == "请假小时数须大于0且不超过当班时长（9小时）"
    [e] = check_leave(ask(end=one, hours=Decimal(0)), ctx())
    assert e.code == "leave_hours"
    assert check_leave(ask(end=one, hours=Decimal(3)), ctx()) == []


def test_no_shift_in_the_range() -> None:
    [e] = check_leave(ask(start=D, end=D), ctx())
    assert (e.code, e.message) == ("leave_no_shift", "请假期间您没有班次（休息），无需请假")


def test_ordinary_leave_a_day_ahead() -> None:
    late = dt.datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI)  # 23.5 h before 12-11 08:30
    [e] = check_leave(ask(now=late), ctx())
    assert e.code == "leave_notice" and e.field == "start_day"
    assert e.message == (
        "一般请假须在当班前24小时提出（12月11日 白班 08:30上班）；确有急事请选择紧急请假（班前2小时）"
    )
    ok = dt.datetime(2026, 12, 10, 8, 30, tzinfo=SHANGHAI)
    assert check_leave(ask(now=ok), ctx()) == []


def test_urgent_leave_two_hours_before_the_shift() -> None:
    at = dt.datetime(2026, 12, 11, 6, 30, tzinfo=SHANGHAI)
    assert check_leave(ask(now=at, urgent=True), ctx()) == []
    late = dt.datetime(2026, 12, 11, 6, 31, tzinfo=SHANGHAI)
    [e] = check_leave(ask(now=late, urgent=True), ctx())
    assert (e.code, e.field) == ("leave_notice", "urgent")
    assert e.message == "紧急请假须在班前2小时提出（12月11日 白班 08:30上班）"


def test_notice_counts_from_the_first_shift_of_the_range() -> None:
    # 12-10 is a rest day: the first shift is 12-11 08:30
    now = dt.datetime(2026, 12, 10, 8, 0, tzinfo=SHANGHAI)
    assert check_leave(ask(start=D, now=now), ctx()) == []
    # an unrostered day counts from the earliest daytime shift (白班 08:30)
    unrostered = {d: c for d, c in schedule().items() if d != dt.date(2026, 12, 11)}
    assert check_leave(ask(now=now), ctx(schedule=unrostered)) == []
    later = dt.datetime(2026, 12, 10, 8, 31, tzinfo=SHANGHAI)
    [e] = check_leave(ask(now=later), ctx(schedule=unrostered))
    assert e.message.startswith("一般请假须在当班前24小时提出（12月11日）")


def test_night_shifts_may_not_take_leave() -> None:
    [e] = check_leave(ask(start=dt.date(2026, 12, 13), end=dt.date(2026, 12, 14)), ctx())
    assert e.code == "leave_night_shift"
    assert e.message == "夜班不允许请假，如有特殊情况请找同事换班：12月13日晚班"
    [e] = check_leave(ask(start=dt.date(2026, 12, 12), end=dt.date(2026, 12, 19)), ctx())
    assert e.message.endswith("12月13日晚班等2天")
    allowed = LeaveLimits(night_shift_leave=True)
    assert (
        check_leave(
            ask(start=dt.date(2026, 12, 13), end=dt.date(2026, 12, 13)), ctx(limits=allowed)
        )
        == []
    )
    exempt = LeaveLimits(exempt=True)
    assert (
        check_leave(ask(start=dt.date(2026, 12, 13), end=dt.date(2026, 12, 13)), ctx(limits=exempt))
        == []
    )


def test_no_leave_on_duty_on_a_holiday() -> None:
    holiday = dt.date(2026, 12, 11)
    [e] = check_leave(ask(), ctx(holidays=frozenset({holiday})))
    assert (e.code, e.message) == (
        "leave_holiday",
        "节假日当班人员不允许请假：12月11日为法定节假日且您当班",
    )
    # a holiday the person rests on is no obstacle
    assert check_leave(ask(start=D, end=dt.date(2026, 12, 11)), ctx(holidays=frozenset({D}))) == []
    assert (
        check_leave(
            ask(), ctx(holidays=frozenset({holiday}), limits=LeaveLimits(holiday_leave=True))
        )
        == []
    )


def test_no_leave_on_a_swap_or_payback_day() -> None:
    [e] = check_leave(ask(), ctx(swap_days=frozenset({dt.date(2026, 12, 12)})))
    assert (e.code, e.message) == (
        "leave_swap_day",
        "换班和还班均不得请假：12月12日为您的换班或还班日",
    )


def test_no_overlap() -> None:
    other = Overlap("QJ000007", dt.date(2026, 12, 12), dt.date(2026, 12, 14))
    [e] = check_leave(ask(), ctx(overlaps=(other,)))
    assert (e.code, e.message) == (
        "leave_overlap",
        "与已有请假QJ000007（12月12日至12月14日）时间重叠",
    )


def test_balances_and_per_request_maximum() -> None:
    annual = ask(leave_type="annual", type_name="年假", balance="annual")
    assert check_leave(annual, ctx(remaining=Decimal(2), balance_label="2026年")) == []
    [e] = check_leave(annual, ctx(remaining=Decimal("1.5"), balance_label="2026年"))
    assert (e.code, e.field) == ("leave_balance", "leave_type")
    assert e.message == "年假余额不足：2026年剩余1.5天，本次申请2天"
    nights_ok = LeaveLimits(night_shift_leave=True)
    [e] = check_leave(
        replace(annual, end=dt.date(2027, 1, 2)), ctx(remaining=Decimal(10), limits=nights_ok)
    )
    assert (e.code, e.message) == ("leave_span", "年假须在同一年内，请按年分开申请")
    adjust = ask(leave_type="adjust", type_name="调休", balance="monthly", end=dt.date(2027, 1, 1))
    [e] = check_leave(adjust, ctx(remaining=Decimal(4), limits=nights_ok))
    assert e.message == "调休须在同一个月内，请按月分开申请"
    marriage = ask(leave_type="marriage", type_name="婚假", balance="per_request", max_days=3)
    wedding = replace(marriage, start=dt.date(2026, 12, 11), end=dt.date(2026, 12, 17))
    [e] = check_leave(wedding, ctx(limits=nights_ok))
    assert (e.code, e.message) == ("leave_type_max", "婚假每次最多3天，本次6天")


def test_count_days_skips_rest_and_halves_short_hours() -> None:
    sched = schedule()
    assert count_days(dt.date(2026, 12, 9), dt.date(2026, 12, 16), None, sched, 4) == 6
    assert count_days(D, D, Decimal(3), sched, 4) == 0  # a rest day
    assert count_days(
        dt.date(2026, 12, 11), dt.date(2026, 12, 11), Decimal(4), sched, 4
    ) == Decimal("0.5")
    assert count_days(dt.date(2026, 12, 11), dt.date(2026, 12, 11), Decimal(5), sched, 4) == 1
    assert count_days(dt.date(2027, 1, 1), dt.date(2027, 1, 3), None, sched, 4) == 3  # not rostered


DATES = st.integers(1, 31).map(lambda d: dt.date(2026, 12, d))


@settings(max_examples=300, deadline=None)
@given(
    DATES,
    st.integers(0, 6),
    st.booleans(),
    st.lists(DATES, max_size=3),
    st.lists(DATES, max_size=3),
    st.integers(0, 72),
)
def test_property_accepted_leave_respects_every_limit(
    start, length, urgent, holidays, swaps, lead
) -> None:  # type: ignore[no-untyped-def]
    end = min(start + dt.timedelta(days=length), dt.date(2026, 12, 31))
    first = dt.datetime.combine(start, dt.time(8, 30), tzinfo=SHANGHAI)
    now = first - dt.timedelta(hours=lead)
    a = ask(start=start, end=end, urgent=urgent, now=now)
    c = ctx(holidays=frozenset(holidays), swap_days=frozenset(swaps))
    errors = check_leave(a, c)
    assert all(e.code.startswith("leave_") and e.message for e in errors)
    if errors:
        return
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    sched = schedule()
    assert not set(days) & set(swaps)
    assert all(sched[d] != "night" for d in days)
    assert not any(d in holidays and sched[d] == "day" for d in days)
    working = [d for d in days if sched[d] != "rest"]
    assert working
    shift_start = dt.datetime.combine(working[0], dt.time(8, 30), tzinfo=SHANGHAI)
    need = 2 if urgent else 24
    assert now <= shift_start - dt.timedelta(hours=need)
