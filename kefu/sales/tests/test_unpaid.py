"""未付款订单催付 (seed 000 奖惩·处分 5, PERF-6): import from the order export, manual entry,
催付 and 已付款, the 超时未催付 check proposing the ledger fine (待确认, ¥5) — idempotent, run by
the close preparer — and who may do what (refused roles change nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.performance.choices import IncidentSource, IncidentStatus
from kefu.performance.models import Incident
from kefu.performance.services.ledger import incident_reject
from kefu.sales import orderfile, services, services_unpaid
from kefu.sales.choices import ChaseChannel, UnpaidStatus
from kefu.sales.models import ChaseRecord, SalesLine, UnpaidOrder
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import Roster, RosterEntry

pytestmark = pytest.mark.django_db
D = Decimal
PLACED = dt.datetime(2026, 6, 2, 10, 0, tzinfo=SHANGHAI)
HEADER = "订单号,商品,数量,单价,金额,买家,付款时间,备注,订单状态,拍下时间\n"


def rows(text: str) -> list[Any]:
    return orderfile.read_rows((HEADER + text).encode())


def enter(org: dict[str, Any], who: str = "", no: str = "U1", **kw: Any) -> UnpaidOrder:
    agent = kw.pop("agent", "agent_a1")
    return services_unpaid.unpaid_order_enter(
        actor=org[who or agent].user,
        agent=org[agent],
        order_no=no,
        placed_at=kw.pop("placed_at", PLACED),
        amount=D("199"),
        **kw,
    )


def roster(org: dict[str, Any], day: dt.date, *people: tuple[str, str]) -> None:
    r = Roster.objects.create(
        team=org["team_a"],
        month=day.replace(day=1),
        version=1,
        status=RosterStatus.PUBLISHED,
        published_at=PLACED,
    )
    for who, code in people:
        RosterEntry.objects.create(roster=r, employee=org[who], day=day, code=code)


# --- import ---------------------------------------------------------------------------------------
def test_import_waiting_rows_become_unpaid_orders(org: dict[str, Any]) -> None:
    result = services.sales_import(
        actor=org["supervisor"].user,
        rows=rows(
            "P1,净水器,1,1999,,张三,,KF011,等待买家付款,2026-06-02 10:00\n"
            "P1,滤芯,2,50,,张三,,KF011,等待买家付款,2026-06-02 10:00\n"
            "S1,净水器,1,1999,,李四,2026-06-02 11:00,KF012,买家已付款,2026-06-02 10:50\n"
        ),
    )
    assert result.errors == [] and (result.created, result.unpaid_created) == (1, 1)
    order = UnpaidOrder.objects.get()
    assert (order.order_no, order.agent, order.amount) == ("P1", org["agent_a1"], D("2099.00"))
    assert order.placed_at == PLACED and order.deadline == PLACED + dt.timedelta(hours=1)
    assert order.items == "净水器、滤芯" and order.status == UnpaidStatus.WAITING
    assert SalesLine.objects.get().order_no == "S1"  # unpaid rows are no sales


def test_reimport_marks_paid_or_closed(org: dict[str, Any]) -> None:
    sup = org["supervisor"].user
    services.sales_import(
        actor=sup,
        rows=rows(
            "P1,净水器,1,1999,,张三,,KF011,等待买家付款,2026-06-02 10:00\n"
            "P2,滤芯,1,50,,王五,,KF011,等待买家付款,2026-06-02 10:30\n"
        ),
    )
    again = services.sales_import(
        actor=sup,
        rows=rows(
            "P1,净水器,1,1999,,张三,2026-06-02 12:15,KF011,买家已付款,2026-06-02 10:00\n"
            "P2,滤芯,1,50,,王五,,KF011,交易关闭,2026-06-02 10:30\n"
        ),
    )
    assert (again.unpaid_created, again.unpaid_paid, again.unpaid_closed) == (0, 1, 1)
    p1, p2 = UnpaidOrder.objects.order_by("order_no")
    assert p1.status == UnpaidStatus.PAID
    assert p1.paid_at == dt.datetime(2026, 6, 2, 12, 15, tzinfo=SHANGHAI)
    assert p2.status == UnpaidStatus.CLOSED and p2.closed_at is not None
    assert SalesLine.objects.filter(order_no="P1").count() == 1
    third = services.sales_import(
        actor=sup, rows=rows("P1,净水器,1,1999,,张三,,KF011,等待买家付款,2026-06-02 10:00\n")
    )
    assert third.unpaid_created == 0 and UnpaidOrder.objects.get(order_no="P1").status == "paid"


def test_import_agent_on_duty_when_no_employee_no(org: dict[str, Any]) -> None:
    day = PLACED.date()
    roster(org, day, ("agent_a2", "day"), ("agent_a1", "night"))
    result = services.sales_import(
        actor=org["supervisor"].user,
        rows=rows("P9,净水器,1,99,,张三,,已核对,等待买家付款,2026-06-02 10:00\n"),
    )
    assert result.errors == [] and UnpaidOrder.objects.get().agent == org["agent_a2"]


def test_import_without_employee_no_and_ambiguous_duty_is_a_row_error(org: dict[str, Any]) -> None:
    roster(org, PLACED.date(), ("agent_a1", "day"), ("agent_a2", "day"))
    result = services.sales_import(
        actor=org["supervisor"].user,
        rows=rows(
            "S1,净水器,1,99,,张三,2026-06-02 11:00,KF011,买家已付款,2026-06-02 10:00\n"
            "P9,净水器,1,99,,张三,,,等待买家付款,2026-06-02 10:00\n"
            "P8,净水器,1,99,,张三,,KF011,等待买家付款,\n"
        ),
    )
    assert [(e.line, e.field) for e in result.errors] == [(3, "备注"), (4, "拍下时间")]
    assert "当班客服有 2 人（KF011、KF012）" in result.errors[0].message
    assert not UnpaidOrder.objects.exists() and not SalesLine.objects.exists()  # all or nothing


# --- manual entry, chase, paid --------------------------------------------------------------------
def test_enter_chase_and_paid(org: dict[str, Any]) -> None:
    order = enter(org)
    assert order.source == "manual" and order.deadline == PLACED + dt.timedelta(hours=1)
    with pytest.raises(ConflictError):
        enter(org)
    chase = services_unpaid.unpaid_chase(
        actor=org["agent_a1"].user,
        order=order,
        channel=ChaseChannel.WANGWANG,
        chased_at=PLACED + dt.timedelta(minutes=40),
        note="已提醒",
    )
    order.refresh_from_db()
    assert order.chased_at == chase.chased_at == PLACED + dt.timedelta(minutes=40)
    with pytest.raises(DomainError):  # before it was placed
        services_unpaid.unpaid_chase(
            actor=org["agent_a1"].user,
            order=order,
            channel="phone",
            chased_at=PLACED - dt.timedelta(minutes=1),
        )
    services_unpaid.unpaid_mark_paid(actor=org["lead_a"].user, order=order)
    order.refresh_from_db()
    assert order.status == UnpaidStatus.PAID
    with pytest.raises(ConflictError):
        services_unpaid.unpaid_chase(actor=org["agent_a1"].user, order=order, channel="phone")


def test_enter_refuses_a_paid_order_and_the_future(org: dict[str, Any]) -> None:
    SalesLine.objects.create(
        agent=org["agent_a1"],
        day=PLACED.date(),
        order_no="S1",
        item="x",
        quantity=1,
        unit_price=1,
        amount=1,
        source="manual",
    )
    with pytest.raises(ConflictError):
        enter(org, no="S1")
    with pytest.raises(DomainError):
        enter(org, no="F1", placed_at=dt.datetime(2099, 1, 1, tzinfo=SHANGHAI))
    assert not UnpaidOrder.objects.exists()


@pytest.mark.parametrize(
    ("who", "agent", "allowed"),
    [
        ("agent_a1", "agent_a1", True),
        ("agent_a2", "agent_a1", False),
        ("lead_a", "agent_a1", True),
        ("lead_b", "agent_a1", False),
        ("supervisor", "agent_b1", True),
        ("manager", "agent_b1", True),
        ("hr", "agent_a1", False),
        ("warehouse", "agent_a1", False),
    ],
)
def test_permission_matrix_enter_and_chase(
    org: dict[str, Any], who: str, agent: str, allowed: bool
) -> None:
    mine = enter(org, who="supervisor", agent=agent, no="M1")
    if allowed:
        enter(org, who=who, agent=agent, no="M2")
        services_unpaid.unpaid_chase(actor=org[who].user, order=mine, channel="phone")
        assert ChaseRecord.objects.count() == 1
        return
    with pytest.raises(PermissionDeniedError):
        enter(org, who=who, agent=agent, no="M2")
    with pytest.raises(PermissionDeniedError):
        services_unpaid.unpaid_chase(actor=org[who].user, order=mine, channel="phone")
    with pytest.raises(PermissionDeniedError):
        services_unpaid.unpaid_mark_paid(actor=org[who].user, order=mine)
    mine.refresh_from_db()
    assert UnpaidOrder.objects.count() == 1 and not ChaseRecord.objects.exists()
    assert mine.status == UnpaidStatus.WAITING and mine.chased_at is None


# --- the check --------------------------------------------------------------------------------------
def test_check_proposes_the_fine_once(org: dict[str, Any]) -> None:
    late = enter(org, no="L1")
    in_time = enter(org, no="T1", agent="agent_a2")
    services_unpaid.unpaid_chase(
        actor=org["agent_a2"].user,
        order=in_time,
        channel=ChaseChannel.NOT_NEEDED,
        chased_at=PLACED + dt.timedelta(minutes=60),
    )
    chased_late = enter(org, no="C1", agent="agent_b1")
    services_unpaid.unpaid_chase(
        actor=org["agent_b1"].user,
        order=chased_late,
        channel="phone",
        chased_at=PLACED + dt.timedelta(minutes=61),
    )
    fresh = enter(org, no="N1", placed_at=dt.datetime.now(SHANGHAI) - dt.timedelta(minutes=5))
    result = services_unpaid.unpaid_check(actor=None)
    assert result.proposed == 2
    incidents = Incident.objects.order_by("employee__employee_no")
    assert [(i.employee, i.rule, i.money, i.status, i.source) for i in incidents] == [
        (org["agent_a1"], "unpaid_order_not_chased", D("-5"), IncidentStatus.PROPOSED, "sales"),
        (org["agent_b1"], "unpaid_order_not_chased", D("-5"), IncidentStatus.PROPOSED, "sales"),
    ]
    late.refresh_from_db()
    assert late.incident.evidence_ref == "sales.unpaid:L1"
    assert late.incident.evidence_link == "/sales/unpaid/?q=L1"
    assert late.incident.day == PLACED.date()
    fresh.refresh_from_db()
    assert fresh.incident is None
    # idempotent: a second run, and a rejected proposal, never book again
    assert services_unpaid.unpaid_check(actor=None).proposed == 0
    incident_reject(actor=org["lead_a"].user, incident=late.incident, reason="已核实，买家离线")
    UnpaidOrder.objects.filter(pk=late.pk).update(incident=None)
    assert services_unpaid.unpaid_check(actor=None).proposed == 0
    assert Incident.objects.filter(source=IncidentSource.SALES, reverses__isnull=True).count() == 2


def test_check_permission_and_close_preparer(org: dict[str, Any]) -> None:
    enter(org, no="L1")
    for who in ("agent_a1", "lead_a", "hr"):
        with pytest.raises(PermissionDeniedError):
            services_unpaid.unpaid_check(actor=org[who].user)
    assert not Incident.objects.exists()
    summary = services.sales_close_prepare(dt.date(2026, 6, 1), org["manager"].user)
    assert "超时未催付：新生成奖惩提议 1 条" in summary
    assert Incident.objects.get().status == IncidentStatus.PROPOSED
    assert services_unpaid.unpaid_check(actor=org["supervisor"].user).proposed == 0


def test_daily_task_runs_the_check(org: dict[str, Any]) -> None:
    from kefu.sales.tasks import unpaid_check_daily_task

    enter(org, no="L1")
    unpaid_check_daily_task.enqueue()
    assert Incident.objects.filter(rule="unpaid_order_not_chased").count() == 1
