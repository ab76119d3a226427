"""Rankings and awards (PERF-3): top seller streaks, return-visit champions, booking in the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kefu.org.choices import Role
from kefu.performance import payroll
from kefu.performance.choices import IncidentStatus
from kefu.performance.models import Incident
from kefu.sales.selectors import month_awards
from kefu.sales.services import sales_awards_book, sales_close_prepare

from .helpers import line

pytestmark = pytest.mark.django_db
D = Decimal


def _month(m: int) -> dt.date:
    return dt.date(2026, m, 1)


def test_top_seller_streak_50_100_200_200(org: dict[str, Any]) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    line(a2, dt.date(2026, 2, 10), "9000")  # February: someone else
    for m in (3, 4, 5, 6):
        line(a1, dt.date(2026, m, 10), "5000")
        line(a2, dt.date(2026, m, 11), "1000")
    amounts = []
    for m in (3, 4, 5, 6):
        (award,) = month_awards(_month(m)).top_sellers
        assert award.employee_id == a1.pk
        amounts.append((award.streak, award.amount))
    # the streak is looked up as far as the award list reaches: "3" means 3 or more
    assert amounts == [(1, D("50")), (2, D("100")), (3, D("200")), (3, D("200"))]


def test_streak_broken_by_a_month_without_the_title(org: dict[str, Any]) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    line(a1, dt.date(2026, 4, 10), "5000")
    line(a2, dt.date(2026, 5, 10), "5000")
    line(a1, dt.date(2026, 6, 10), "5000")
    (award,) = month_awards(_month(6)).top_sellers
    assert (award.employee_id, award.streak, award.amount) == (a1.pk, 1, D("50"))


def test_tie_both_top_sellers_get_the_award(org: dict[str, Any]) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    line(a1, dt.date(2026, 6, 10), "3000")
    line(a2, dt.date(2026, 6, 12), "3000")
    awards = month_awards(_month(6)).top_sellers
    assert {(a.employee_id, a.amount) for a in awards} == {(a1.pk, D("50")), (a2.pk, D("50"))}


def test_return_visitors_are_not_top_sellers(org: dict[str, Any]) -> None:
    line(org["visitor"], dt.date(2026, 6, 10), "99999")
    line(org["agent_a1"], dt.date(2026, 6, 10), "10")
    (award,) = month_awards(_month(6)).top_sellers
    assert award.employee_id == org["agent_a1"].pk


def _visitors(org: dict[str, Any], make_employee: Any, n: int) -> list[Any]:
    return [org["visitor"]] + [
        make_employee(role=Role.RETURN_VISITOR.value, department=org["cs_sub"])
        for _ in range(n - 1)
    ]


def test_return_visit_monthly_and_weekly(org: dict[str, Any], make_employee: Any) -> None:
    v1, v2, v3, v4 = _visitors(org, make_employee, 4)
    line(v1, dt.date(2026, 6, 2), "3000")  # week 2026-W23 (1–7 June)
    line(v2, dt.date(2026, 6, 10), "2000")  # week 2026-W24
    line(v3, dt.date(2026, 6, 30), "1000")  # week ending 5 July: a July week
    line(v4, dt.date(2026, 5, 31), "8000")  # May
    line(v4, dt.date(2026, 6, 3), "500")
    awards = month_awards(_month(6))
    monthly = [(a.employee_id, a.rank, a.amount) for a in awards.return_visit]
    assert monthly == [(v1.pk, 1, D("500")), (v2.pk, 2, D("0")), (v3.pk, 3, D("100"))]
    weekly = [(a.period, a.employee_id, a.amount) for a in awards.weekly]
    assert weekly == [("2026-W23", v1.pk, D("300")), ("2026-W24", v2.pk, D("300"))]
    # May's last week (25–31 May) ends in May: v4's 8000 is May's weekly champion
    may = month_awards(_month(5))
    assert [(a.period, a.employee_id) for a in may.weekly] == [("2026-W22", v4.pk)]


def test_return_visit_tie_shares_the_rank(org: dict[str, Any], make_employee: Any) -> None:
    v1, v2, v3 = _visitors(org, make_employee, 3)
    line(v1, dt.date(2026, 6, 2), "1000")
    line(v2, dt.date(2026, 6, 2), "1000")
    line(v3, dt.date(2026, 6, 2), "10")
    monthly = [(a.employee_id, a.rank, a.amount) for a in month_awards(_month(6)).return_visit]
    assert monthly == [(v1.pk, 1, D("500")), (v2.pk, 1, D("500")), (v3.pk, 3, D("100"))]


def test_booking_is_idempotent_and_reverses_changed_winners(
    org: dict[str, Any], make_employee: Any
) -> None:
    actor = org["manager"].user
    a1 = org["agent_a1"]
    v1, v2, v3, v4 = _visitors(org, make_employee, 4)
    for m in (4, 5, 6):
        line(a1, dt.date(2026, m, 10), "5000")
    line(v1, dt.date(2026, 6, 2), "3000")
    line(v2, dt.date(2026, 6, 10), "2000")
    line(v3, dt.date(2026, 6, 17), "1000")
    result = sales_awards_book(month=_month(6), actor=actor)
    # top seller 200 (3rd month), 冠军 500, 季军 100 (亚军 is ¥0: not booked), 3 weekly 300
    assert (result.booked, result.reversed) == (6, 0)
    top = Incident.objects.get(evidence_ref=f"sales.top_seller:2026-06:{a1.pk}")
    assert (top.money, top.rule, top.source, top.status) == (
        D("200.00"),
        "top_seller",
        "sales",
        IncidentStatus.CONFIRMED,
    )
    assert top.day == dt.date(2026, 6, 30)
    champion = Incident.objects.get(evidence_ref=f"sales.rv_monthly:2026-06:1:{v1.pk}")
    assert (champion.money, champion.rule, champion.source) == (
        D("500.00"),
        "return_visit_champion",
        "return_visit",
    )
    assert sales_awards_book(month=_month(6), actor=actor).booked == 0  # idempotent
    count = Incident.objects.count()
    # late sales: v4 becomes champion → v1 (now 亚军, ¥0) and v3 (now 4th) lose their awards
    line(v4, dt.date(2026, 6, 24), "9000")
    result = sales_awards_book(month=_month(6), actor=actor)
    assert (result.booked, result.reversed) == (3, 2)  # v4 冠军, v2 季军, v4 week 26
    assert Incident.objects.get(pk=champion.pk).status == IncidentStatus.REVOKED
    assert Incident.objects.count() == count + 3 + 2


def test_unfinished_period_is_not_booked(org: dict[str, Any]) -> None:
    from django.utils import timezone

    from kefu.performance.periods import month_end

    today = timezone.localdate()
    if month_end(today) == today:
        pytest.skip("needs a day that is not the month's last")
    line(org["agent_a1"], today, "100")
    sales_awards_book(month=today, actor=org["manager"].user)
    (award,) = month_awards(today).top_sellers
    assert award.amount == D("50") and not award.booked
    assert not Incident.objects.filter(rule="top_seller").exists()


def test_close_preparer_registered(org: dict[str, Any]) -> None:
    assert payroll._PREPARERS["sales"] is sales_close_prepare
    line(org["agent_a1"], dt.date(2026, 6, 10), "100")
    summary = sales_close_prepare(_month(6), org["manager"].user)
    assert summary.startswith("销售排名奖励入账 1 条")
