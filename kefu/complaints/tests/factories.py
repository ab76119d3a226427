"""Test helpers for complaints: complaints are made and moved through the services, as people do.

``add_production(org)`` adds a 生产管理部 (an investigating department outside the 客服部) with a
head who holds no system role, a team and a worker — the department that writes reports.
``walk(complaint, org, to=status)`` takes a complaint along the investigation path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kefu.customers.tests.factories import CustomerFactory
from kefu.org.choices import Level
from kefu.org.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    TeamFactory,
)
from kefu.tickets.choices import Channel

from .. import services
from ..choices import Demand, Ground, ProcedureStatus, Route
from ..models import Complaint
from ..report import InvestigationData, ShareData

S = ProcedureStatus


def add_production(org: dict[str, Any]) -> dict[str, Any]:
    """生产管理部 with a head (部门经理, no role), a team 一组 and a worker in it."""
    dept = DepartmentFactory(name="生产管理部", code="PROD", parent=org["hq"])
    team = TeamFactory(department=dept, name="一组")
    head = EmployeeFactory(
        employee_no="SC001",
        name="生产经理",
        department=dept,
        superior=org["dgm"],
        position=PositionFactory(name="生产经理", level=Level.DEPARTMENT_HEAD),
        roles=[],
    )
    worker = EmployeeFactory(
        employee_no="SC011",
        name="生产工人",
        department=dept,
        team=team,
        superior=head,
        position=PositionFactory(name="操作工", level=Level.AGENT),
        roles=[],
    )
    for person in (head, worker):
        # The factory's default is 客服代表; production staff hold no system role at all.
        person.user.groups.clear()
    org.update({"prod": dept, "prod_team": team, "prod_head": head, "prod_worker": worker})
    return org


def open_complaint(agent: Any, **overrides: Any) -> Complaint:
    """A complaint recorded by ``agent`` (an Employee) on a new 投诉 ticket."""
    values: dict[str, Any] = {
        "ground": Ground.PACKING_DAMAGE,
        "demands": [Demand.EXCHANGE],
        "channel": Channel.HOTLINE,
        "title": "收到的货物包装破损",
        "description": "外箱压扁，内件破损",
        "amount_involved": Decimal("300"),
    }
    values.update(overrides)
    if "customer" not in values and "ticket" not in values:
        values["customer"] = CustomerFactory()
    return services.complaint_open(actor=agent.user, **values)


def report_for(org: dict[str, Any], **overrides: Any) -> InvestigationData:
    """A complete report putting 70 % on the production worker's team and 30 % on the warehouse."""
    values: dict[str, Any] = {
        "scope_true": True,
        "reasons_sound": True,
        "demand_legitimate": True,
        "aim": "要求换货",
        "cause": "包装材料不合格",
        "course": "运输途中挤压破损",
        "conclusion": "投诉属实，责任在生产部包装",
        "countermeasures": "为客户换货",
        "prevention": "更换包装材料，出货前抽检",
        "loss_amount": Decimal("300"),
        "shares": (
            ShareData(
                department_id=org["prod"].pk,
                team_id=org["prod_team"].pk,
                employee_id=org["prod_worker"].pk,
                percent=Decimal("70"),
                sanction_trigger="materials_not_per_spec",
                sanction="minor_demerit",
            ),
            ShareData(department_id=org["hq"].pk, percent=Decimal("30")),
        ),
    }
    values.update(overrides)
    return InvestigationData(**values)


def walk(complaint: Complaint, org: dict[str, Any], *, to: str, report: Any = None) -> Complaint:
    """Take ``complaint`` along the investigation path (by the right people) until ``to``."""
    steps = [
        (
            S.RECORDED,
            lambda c: services.complaint_decide_acceptance(
                actor=org["supervisor"].user, complaint=c, accept=True
            ),
        ),
        (
            S.ROUTING,
            lambda c: services.complaint_route(
                actor=org["hr"].user,
                complaint=c,
                route=Route.INVESTIGATION,
                investigating_department=org["prod"],
            ),
        ),
        (
            S.INVESTIGATING,
            lambda c: services.complaint_submit_investigation(
                actor=org["prod_worker"].user, complaint=c, report=report or report_for(org)
            ),
        ),
        (
            S.DEPT_HEAD_REVIEW,
            lambda c: services.complaint_approve(actor=org["prod_head"].user, complaint=c),
        ),
        (S.HR_REVIEW, lambda c: services.complaint_approve(actor=org["hr"].user, complaint=c)),
        (S.GM_REVIEW, lambda c: services.complaint_approve(actor=org["gm"].user, complaint=c)),
        (
            S.HANDLING_OPINION,
            lambda c: services.complaint_record_handling_opinion(
                actor=org["prod_worker"].user, complaint=c, text="为客户换货，运费由公司承担"
            ),
        ),
        (
            S.SUPERVISOR_REVIEW,
            lambda c: services.complaint_review(
                actor=org["supervisor"].user, complaint=c, approve=True
            ),
        ),
        (
            S.REPLY,
            lambda c: services.complaint_reply(
                actor=org["agent_a1"].user, complaint=c, via="phone", text="已为您安排换货"
            ),
        ),
    ]
    order = [status for status, _step in steps]
    for status, step in steps[order.index(complaint.status) :]:
        if complaint.status == to:
            break
        assert complaint.status == status, (complaint.status, status)
        complaint = step(complaint)
    assert complaint.status == to
    return complaint
