"""Complaint services (CMP-1..11): recording, every path of the procedure, the ticket's side,
numbering, findings and CMP-11's fines, refusals that change nothing, and a property test over
random sequences of service calls counting audit events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.choices import Kind
from kefu.tickets.choices import Status as TicketStatus
from kefu.tickets.models import Ticket, TicketMessage
from kefu.tickets.tests.factories import make_ticket

from .. import services
from ..choices import (
    REPORT_CHAIN,
    ComplainantType,
    Demand,
    Ground,
    ProcedureStatus,
    Route,
    Sanction,
    StepDecision,
)
from ..models import Complaint, ComplaintStep, ResponsibilityFinding
from ..procedure import state_problems
from ..report import ShareData
from .factories import add_production, open_complaint, report_for, walk

pytestmark = pytest.mark.django_db
S = ProcedureStatus


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return add_production(org)


def complaint_events(complaint: Complaint) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="complaints.complaint", object_id=str(complaint.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def snapshot(complaint: Complaint) -> dict[str, Any]:
    return {
        "complaint": Complaint.objects.filter(pk=complaint.pk).values().first(),
        "steps": ComplaintStep.objects.count(),
        "audit": AuditEvent.objects.count(),
        "findings": ResponsibilityFinding.objects.count(),
    }


# --- recording ----------------------------------------------------------------------------------
def test_open_creates_the_complaint_ticket_and_the_card(people: dict[str, Any]) -> None:
    customer = CustomerFactory(name="某代理商", customer_type="distributor")
    complaint = open_complaint(
        people["agent_a1"], customer=customer, demands=[Demand.RETURN, Demand.COMPENSATION]
    )
    ticket = complaint.ticket
    assert ticket.kind == Kind.COMPLAINT and ticket.owner_id == people["agent_a1"].pk
    assert ticket.demand == "退货、损害赔偿"
    assert ticket.resolution_due is not None  # CMP-6's deadline lives on the ticket
    assert (complaint.complainant_name, complaint.complainant_type) == (
        "某代理商",
        ComplainantType.DISTRIBUTOR,
    )
    assert complaint.demands == [Demand.RETURN, Demand.COMPENSATION]
    assert (
        complaint.status == S.RECORDED and complaint.accepted is None and complaint.number is None
    )
    assert complaint_events(complaint) == ["complaint.open"]
    assert AuditEvent.objects.filter(action="ticket.create").count() == 1


def test_open_checks_every_card_field(people: dict[str, Any]) -> None:
    customer = CustomerFactory(customer_type="enterprise")
    with pytest.raises(DomainError) as caught:
        open_complaint(
            people["agent_a1"],
            customer=customer,
            ground="weather",
            demands=[],
            amount_involved="-5",
        )
    assert set(caught.value.fields) == {"complainant_type", "ground", "demands", "amount_involved"}
    assert Complaint.objects.count() == Ticket.objects.count() == 0


def test_roles_without_the_right_cannot_open(people: dict[str, Any]) -> None:
    for who in ("warehouse", "hr", "prod_worker"):
        with pytest.raises(PermissionDeniedError):
            open_complaint(people[who])
    assert Complaint.objects.count() == Ticket.objects.count() == 0


def test_open_on_an_existing_complaint_ticket(people: dict[str, Any]) -> None:
    agent = people["agent_a1"]
    ticket = make_ticket(agent, kind=Kind.COMPLAINT, title="投诉发货慢")
    complaint = open_complaint(agent, ticket=ticket, ground=Ground.DELIVERY_TIME)
    assert complaint.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1
    with pytest.raises(DomainError) as caught:
        open_complaint(agent, ticket=ticket)
    assert caught.value.code == "complaint_exists"
    inquiry = make_ticket(agent, kind=Kind.INQUIRY)
    with pytest.raises(DomainError) as caught:
        open_complaint(agent, ticket=inquiry)
    assert caught.value.code == "complaint_ticket_invalid"
    other = make_ticket(people["agent_b1"], kind=Kind.COMPLAINT)
    with pytest.raises(DomainError) as caught:  # not in agent_a1's scope
        open_complaint(agent, ticket=other)
    assert caught.value.status == 404
    assert Complaint.objects.count() == 1


# --- the investigation path ---------------------------------------------------------------------
def test_the_whole_investigation_path(people: dict[str, Any]) -> None:
    complaint = open_complaint(people["agent_a1"])
    complaint = walk(complaint, people, to=S.CLOSED)
    year = timezone.now().astimezone(SHANGHAI).year
    assert complaint.number == f"TS{year}-0001" and complaint.accepted_at is not None
    assert complaint.investigating_department_id == people["prod"].pk
    assert complaint.handling_opinion.startswith("为客户换货")
    assert complaint.reply_via == "phone" and complaint.closed_at is not None
    assert complaint_events(complaint) == [
        "complaint.open",
        "complaint.accept",
        "complaint.route",
        "complaint.submit_investigation",
        "complaint.approve",
        "complaint.approve",
        "complaint.approve",
        "complaint.record_handling_opinion",
        "complaint.approve",
        "complaint.reply",
    ]
    approvals = list(
        complaint.steps.filter(decision=StepDecision.APPROVE).values_list(
            "approval_step", "actor_name"
        )
    )
    assert approvals == [
        ("dept_head", "生产经理"),
        ("hr", "赵人事"),
        ("gm", "王总"),
        ("supervisor", "陈主管"),
    ]
    # The ticket is answered with the reply and closed (CMP-6's clock stops).
    ticket = Ticket.objects.get(pk=complaint.ticket_id)
    assert ticket.status == TicketStatus.CLOSED and ticket.closed_at is not None
    reply = TicketMessage.objects.get(ticket=ticket, kind=TicketMessage.Kind.REPLY)
    assert (reply.body, reply.via) == ("已为您安排换货", "phone")
    # The report's shares became findings; the loss split 70/30.
    findings = list(complaint.findings.order_by("id"))
    assert [(f.employee_id, f.share_percent, f.loss_share) for f in findings] == [
        (people["prod_worker"].pk, Decimal("70.00"), Decimal("210.00")),
        (None, Decimal("30.00"), Decimal("90.00")),
    ]
    assert [f.proposed_sanction for f in findings] == [Sanction.MINOR_DEMERIT, Sanction.WARNING]
    assert findings[0].month == timezone.now().astimezone(SHANGHAI).date().replace(day=1)
    assert not any(f.is_service_attitude for f in findings)


def test_numbers_count_up_and_refusals_get_none(people: dict[str, Any]) -> None:
    first = walk(open_complaint(people["agent_a1"]), people, to=S.ROUTING)
    refused = services.complaint_decide_acceptance(
        actor=people["manager"].user,
        complaint=open_complaint(people["agent_a1"]),
        accept=False,
        reason="客户自行摔坏，不属产品质量问题",
    )
    second = walk(open_complaint(people["agent_a2"]), people, to=S.ROUTING)
    year = timezone.now().astimezone(SHANGHAI).year
    assert (first.number, refused.number, second.number) == (
        f"TS{year}-0001",
        None,
        f"TS{year}-0002",
    )


def test_a_returned_report_is_rewritten_and_approved_again(people: dict[str, Any]) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.HR_REVIEW)
    complaint = services.complaint_return(
        actor=people["hr"].user, complaint=complaint, comment="请补充运输单据"
    )
    assert complaint.status == S.INVESTIGATING
    with pytest.raises(DomainError):
        services.complaint_approve(actor=people["hr"].user, complaint=complaint)
    rewritten = report_for(
        people,
        shares=(ShareData(department_id=people["prod"].pk, percent=Decimal("100")),),
        loss_amount=Decimal("120.50"),
    )
    complaint = services.complaint_submit_investigation(
        actor=people["prod_head"].user, complaint=complaint, report=rewritten
    )
    assert complaint.status == S.DEPT_HEAD_REVIEW  # the head approves first again
    assert complaint.report.version == 2
    assert list(complaint.report.shares.values_list("percent", flat=True)) == [Decimal("100.00")]
    complaint = walk(complaint, people, to=S.CLOSED)
    returned = complaint.steps.get(decision=StepDecision.RETURN)
    assert (returned.approval_step, returned.comment) == ("hr", "请补充运输单据")
    assert [f.loss_share for f in complaint.findings.all()] == [Decimal("120.50")]


def test_the_supervisor_returns_the_handling_opinion(people: dict[str, Any]) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.SUPERVISOR_REVIEW)
    complaint = services.complaint_review(
        actor=people["supervisor"].user, complaint=complaint, approve=False, comment="补偿过高"
    )
    assert complaint.status == S.HANDLING_OPINION
    with pytest.raises(DomainError) as caught:
        services.complaint_review(
            actor=people["supervisor"].user, complaint=complaint, approve=True
        )
    assert caught.value.code == "complaint_illegal_transition"
    complaint = walk(complaint, people, to=S.CLOSED)
    assert complaint.findings.count() == 2


def test_report_units_must_exist_where_they_are_named(people: dict[str, Any]) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.INVESTIGATING)
    before = snapshot(complaint)
    wrong = report_for(
        people,
        shares=(
            ShareData(
                department_id=people["prod"].pk,
                employee_id=people["agent_a1"].pk,  # a 客服, not in 生产管理部
                percent=Decimal("50"),
            ),
            ShareData(
                department_id=people["prod"].pk,
                team_id=people["team_a"].pk,  # a 客服部 team
                percent=Decimal("50"),
            ),
        ),
    )
    with pytest.raises(DomainError) as caught:
        services.complaint_submit_investigation(
            actor=people["prod_worker"].user, complaint=complaint, report=wrong
        )
    assert set(caught.value.fields) == {"shares.0.employee", "shares.1.team"}
    assert snapshot(complaint) == before


# --- the other routes ---------------------------------------------------------------------------
def test_a_refusal_is_explained_in_the_reply(people: dict[str, Any]) -> None:
    complaint = open_complaint(people["agent_a1"])
    complaint = services.complaint_decide_acceptance(
        actor=people["supervisor"].user,
        complaint=complaint,
        accept=False,
        reason="超过保修期且属人为损坏",
    )
    assert complaint.status == S.REPLY and complaint.accepted is False
    complaint = services.complaint_reply(
        actor=people["agent_a1"].user,
        complaint=complaint,
        via="written",
        text="非常抱歉，经核实本次问题不属于投诉受理范围，敬请谅解。",
    )
    assert complaint.status == S.CLOSED
    assert "不受理原因：超过保修期且属人为损坏" in complaint.reply_text
    reply = TicketMessage.objects.get(ticket=complaint.ticket, kind=TicketMessage.Kind.REPLY)
    assert "超过保修期且属人为损坏" in reply.body
    assert complaint.findings.count() == 0


def test_a_contract_dispute_is_decided_by_the_leadership(people: dict[str, Any]) -> None:
    complaint = open_complaint(people["agent_a1"], ground=Ground.OTHER)
    complaint = walk(complaint, people, to=S.ROUTING)
    complaint = services.complaint_route(
        actor=people["supervisor"].user, complaint=complaint, route=Route.LEADERSHIP
    )
    assert complaint.status == S.LEADERSHIP_DECISION
    with pytest.raises(PermissionDeniedError):
        services.complaint_leadership_decide(
            actor=people["hr"].user, complaint=complaint, text="退差价"
        )
    complaint = services.complaint_leadership_decide(
        actor=people["dgm"].user, complaint=complaint, text="按合同条款退还差价200元"
    )
    assert complaint.status == S.REPLY
    complaint = services.complaint_reply(
        actor=people["lead_a"].user, complaint=complaint, via="phone", text="将退还差价200元"
    )
    assert complaint.status == S.CLOSED and complaint.leadership_decision.startswith("按合同")


def test_shipping_procedure_and_the_suggested_route(people: dict[str, Any]) -> None:
    complaint = walk(
        open_complaint(people["agent_a1"], ground=Ground.DELIVERY_TIME), people, to=S.ROUTING
    )
    with pytest.raises(DomainError) as caught:  # the policy suggests the sales procedure
        services.complaint_route(
            actor=people["hr"].user,
            complaint=complaint,
            route=Route.INVESTIGATION,
            investigating_department=people["prod"],
        )
    assert caught.value.code == "complaint_reason_required"
    complaint = services.complaint_route(
        actor=people["manager"].user, complaint=complaint, route=Route.SALES_PROCEDURE
    )
    assert complaint.status == S.REPLY and complaint.route == Route.SALES_PROCEDURE


# --- CMP-11 -------------------------------------------------------------------------------------
def test_service_complaints_against_an_agent_escalate_within_the_month(
    people: dict[str, Any],
) -> None:
    agent = people["agent_a2"]
    service_report = report_for(
        people,
        loss_amount=Decimal("0"),
        shares=(
            ShareData(
                department_id=people["cs"].pk,
                team_id=people["team_a"].pk,
                employee_id=agent.pk,
                percent=Decimal("100"),
            ),
        ),
    )
    outcomes = []
    for _ in range(3):
        complaint = open_complaint(
            people["agent_a1"], ground=Ground.SERVICE, demands=[Demand.CRITICISM_SUGGESTION]
        )
        complaint = walk(complaint, people, to=S.ROUTING)
        # 行政人事部 names the 客服部 itself; its head (客服部经理) approves first.
        complaint = services.complaint_route(
            actor=people["hr"].user,
            complaint=complaint,
            route=Route.INVESTIGATION,
            investigating_department=people["cs"],
        )
        complaint = services.complaint_submit_investigation(
            actor=people["lead_a"].user, complaint=complaint, report=service_report
        )
        with pytest.raises(PermissionDeniedError):  # the 生产经理 heads another department
            services.complaint_approve(actor=people["prod_head"].user, complaint=complaint)
        complaint = services.complaint_approve(actor=people["manager"].user, complaint=complaint)
        complaint = services.complaint_approve(actor=people["hr"].user, complaint=complaint)
        complaint = services.complaint_approve(actor=people["gm"].user, complaint=complaint)
        complaint = services.complaint_record_handling_opinion(
            actor=people["lead_a"].user, complaint=complaint, text="向客户致歉，对客服进行培训"
        )
        complaint = services.complaint_review(
            actor=people["supervisor"].user, complaint=complaint, approve=True
        )
        complaint = services.complaint_reply(
            actor=people["agent_a1"].user, complaint=complaint, via="phone", text="已致歉"
        )
        finding = complaint.findings.get()
        outcomes.append((finding.occurrence, finding.proposed_sanction, finding.fine_amount))
        assert finding.is_service_attitude
    assert outcomes == [
        (1, Sanction.FINE, Decimal("50.00")),
        (2, Sanction.FINE, Decimal("100.00")),
        (3, Sanction.DISMISSAL, Decimal("0.00")),
    ]


# --- refusals change nothing --------------------------------------------------------------------
def test_wrong_people_are_refused_at_every_step(people: dict[str, Any]) -> None:
    attempts = {
        S.RECORDED: [("agent_a1", "accept"), ("hr", "accept"), ("gm", "accept")],
        S.ROUTING: [("supervisor", "route_investigation"), ("agent_a1", "route_leadership")],
        S.INVESTIGATING: [("hr", "submit"), ("agent_a1", "submit")],
        S.DEPT_HEAD_REVIEW: [("prod_worker", "approve"), ("hr", "approve"), ("gm", "return")],
        S.HR_REVIEW: [("prod_head", "approve"), ("gm", "approve"), ("manager", "return")],
        S.GM_REVIEW: [("hr", "approve"), ("dgm", "approve"), ("prod_head", "return")],
        S.HANDLING_OPINION: [("supervisor", "opinion"), ("hr", "opinion")],
        S.SUPERVISOR_REVIEW: [("agent_a1", "approve"), ("prod_head", "approve"), ("hr", "return")],
        S.REPLY: [("agent_b1", "reply"), ("hr", "reply"), ("prod_worker", "reply")],
    }
    calls = {
        "accept": lambda u, c: services.complaint_decide_acceptance(
            actor=u, complaint=c, accept=True
        ),
        "route_investigation": lambda u, c: services.complaint_route(
            actor=u, complaint=c, route=Route.INVESTIGATION, investigating_department=people["prod"]
        ),
        "route_leadership": lambda u, c: services.complaint_route(
            actor=u, complaint=c, route=Route.LEADERSHIP, reason="合同纠纷"
        ),
        "submit": lambda u, c: services.complaint_submit_investigation(
            actor=u, complaint=c, report=report_for(people)
        ),
        "approve": lambda u, c: services.complaint_approve(actor=u, complaint=c),
        "return": lambda u, c: services.complaint_return(actor=u, complaint=c, comment="退回意见"),
        "opinion": lambda u, c: services.complaint_record_handling_opinion(
            actor=u, complaint=c, text="处理意见"
        ),
        "reply": lambda u, c: services.complaint_reply(
            actor=u, complaint=c, via="phone", text="答复内容"
        ),
    }
    complaint = open_complaint(people["agent_a1"])
    for status, tries in attempts.items():
        complaint = walk(complaint, people, to=status)
        before = snapshot(complaint)
        for who, call in tries:
            with pytest.raises(PermissionDeniedError):
                calls[call](people[who].user, complaint)
            assert snapshot(complaint) == before, (status, who)
    assert walk(complaint, people, to=S.CLOSED).status == S.CLOSED


# --- property: random service calls -------------------------------------------------------------
ACTORS = [
    "agent_a1",
    "agent_b1",
    "lead_a",
    "supervisor",
    "manager",
    "hr",
    "gm",
    "dgm",
    "prod_head",
    "prod_worker",
    "warehouse",
]
CALLS = [
    "accept",
    "reject",
    "route_investigation",
    "route_leadership",
    "route_sales",
    "submit",
    "approve",
    "return",
    "review_approve",
    "review_return",
    "decide",
    "opinion",
    "reply",
]


def _call(name: str, user: Any, complaint: Complaint, org: dict[str, Any]) -> Complaint:
    match name:
        case "accept":
            return services.complaint_decide_acceptance(
                actor=user, complaint=complaint, accept=True
            )
        case "reject":
            return services.complaint_decide_acceptance(
                actor=user, complaint=complaint, accept=False, reason="客户原因"
            )
        case "route_investigation":
            return services.complaint_route(
                actor=user,
                complaint=complaint,
                route=Route.INVESTIGATION,
                investigating_department=org["prod"],
            )
        case "route_leadership" | "route_sales":
            route = Route.LEADERSHIP if name == "route_leadership" else Route.SALES_PROCEDURE
            return services.complaint_route(
                actor=user, complaint=complaint, route=route, reason="按实际情况分派"
            )
        case "submit":
            return services.complaint_submit_investigation(
                actor=user, complaint=complaint, report=report_for(org)
            )
        case "approve":
            return services.complaint_approve(actor=user, complaint=complaint)
        case "return":
            return services.complaint_return(actor=user, complaint=complaint, comment="请修改")
        case "review_approve" | "review_return":
            return services.complaint_review(
                actor=user, complaint=complaint, approve=name == "review_approve", comment="意见"
            )
        case "decide":
            return services.complaint_leadership_decide(
                actor=user, complaint=complaint, text="领导裁定意见"
            )
        case "opinion":
            return services.complaint_record_handling_opinion(
                actor=user, complaint=complaint, text="处理意见"
            )
        case _:
            return services.complaint_reply(
                actor=user, complaint=complaint, via="written", text="答复客户"
            )


CALLS_FOR_ACTION = {
    "accept": ["accept", "accept", "accept", "reject"],
    "reject": ["reject"],
    # weighted towards the long path, which is the one with the approval chain
    "route": ["route_investigation"] * 4 + ["route_leadership", "route_sales"],
    "submit_investigation": ["submit"],
    "approve": ["approve", "review_approve"],
    "return": ["return", "review_return"],
    "leadership_decide": ["decide"],
    "record_handling_opinion": ["opinion"],
    "reply": ["reply"],
}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(min_value=1, max_value=40))
def test_random_service_calls_audit_each_success_once(
    people: dict[str, Any], data: Any, length: int
) -> None:
    """Random calls by random people — most of them guided to a step someone may take now, so
    many walks close: each success writes exactly one complaint audit event and one step row,
    each refusal writes nothing, and every closed investigated complaint was approved by the
    department head, 行政人事部 and the 总经理 in order, then by the supervisor."""
    complaint = open_complaint(people["agent_a1"])

    def next_move() -> tuple[str, str]:
        if data.draw(st.integers(min_value=0, max_value=4)) > 0:  # 4 in 5 guided
            able = [(who, services.actions_for(people[who].user, complaint)) for who in ACTORS]
            able = [(who, acts) for who, acts in able if acts]
            if able:
                who, acts = data.draw(st.sampled_from(able))
                action = data.draw(st.sampled_from(acts))
                return data.draw(st.sampled_from(CALLS_FOR_ACTION[action.value])), who
        return data.draw(st.sampled_from(CALLS)), data.draw(st.sampled_from(ACTORS))

    for _ in range(length):
        name, who = next_move()
        events = AuditEvent.objects.filter(action__startswith="complaint.").count()
        steps = ComplaintStep.objects.filter(complaint=complaint).count()
        before = Complaint.objects.filter(pk=complaint.pk).values().get()
        try:
            complaint = _call(name, people[who].user, complaint, people)
        except DomainError:
            assert AuditEvent.objects.filter(action__startswith="complaint.").count() == events
            assert ComplaintStep.objects.filter(complaint=complaint).count() == steps
            assert Complaint.objects.filter(pk=complaint.pk).values().get() == before
            continue
        assert AuditEvent.objects.filter(action__startswith="complaint.").count() == events + 1
        assert ComplaintStep.objects.filter(complaint=complaint).count() == steps + 1
        assert state_problems(services.state_of(complaint)) == []
        if complaint.status == S.CLOSED:
            event(f"closed via {complaint.route or 'rejection'}")
            _check_closed(complaint)
            complaint = open_complaint(people["agent_a1"])


def _check_closed(complaint: Complaint) -> None:
    assert Ticket.objects.get(pk=complaint.ticket_id).status == TicketStatus.CLOSED
    if complaint.route != Route.INVESTIGATION:
        assert complaint.findings.count() == 0
        return
    rows = list(complaint.steps.order_by("id").values_list("action", "approval_step", "decision"))
    last_submit = max(i for i, r in enumerate(rows) if r[0] == "submit_investigation")
    approved = [r[1] for r in rows[last_submit:] if r[2] == StepDecision.APPROVE]
    assert approved[:3] == list(REPORT_CHAIN) and approved[-1] == "supervisor"
    assert complaint.findings.count() == 2


def test_received_month_decides_the_service_month(people: dict[str, Any]) -> None:
    # A complaint received last month and closed now counts in last month (month_basis=received).
    received = timezone.now() - dt.timedelta(days=40)
    complaint = open_complaint(people["agent_a1"], ground=Ground.SERVICE, received_at=received)
    complaint = walk(complaint, people, to=S.ROUTING)
    complaint = services.complaint_route(
        actor=people["hr"].user,
        complaint=complaint,
        route=Route.INVESTIGATION,
        investigating_department=people["cs"],
    )
    report = report_for(
        people,
        shares=(
            ShareData(
                department_id=people["cs"].pk, employee_id=people["agent_a2"].pk, percent=100
            ),
        ),
    )
    complaint = services.complaint_submit_investigation(
        actor=people["agent_a2"].user, complaint=complaint, report=report
    )
    for who in ("manager", "hr", "gm"):
        complaint = services.complaint_approve(actor=people[who].user, complaint=complaint)
    complaint = services.complaint_record_handling_opinion(
        actor=people["manager"].user, complaint=complaint, text="致歉并培训"
    )
    complaint = services.complaint_review(
        actor=people["supervisor"].user, complaint=complaint, approve=True
    )
    complaint = services.complaint_reply(
        actor=people["agent_a1"].user, complaint=complaint, via="phone", text="已致歉"
    )
    finding = complaint.findings.get()
    assert finding.service_month == received.astimezone(SHANGHAI).date().replace(day=1)
    assert finding.month == timezone.now().astimezone(SHANGHAI).date().replace(day=1)
