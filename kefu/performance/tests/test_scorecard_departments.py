"""The department of a month (PERF-4): an earlier open month is scored with the scheme of the
department the person belonged to in that month (from the audit trail of employee changes), not
today's; the same for the 客服主管's department count and the payroll row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kefu.org.services import employee_update
from kefu.performance.departments import DepartmentMove, department_on, moves_from_events
from kefu.performance.periods import month_start
from kefu.performance.scorecard_payroll import scorecards_for_month
from kefu.performance.selectors_scorecards import Memo, department_standings, month_rules
from kefu.performance.services.closing import build_payroll_lines

from .test_scorecard_support import MONTH, line, ten_point_department

D = Decimal
OCT, NOV = dt.date(2026, 10, 31), dt.date(2026, 11, 30)


# --- the pure rule ------------------------------------------------------------------------------
def test_department_on_takes_the_before_of_the_first_later_move() -> None:
    moves = [
        DepartmentMove(dt.date(2026, 9, 10), 1, 2),
        DepartmentMove(dt.date(2026, 11, 5), 2, 3),
    ]
    assert department_on(moves, 3, dt.date(2026, 8, 31)) == 1
    assert department_on(moves, 3, dt.date(2026, 9, 10)) == 2  # effective the day it was saved
    assert department_on(moves, 3, OCT) == 2
    assert department_on(moves, 3, NOV) == 3
    assert department_on([], 7, OCT) == 7


def test_moves_come_only_from_department_changes() -> None:
    at = timezone.make_aware(dt.datetime(2026, 11, 5, 10, 0))
    rows = [
        ("5", at, {"department": 1, "name": "甲"}, {"department": 1, "name": "乙"}),  # renamed
        ("5", at, {"department": 1}, {"department": 2}),
        ("6", at, {"roles": []}, {"roles": ["agent"]}),  # no department in the snapshot
        ("x", at, {"department": 1}, {"department": 2}),  # not an employee id
        ("7", at, None, {"department": 2}),
    ]
    assert moves_from_events(rows) == {5: [DepartmentMove(dt.date(2026, 11, 5), 1, 2)]}


# --- scoring an earlier month ------------------------------------------------------------------
def _move(org: dict[str, Any], employee: Any) -> None:
    """The person moves from 十分制组 to 客服部 today (after October)."""
    employee_update(actor=org["hr"].user, employee=employee, department=org["cs"], team=None)


def _scored_in_cs(month: dt.date, org: dict[str, Any]) -> int:
    memo = Memo()
    got = department_standings(
        month, [org["cs"].pk], mr=month_rules(month, memo), closed=False, memo=memo
    )
    return got[org["cs"].pk].adjust.scored


@pytest.mark.django_db
def test_an_earlier_open_month_keeps_the_scheme_of_that_months_department(org: dict) -> None:
    _, (mover, _stay) = ten_point_department(org)
    line(mover, "-8")  # October, 十分制: 10 − 8 = 2 → 处罚
    before = scorecards_for_month(MONTH, [mover.pk])[mover.pk]
    assert before.scheme == "points10" and before.score == D("2")
    cs_october = _scored_in_cs(MONTH, org)

    _move(org, mover)
    mover.refresh_from_db()
    assert mover.department_id == org["cs"].pk

    october = scorecards_for_month(MONTH, [mover.pk])[mover.pk]
    assert (october.scheme, october.score, october.flags) == (
        before.scheme,
        before.score,
        before.flags,
    )
    assert "处罚" in october.flags
    # This month he is in 客服部 (百分制).
    this_month = month_start(timezone.localdate())
    now = scorecards_for_month(this_month, [mover.pk])[mover.pk]
    assert now.scheme == "points100"
    # 客服部's October standing does not count him; this month's does.
    assert _scored_in_cs(MONTH, org) == cs_october
    assert _scored_in_cs(this_month, org) == cs_october + 1


@pytest.mark.django_db
def test_the_payroll_row_of_an_earlier_month_has_that_months_department(org: dict) -> None:
    _, (mover, _stay) = ten_point_department(org)
    line(mover, "-8")
    _move(org, mover)
    rows = {r.employee_id: r for r in build_payroll_lines(MONTH)}
    assert rows[mover.pk].scheme == "points10"
    assert rows[mover.pk].department_name == "十分制组"
    assert rows[mover.pk].score == D("2.00")
    assert rows[org["agent_a1"].pk].department_name == org["cs"].name


@pytest.mark.django_db
def test_card_page_of_an_earlier_month_shows_that_months_scheme(org: dict, client_for: Any) -> None:
    from django.urls import reverse

    _, (mover, _stay) = ten_point_department(org)
    line(mover, "-8")
    _move(org, mover)
    client = client_for(org["hr"].user)
    url = reverse("performance:scorecard_detail", args=[mover.pk])
    body = client.get(url, {"month": "2026-10"}).content.decode()
    assert "十分制" in body.split('data-testid="scorecard-scheme"')[1][:40]
    body = client.get(url).content.decode()
    assert "百分制" in body.split('data-testid="scorecard-scheme"')[1][:40]
