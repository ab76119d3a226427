"""WFM-3 空班按旷工: a shift handed over by an approved swap and left empty — both parties judged.

Pure rule (``empty_shift.judge_empty_swap_shifts``) with examples and a hypothesis property, then
the classification run against a published roster and an approved swap (the swap module's hook).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.attendance import services
from kefu.attendance.choices import DayStatus, IncidentRule
from kefu.attendance.classify import DayResult, Rules, no_show
from kefu.attendance.empty_shift import is_no_show, judge_empty_swap_shifts
from kefu.attendance.hooks import HandedShift
from kefu.attendance.models import AttendanceDay, ClockEvent
from kefu.attendance.selectors import attendance_incidents

from .conftest import NOW
from .factories import local, publish

D = dt.date(2026, 3, 12)  # settled at NOW (补卡 window closed at the end of the 14th)
A, B = 1, 2
RULES = Rules()


def _no_show_day(rules: Rules = RULES) -> DayResult:
    status, penalty = no_show(rules, "白班")
    return DayResult(status=status, missing_in=True, missing_out=True, penalties=(penalty,))


REST = DayResult(status=DayStatus.REST)
NORMAL = DayResult(status=DayStatus.NORMAL, clock_in=local(D, 8, 20), clock_out=local(D, 17, 40))
HANDED = HandedShift(D, holder_id=B, giver_id=A, code="day", reference="HB000007")


def _judge(results: dict, codes: dict | None = None, rules: Rules = RULES) -> dict:
    codes = codes if codes is not None else {(A, D): "rest", (B, D): "day"}
    return judge_empty_swap_shifts(results, codes, [HANDED], lambda day: rules)


def test_holder_no_show_judges_the_giver_the_same_way() -> None:
    changed = _judge({(A, D): REST, (B, D): _no_show_day()})
    giver, holder = changed[(A, D)], changed[(B, D)]
    assert giver.status == DayStatus.TRUANCY
    [penalty] = giver.penalties
    assert penalty.rule == IncidentRule.TRUANCY
    assert (penalty.points, penalty.pay_days) == (Decimal(-5), Decimal(1))
    assert "HB000007" in penalty.description and "空班" in penalty.description
    # the holder keeps their own no-show, now naming the swap
    assert holder.status == DayStatus.TRUANCY and len(holder.penalties) == 1
    assert holder.penalties[0].points == Decimal(-5)
    assert "HB000007" in holder.penalties[0].description


def test_no_show_as_absence_reads_both_as_absence() -> None:
    rules = replace(RULES, no_show_as="absence")
    changed = _judge({(A, D): REST, (B, D): _no_show_day(rules)}, rules=rules)
    assert changed[(A, D)].status == DayStatus.ABSENT
    assert changed[(A, D)].penalties[0].rule == IncidentRule.ABSENCE
    assert changed[(A, D)].penalties[0].points == Decimal(-2)


def test_nothing_when_the_holder_came_or_the_rule_is_off_or_the_roster_changed() -> None:
    assert _judge({(A, D): REST, (B, D): NORMAL}) == {}
    off = replace(RULES, swap_empty_shift_both=False)
    assert _judge({(A, D): REST, (B, D): _no_show_day(off)}, rules=off) == {}
    # the holder's cell no longer holds the handed shift: the link is gone
    changed = _judge({(A, D): REST, (B, D): _no_show_day()}, {(A, D): "rest", (B, D): "night"})
    assert changed == {}
    # an unsettled day (缺卡 until the 补卡 deadline) is no no-show yet
    pending = DayResult(status=DayStatus.MISSED, missing_in=True, missing_out=True, final=False)
    assert _judge({(A, D): REST, (B, D): pending}) == {}


def test_a_giver_already_absent_is_not_judged_twice() -> None:
    # both handed a working shift to the other and neither came
    other = HandedShift(D, holder_id=A, giver_id=B, code="night", reference="HB000007")
    results = {(A, D): _no_show_day(), (B, D): _no_show_day()}
    codes = {(A, D): "night", (B, D): "day"}
    changed = judge_empty_swap_shifts(results, codes, [HANDED, other], lambda day: RULES)
    assert all(len(r.penalties) == 1 for r in changed.values())


def test_the_giver_keeps_what_their_own_day_had() -> None:
    late = DayResult(
        status=DayStatus.LATE,
        clock_in=local(D, 18, 0),
        clock_out=local(D, 23, 59),
        late_minutes=10,
        penalties=(replace(_no_show_day().penalties[0], rule=IncidentRule.LATE),),
    )
    changed = _judge({(A, D): late, (B, D): _no_show_day()}, {(A, D): "night", (B, D): "day"})
    giver = changed[(A, D)]
    assert [p.rule for p in giver.penalties] == [IncidentRule.LATE, IncidentRule.TRUANCY]
    assert giver.status == DayStatus.TRUANCY and giver.late_minutes == 10


DAYS = st.sampled_from(
    [REST, NORMAL, DayResult(status=DayStatus.LEAVE), DayResult(status=DayStatus.UNSCHEDULED)]
)


@given(giver=DAYS, holder=st.one_of(DAYS, st.just(_no_show_day())), on=st.booleans())
def test_property_only_an_empty_handed_shift_changes_anything(giver, holder, on) -> None:
    """The giver gains exactly one no-show penalty iff the rule is on and the holder never came;
    nothing else about any day changes but the texts."""
    rules = replace(RULES, swap_empty_shift_both=on)
    changed = _judge({(A, D): giver, (B, D): holder}, rules=rules)
    if on and is_no_show(holder):
        assert len(changed[(A, D)].penalties) == len(giver.penalties) + 1
        assert changed[(A, D)].clock_in == giver.clock_in
        assert changed[(B, D)].penalties[0].points == holder.penalties[0].points
    else:
        assert changed == {}


# --- through the classification run --------------------------------------------------------------
def _approved_swap(a1: Any, a2: Any, *, codes: tuple[str, str], reason: str) -> None:
    """An approved 换班 of day D between a1 and a2 (stored directly: the swap workflow is
    kefu/swaps' own tests; here only its outcome matters)."""
    from kefu.swaps.choices import SwapStatus
    from kefu.swaps.models import ShiftSwap

    ShiftSwap.objects.create(
        applicant=a1,
        colleague=a2,
        team_id=a1.team_id,
        day=D,
        applicant_code=codes[0],
        colleague_code=codes[1],
        reason=reason,
        status=SwapStatus.APPROVED,
    )


@pytest.fixture
def swapped(org: dict[str, Any]) -> tuple[Any, Any]:
    """agent_a1 handed their 白班 of D to agent_a2 (who rested) by an approved swap."""
    a1, a2 = org["agent_a1"], org["agent_a2"]
    publish(a1, {D: "rest"})
    publish(a2, {D: "day"})
    _approved_swap(a1, a2, codes=("day", "rest"), reason="家中有事")
    return a1, a2


@pytest.mark.django_db
def test_empty_swapped_shift_is_an_incident_for_both(swapped) -> None:
    a1, a2 = swapped
    # classifying only the giver judges the holder too (one run, both days)
    services.classify_range(start=D, end=D, employee_ids=[a1.pk], now=NOW)
    giver = AttendanceDay.objects.get(employee=a1, day=D)
    holder = AttendanceDay.objects.get(employee=a2, day=D)
    assert (giver.status, holder.status) == (DayStatus.TRUANCY, DayStatus.TRUANCY)
    assert giver.points == holder.points == Decimal(-5)
    found = {i.employee_id: i for i in attendance_incidents(D, D)}
    assert set(found) == {a1.pk, a2.pk}
    assert "交代不清" in found[a1.pk].description
    # a second run changes nothing
    again = services.classify_range(start=D, end=D, employee_ids=[a2.pk], now=NOW)
    assert again.changed == 0


@pytest.mark.django_db
def test_holder_who_came_clears_the_giver(swapped) -> None:
    a1, a2 = swapped
    services.classify_range(start=D, end=D, employee_ids=[a2.pk], now=NOW)
    assert AttendanceDay.objects.get(employee=a1, day=D).status == DayStatus.TRUANCY
    # a 补卡-style late record of the holder's clocks: the day was worked after all
    ClockEvent.objects.create(employee=a2, at=local(D, 8, 25), direction="in", source="web")
    ClockEvent.objects.create(employee=a2, at=local(D, 17, 35), direction="out", source="web")
    services.classify_range(start=D, end=D, employee_ids=[a2.pk], now=NOW)
    giver = AttendanceDay.objects.get(employee=a1, day=D)
    assert giver.status == DayStatus.REST and giver.penalties == []
    assert AttendanceDay.objects.get(employee=a2, day=D).status == DayStatus.NORMAL


@pytest.mark.django_db
def test_policy_version_without_the_rule(swapped) -> None:
    """A version in force on the day with the rule off: the giver rests, the holder alone is
    judged (stored directly: a service refuses a backdated version)."""
    from kefu.core.models import Policy
    from kefu.core.policy import clear_policy_cache, default_bodies

    a1, a2 = swapped
    body = default_bodies()["attendance"] | {"swap_empty_shift_both": False}
    Policy.objects.create(domain="attendance", version=2, effective_from=D, body=body)
    clear_policy_cache()
    services.classify_range(start=D, end=D, employee_ids=[a1.pk], now=NOW)
    assert AttendanceDay.objects.get(employee=a1, day=D).status == DayStatus.REST
    assert AttendanceDay.objects.get(employee=a2, day=D).status == DayStatus.TRUANCY


@pytest.mark.django_db
def test_an_exchange_of_equal_codes_hands_nothing_over(org) -> None:
    from kefu.attendance.hooks import handed_shifts

    a1, a2 = org["agent_a1"], org["agent_a2"]
    _approved_swap(a1, a2, codes=("day", "day"), reason="误填")
    assert handed_shifts([a1.pk], D, D) == []
