"""考核计分卡 of a month from the ledger (PERF-4): counted lines, 全勤奖, revocation, 客服主管 ±,
the 十分制 streak, the closed month's snapshot and the payroll source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kefu.performance.choices import IncidentStatus
from kefu.performance.payroll import FLAG
from kefu.performance.scorecard import FLAG_DISMISSAL, FLAG_PENALTY, FLAG_SEVERE, FLAG_WARNING
from kefu.performance.scorecard_payroll import scorecard_payroll_lines, scorecards_for_month
from kefu.performance.services.booking import incident_book, incident_reverse

from .test_scorecard_support import MONTH, close_month, line, ten_point_department

D = Decimal
pytestmark = pytest.mark.django_db


def cards(*employees: Any, month: dt.date = MONTH) -> list[Any]:
    found = scorecards_for_month(month, [e.pk for e in employees])
    return [found[e.pk] for e in employees]


def test_score_is_base_plus_counted_lines_of_the_month(org: dict) -> None:
    a1 = org["agent_a1"]
    line(a1, "-10")
    line(a1, "-5.5")
    line(a1, "3")
    line(a1, "-40", status=IncidentStatus.PROPOSED)  # not counted until confirmed
    line(a1, "-7", month=dt.date(2026, 9, 1))  # another month
    (card,) = cards(a1)
    assert card.score == D("87.5")
    # 10 × 10 + 2.5 × 20 = 150; 全勤奖 100 + 工作表现奖 200
    assert card.band_deduction == D("-150.00")
    assert (card.full_attendance_bonus, card.performance_bonus) == (D("100"), D("200"))
    assert card.total == D("150.00")


def test_late_line_takes_full_attendance_bonus_and_revoking_it_gives_it_back(org: dict) -> None:
    a1, lead = org["agent_a1"], org["lead_a"].user
    late = incident_book(
        actor=lead,
        employee=a1,
        day=dt.date(2026, 10, 6),
        rule_code="late",
        source="attendance",
        evidence_ref="t:late:1",
    )
    assert late.status == IncidentStatus.CONFIRMED  # attendance is auto-confirmed
    (card,) = cards(a1)
    assert (card.score, card.full_attendance_bonus, card.band_deduction) == (
        D("99.5"),
        D("0"),
        D("-5.00"),
    )
    assert card.lost_full_attendance
    incident_reverse(actor=org["manager"].user, incident=late, reason="打卡机故障")
    (again,) = cards(a1)
    assert (again.score, again.full_attendance_bonus, again.band_deduction) == (
        D("100.00"),
        D("100"),
        D("0"),
    )


def test_an_appealed_late_line_still_takes_the_bonus(org: dict) -> None:
    a1 = org["agent_a1"]
    line(a1, "-0.5", rule="late", status=IncidentStatus.APPEALED)
    (card,) = cards(a1)
    assert card.full_attendance_bonus == D("0") and card.score == D("99.5")


def test_dismissal_flag_and_high_score_bonus(org: dict) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    line(a1, "-40.5")
    line(a2, "10")
    low, high = cards(a1, a2)
    assert low.score == D("59.5") and low.flags == (FLAG_DISMISSAL,)
    assert low.band_deduction == D("-1000.00")
    assert high.score == D("110") and high.high_score_bonus == D("100") and high.total == D("400")


def test_supervisor_gets_bonus_when_half_reach_full_marks_and_loses_when_one_is_below_60(
    org: dict,
) -> None:
    sup = org["supervisor"]
    # 客服部 (CS) scored people: manager, lead_a, lead_b, agent_a1, agent_a2, agent_b1 (6).
    line(org["agent_a1"], "-1")
    line(org["agent_a2"], "-1")
    line(org["agent_b1"], "-1")  # 3 of 6 at 100 → half → +100
    (card,) = cards(sup)
    assert card.supervisor_adjust == D("100")
    line(org["lead_a"], "-1")  # 2 of 6 → no bonus
    (card,) = cards(sup)
    assert card.supervisor_adjust == D("0")
    line(org["agent_b1"], "-40")  # 59 → −100
    (card,) = cards(sup)
    assert card.supervisor_adjust == D("-100")
    # the supervisor's own deductions do not count towards the department's standing
    line(sup, "-50")
    (card,) = cards(sup)
    assert card.supervisor_adjust == D("-100") and card.score == D("50")
    others = cards(org["agent_a1"])
    assert others[0].supervisor_adjust == D("0")


def test_ten_point_flags_and_three_month_streak(org: dict) -> None:
    _dept, (p, q) = ten_point_department(org)
    aug, sep, octo = dt.date(2026, 8, 1), dt.date(2026, 9, 1), MONTH
    line(p, "-8", month=aug)  # 2 → 处罚
    line(p, "-9", month=sep)  # 1 → 处罚
    line(p, "-8.5", month=octo)  # 1.5 → 处罚 + 严重处罚 (third month running)
    line(q, "-5", month=octo)  # 5 → 口头警告
    (aug_card,) = cards(p, month=aug)
    assert aug_card.flags == (FLAG_PENALTY,) and aug_card.streak == 1
    card_p, card_q = cards(p, q)
    assert card_p.score == D("1.5") and card_p.flags == (FLAG_PENALTY, FLAG_SEVERE)
    assert card_p.streak == 3
    assert card_q.flags == (FLAG_WARNING,)
    assert card_p.band_deduction == 0 and card_p.full_attendance_bonus == 0 and card_p.total == 0
    lines = [x for x in scorecard_payroll_lines(MONTH, [p.pk]) if x.employee_id == p.pk]
    assert [(x.column, x.amount, x.note) for x in lines] == [
        ("score", D("1.5"), ""),
        (FLAG, D("0"), FLAG_PENALTY),
        (FLAG, D("0"), FLAG_SEVERE),
    ]


def test_streak_reads_a_closed_month_from_its_snapshot(org: dict) -> None:
    _dept, (p, _q) = ten_point_department(org)
    sep = dt.date(2026, 9, 1)
    close_month(org, dt.date(2026, 8, 1), {p: {"score": "2", "scheme": "points10"}})
    line(p, "-9", month=sep)
    line(p, "-9", month=MONTH)
    (card,) = cards(p)
    assert card.flags == (FLAG_PENALTY, FLAG_SEVERE)


def test_closed_month_reads_the_snapshot_never_the_ledger(org: dict) -> None:
    a1 = org["agent_a1"]
    line(a1, "-15")
    close_month(
        org,
        MONTH,
        {
            a1: {
                "score": "88",
                "amounts": {
                    "band_deduction": "-140.00",
                    "full_attendance_bonus": "0.00",
                    "performance_bonus": "200.00",
                },
                "flags": [FLAG_DISMISSAL, "其他模块的提示"],
            }
        },
    )
    (card,) = cards(a1)
    assert (card.score, card.band_deduction, card.full_attendance_bonus, card.total) == (
        D("88"),
        D("-140.00"),
        D("0.00"),
        D("60.00"),
    )
    assert card.flags == (FLAG_DISMISSAL,)
    # someone without a snapshot row has no card in a closed month
    assert org["agent_a2"].pk not in scorecards_for_month(MONTH, [org["agent_a2"].pk])


def test_payroll_lines_for_the_whole_company_in_constant_queries(
    org: dict, django_assert_max_num_queries: Any
) -> None:
    for emp in (org["agent_a1"], org["agent_a2"], org["agent_b1"]):
        line(emp, "-15")
        line(emp, "-0.5", rule="late")
    with django_assert_max_num_queries(12):
        lines = scorecard_payroll_lines(MONTH)
    by = {(x.employee_id, x.column): x.amount for x in lines if x.column != FLAG}
    a1 = org["agent_a1"].pk
    assert by[(a1, "score")] == D("84.5")
    assert by[(a1, "band_deduction")] == D("-210.00")  # 100 + 5.5 × 20
    assert by[(a1, "full_attendance_bonus")] == D("0")
    assert by[(org["gm"].pk, "score")] == D("100")
    assert by[(org["supervisor"].pk, "supervisor_adjust")] == D("100")  # 3 of 6 at 100
