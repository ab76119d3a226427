"""全勤奖 and approved leave (PERF-4 b): by the seed every leave type keeps the bonus; the policy's
``full_attendance_kept_leave`` lists the types that keep it, any other approved leave with a day in
the month costs it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kefu.core.models import Policy
from kefu.core.policy import clear_policy_cache
from kefu.leave.choices import LeaveStatus
from kefu.leave.models import LeaveRequest
from kefu.performance.full_attendance import leave_keeps_full_attendance
from kefu.performance.policy import SEED_KEPT_LEAVE, performance_policy
from kefu.performance.scorecard_payroll import scorecards_for_month
from kefu.performance.selectors_scorecards import Person, cards_for

from .test_scorecard_support import MONTH

D = Decimal


def leave(emp: Any, code: str, name: str, start: dt.date, end: dt.date, **extra: Any) -> Any:
    return LeaveRequest.objects.create(
        applicant=emp,
        leave_type=code,
        type_name=name,
        start_day=start,
        end_day=end,
        days=D((end - start).days + 1),
        reason="家中有事",
        status=extra.pop("status", LeaveStatus.APPROVED),
        **extra,
    )


def keep_only(codes: list[str]) -> None:
    """A policy version (in force since 2025) where only ``codes`` keep 全勤奖."""
    current = Policy.objects.filter(domain="performance").order_by("-version").first()
    assert current is not None
    body = dict(current.body)
    body["full_attendance_kept_leave"] = codes
    Policy.objects.create(
        domain="performance",
        version=current.version + 1,
        effective_from=dt.date(2025, 1, 1),
        body=body,
    )
    clear_policy_cache()


def test_kept_list_decides() -> None:
    assert leave_keeps_full_attendance("personal", SEED_KEPT_LEAVE)
    assert not leave_keeps_full_attendance("personal", ["annual", "adjust"])


@pytest.mark.django_db
def test_seed_policy_every_approved_leave_keeps_the_bonus(org: dict) -> None:
    a1 = org["agent_a1"]
    assert sorted(performance_policy(MONTH).full_attendance_kept_leave) == sorted(SEED_KEPT_LEAVE)
    leave(a1, "personal", "事假", dt.date(2026, 10, 8), dt.date(2026, 10, 9))
    leave(a1, "sick", "病假", dt.date(2026, 10, 20), dt.date(2026, 10, 20))
    card = scorecards_for_month(MONTH, [a1.pk])[a1.pk]
    assert card.full_attendance_bonus == D("100") and not card.lost_full_attendance


@pytest.mark.django_db
def test_leave_type_not_kept_costs_the_bonus_of_its_month_only(org: dict) -> None:
    a1, a2, b1 = org["agent_a1"], org["agent_a2"], org["agent_b1"]
    keep_only(["annual", "adjust", "marriage", "bereavement", "maternity"])
    leave(a1, "personal", "事假", dt.date(2026, 10, 8), dt.date(2026, 10, 9))
    leave(a2, "annual", "年假", dt.date(2026, 10, 12), dt.date(2026, 10, 16))  # kept
    leave(b1, "personal", "事假", dt.date(2026, 10, 8), dt.date(2026, 10, 8), status="rejected")
    # Asked across the month's start but reported back (销假) before October: no day in it.
    leave(
        b1,
        "sick",
        "病假",
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 3),
        status=LeaveStatus.RETURNED,
        returned_on=dt.date(2026, 9, 30),
    )
    cards = scorecards_for_month(MONTH, [a1.pk, a2.pk, b1.pk])
    assert cards[a1.pk].full_attendance_bonus == D("0") and cards[a1.pk].lost_full_attendance
    assert cards[a1.pk].total == cards[a2.pk].total - D("100")
    assert cards[a2.pk].full_attendance_bonus == D("100")
    assert cards[b1.pk].full_attendance_bonus == D("100")
    # The month before and after are not touched.
    nov = scorecards_for_month(dt.date(2026, 11, 1), [a1.pk])[a1.pk]
    assert nov.full_attendance_bonus == D("100")
    found = cards_for(MONTH, [Person.of(a1)])
    assert found[a1.pk].leave_types == ("事假",)


@pytest.mark.django_db
def test_card_page_names_the_leave_that_cost_the_bonus(org: dict, client_for: Any) -> None:
    a1 = org["agent_a1"]
    keep_only(["annual"])
    leave(a1, "personal", "事假", dt.date(2026, 10, 8), dt.date(2026, 10, 8))
    url = reverse("performance:scorecard_detail", args=[a1.pk])
    body = client_for(a1.user).get(url, {"month": "2026-10"}).content.decode()
    assert "本月有事假（该假别不保留全勤奖），取消全勤奖" in body
