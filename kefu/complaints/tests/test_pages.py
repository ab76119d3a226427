"""Complaint pages — 投诉页面 (CMP-1..6): list and 超期投诉, 登记投诉, detail with the step forms
the rule engine allows, each step through its form, refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.customers.models import Customer
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.choices import Kind
from kefu.tickets.models import Ticket
from kefu.tickets.tests.factories import make_ticket

from ..choices import Demand, Ground, ProcedureStatus, Route
from ..models import Complaint, ComplaintStep, InvestigationReport, ResponsibilityFinding
from .factories import add_production, open_complaint, walk

pytestmark = pytest.mark.django_db
S = ProcedureStatus

LIST = "/complaints/"
OVERDUE = "/complaints/overdue/"
NEW = "/complaints/new/"
HTMX_TABLE = {"HX-Request": "true", "HX-Target": "complaint-table"}


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return add_production(org)


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:1500]
    return response.content.decode()


def state() -> dict[str, Any]:
    return {
        "complaints": list(Complaint.objects.order_by("pk").values()),
        "tickets": Ticket.objects.count(),
        "customers": Customer.objects.count(),
        "steps": ComplaintStep.objects.count(),
        "reports": list(InvestigationReport.objects.values()),
        "findings": ResponsibilityFinding.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def act(client: Any, complaint: Complaint, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/complaints/{complaint.pk}/act/{action}/", data or {})


def detail(complaint: Complaint) -> str:
    return f"/complaints/{complaint.pk}/"


def refreshed(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def action_forms(body: str) -> set[str]:
    return set(re.findall(r'<details class="step[^"]*" data-action="([a-z_]+)"', body))


def report_post(people: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The investigation form as a browser sends it: two responsibility rows, 70 % + 30 %."""
    p = "submit_investigation"
    data = {
        f"{p}-scope_true": "yes",
        f"{p}-reasons_sound": "yes",
        f"{p}-demand_legitimate": "yes",
        f"{p}-aim": "要求换货",
        f"{p}-cause": "包装材料不合格",
        f"{p}-course": "运输途中挤压破损",
        f"{p}-loss_amount": "300",
        f"{p}-conclusion": "投诉属实，责任在生产部包装",
        f"{p}-countermeasures": "为客户换货",
        f"{p}-prevention": "更换包装材料",
        f"{p}-shares-TOTAL_FORMS": "3",
        f"{p}-shares-INITIAL_FORMS": "0",
        f"{p}-shares-MIN_NUM_FORMS": "0",
        f"{p}-shares-MAX_NUM_FORMS": "20",
        f"{p}-shares-0-department": str(people["prod"].pk),
        f"{p}-shares-0-team": str(people["prod_team"].pk),
        f"{p}-shares-0-employee": "SC011",
        f"{p}-shares-0-percent": "70",
        f"{p}-shares-0-sanction_trigger": "materials_not_per_spec",
        f"{p}-shares-0-sanction": "minor_demerit",
        f"{p}-shares-1-department": str(people["hq"].pk),
        f"{p}-shares-1-percent": "30",
        # The third row was added and left empty: it is ignored.
        f"{p}-shares-2-department": "",
        f"{p}-shares-2-percent": "",
    }
    data.update({f"{p}-{k}" if not k.startswith(p) else k: v for k, v in overrides.items()})
    return data


# --- menu and access --------------------------------------------------------------------------
def test_menu_shows_complaint_pages_by_role(people: dict[str, Any], client_for: Any) -> None:
    body = html(client_for(people["supervisor"].user).get("/dashboard/"))
    assert "投诉管理" in body
    for url in (LIST, "/complaints/stats/", "/complaints/findings/"):
        assert f'href="{url}"' in body, url
    agent = html(client_for(people["agent_a1"].user).get("/dashboard/"))
    assert f'href="{LIST}"' in agent and 'href="/complaints/stats/"' not in agent
    assert "投诉管理" not in html(client_for(people["warehouse"].user).get("/dashboard/"))


def test_outsiders_are_refused_every_page_and_nothing_changes(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = open_complaint(people["agent_a1"], contact_phone="13812345678")
    walk(complaint, people, to=S.DEPT_HEAD_REVIEW)
    before = state()
    for who in ("agent_b1", "warehouse", "sysadmin"):
        client = client_for(people[who].user)
        for url in (
            detail(complaint),
            f"{detail(complaint)}card/",
            f"{detail(complaint)}card.pdf",
            f"{detail(complaint)}report/",
            f"{detail(complaint)}report.pdf",
        ):
            assert client.get(url).status_code == 404, (who, url)
        for action in ("approve", "return", "accept", "reply"):
            response = act(client, complaint, action, {f"{action}-comment": "看看"})
            assert response.status_code == 404, (who, action)
        listed = html(client.get(LIST))
        assert complaint.ticket.number not in listed and "暂无投诉" in listed
    assert client_for(people["warehouse"].user).get(NEW).status_code == 403
    assert client_for(people["hr"].user).post(NEW, {"customer": "13900001111"}).status_code == 403
    assert state() == before


def test_a_step_taken_by_the_wrong_person_is_refused_and_changes_nothing(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = open_complaint(people["agent_a1"])
    agent = client_for(people["agent_a1"].user)
    body = html(agent.get(detail(complaint)))
    # The agent who recorded it sees the complaint, but not the 受理 forms (主管/经理 decide).
    assert action_forms(body) == set()
    assert 'data-testid="no-actions"' in body and "客服主管或客服部经理" in body
    before = state()
    body = html(act(agent, complaint, "accept"), 422)
    assert "待受理环节只有客服主管或客服部经理可以受理" in body
    assert state() == before
    # HR may not accept either; an illegal step (approve at 待受理) is refused with its reason.
    hr = client_for(people["hr"].user)
    assert act(hr, complaint, "accept").status_code == 422
    body = html(act(hr, complaint, "approve"), 422)
    assert "待受理的投诉不能审核同意" in body
    assert act(hr, complaint, "no_such_step").status_code == 404
    assert (
        client_for(people["supervisor"].user)
        .get(f"/complaints/{complaint.pk}/act/accept/")
        .status_code
        == 405
    )
    assert state() == before


# --- list -------------------------------------------------------------------------------------
def test_list_filters_live_in_the_url_and_htmx_swaps_only_the_table(
    people: dict[str, Any], client_for: Any
) -> None:
    agent = people["agent_a1"]
    a = open_complaint(
        agent,
        customer=CustomerFactory(name="宏达家居"),
        contact_phone="13812345678",
        ground=Ground.QUALITY_DEFECT,
    )
    b = open_complaint(agent, ground=Ground.PACKING_DAMAGE)
    walk(b, people, to=S.INVESTIGATING)
    client = client_for(people["supervisor"].user)
    body = html(client.get(LIST, {"status": "investigating"}))
    assert "<html" in body and '<option value="investigating" selected>' in body
    b = refreshed(b)
    assert b.number in body and a.ticket.number not in body
    fragment = html(client.get(LIST, {"q": "宏达"}, headers=HTMX_TABLE))
    assert "<html" not in fragment and 'data-testid="complaint-table"' in fragment
    assert a.ticket.number in fragment and b.number not in fragment
    # The supervisor may reveal phones; the agent sees them masked.
    assert "13812345678" in fragment
    agent_fragment = html(client_for(agent.user).get(LIST, {"q": "宏达"}, headers=HTMX_TABLE))
    assert "138****5678" in agent_fragment and "13812345678" not in agent_fragment
    # Every row shows the 7-day clock: its deadline and the time left.
    assert "剩余 6天" in fragment and 'data-sla-seconds="' in fragment
    assert a.ticket.resolution_due is not None
    due = timezone.localtime(a.ticket.resolution_due).strftime("%Y-%m-%d %H:%M")
    assert due in fragment
    grounds = html(client.get(LIST, {"ground": "packing_damage"}, headers=HTMX_TABLE))
    assert b.number in grounds and a.ticket.number not in grounds
    month = timezone.localdate().strftime("%Y-%m")
    assert "共 2 条" in html(client.get(LIST, {"month": month}, headers=HTMX_TABLE))
    assert "没有符合条件的投诉" in html(client.get(LIST, {"month": "2001-01"}, headers=HTMX_TABLE))
    # The supervisor waits for 行政人事部 on b (分派 done), for the supervisor on a.
    assert "受理部门人员" in html(client.get(LIST, {"q": b.number}, headers=HTMX_TABLE))


def test_overdue_view_lists_only_open_complaints_past_seven_days(
    people: dict[str, Any], client_for: Any
) -> None:
    agent = people["agent_a1"]
    late = open_complaint(agent, received_at=timezone.now() - dt.timedelta(days=9))
    fresh = open_complaint(agent)
    closed_late = open_complaint(agent, received_at=timezone.now() - dt.timedelta(days=10))
    walk(closed_late, people, to=S.CLOSED)
    client = client_for(people["supervisor"].user)
    body = html(client.get(OVERDUE))
    assert "超期投诉" in body
    assert late.ticket.number in body
    assert fresh.ticket.number not in body and refreshed(closed_late).number not in body
    assert "超时 " in body and "tag-red" in body
    # The same as a filter of the full list.
    filtered = html(client.get(LIST, {"overdue": "1"}, headers=HTMX_TABLE))
    assert late.ticket.number in filtered and fresh.ticket.number not in filtered
    everything = html(client.get(LIST, headers=HTMX_TABLE))
    assert "超期结案" in everything  # a closed complaint says whether it closed in time
    assert "没有超期未结的投诉" in html(client_for(people["agent_b1"].user).get(OVERDUE))


def test_list_pages_and_its_query_count_does_not_grow(
    people: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    agent = people["agent_a1"]
    client = client_for(people["supervisor"].user)

    def measure(params: dict[str, Any]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, params).status_code == 200
        return len(ctx.captured_queries)

    open_complaint(agent, contact_phone="13900000000")
    client.get(LIST)
    small = measure({"page_size": 100}), measure({"overdue": "1"})
    for i in range(24):
        complaint = open_complaint(agent, contact_phone=f"1390000{i:04d}")
        if i % 3 == 0:
            walk(complaint, people, to=S.INVESTIGATING)
    large = measure({"page_size": 100}), measure({"overdue": "1"})
    assert large == small
    with django_assert_max_num_queries(16):
        client.get(LIST, {"page_size": 100})
    first = html(client.get(LIST, headers=HTMX_TABLE))
    assert len(re.findall(r"<tr data-complaint=", first)) == 20
    assert "共 25 条" in first and "1 / 2" in first
    second = html(client.get(LIST, {"page": 2}, headers=HTMX_TABLE))
    assert len(re.findall(r"<tr data-complaint=", second)) == 5


# --- 登记投诉 -----------------------------------------------------------------------------------
def test_agent_records_a_phone_complaint_for_a_new_caller(
    people: dict[str, Any], client_for: Any
) -> None:
    client = client_for(people["agent_a1"].user)
    form = html(client.get(NEW, {"phone": "13912345678"}))
    assert 'value="13912345678"' in form and "客户要求" in form
    response = client.post(
        NEW,
        {
            "channel": "hotline",
            "customer": "139 1234 5678",
            "complainant_type": "consumer",
            "complainant_name": "王先生",
            "ground": "quality_defect",
            "demands": ["exchange", "compensation"],
            "amount_involved": "1280.50",
            "title": "热水器漏水",
            "description": "安装三天后底部漏水",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(complaint)
    assert complaint.complainant_name == "王先生" and complaint.status == S.RECORDED
    assert complaint.demands == [Demand.EXCHANGE, Demand.COMPENSATION]
    assert complaint.amount_involved == Decimal("1280.50")
    ticket = complaint.ticket
    assert ticket.kind == Kind.COMPLAINT and ticket.contact_phone == "13912345678"
    assert ticket.customer.name == "王先生"
    body = html(client.get(detail(complaint)))
    assert "待受理" in body and "139****5678" in body and "¥1,280.50" in body
    assert "换货、损害赔偿" in body and "剩余 6天" in body
    assert "登记客户投诉记录卡" in body  # the timeline, from the audit trail
    # A second complaint from the same number finds the customer instead of recording another.
    client.post(
        NEW,
        {
            "channel": "hotline",
            "customer": "13912345678",
            "ground": "delivery_time",
            "demands": ["criticism_suggestion"],
            "title": "又来投诉",
        },
    )
    assert Complaint.objects.count() == 2 and Customer.objects.count() == 1


def test_bad_input_is_shown_under_the_fields_and_kept(
    people: dict[str, Any], client_for: Any
) -> None:
    client = client_for(people["agent_a1"].user)
    before = state()
    body = html(
        client.post(
            NEW,
            {
                "channel": "hotline",
                "customer": "13912345678",
                "complainant_name": "李女士",
                "ground": "",
                "amount_involved": "-5",
                "title": "空调异响",
                "description": "晚上声音很大",
            },
        )
    )
    assert "请选择投诉范围" in body and "请选择客户要求（可多选）" in body
    assert "涉及金额须是0到9999999999.99之间的数字" in body
    assert 'value="李女士"' in body and 'value="-5"' in body and "晚上声音很大" in body
    assert 'value="13912345678"' in body
    # No customer was left behind by the refused complaint.
    assert state() == before
    body = html(client.post(NEW, {"channel": "hotline", "customer": "abc", "title": "x"}))
    assert "找不到该客户，请输入客户编号或完整电话" in body
    assert state() == before


def test_a_complaint_ticket_is_turned_into_a_complaint(
    people: dict[str, Any], client_for: Any
) -> None:
    agent = people["agent_a1"]
    ticket = make_ticket(agent, kind=Kind.COMPLAINT, title="投诉发货慢")
    client = client_for(agent.user)
    form = html(client.get(NEW))
    assert 'data-testid="pending-tickets"' in form and f"?ticket={ticket.pk}" in form
    page = html(client.get(NEW, {"ticket": ticket.pk}))
    assert ticket.number in page and 'name="customer"' not in page
    response = client.post(
        f"{NEW}?ticket={ticket.pk}", {"ground": "delivery_time", "demands": ["price_reduction"]}
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1
    # Once recorded, the link leads to the complaint; other kinds are not offered.
    assert client.get(NEW, {"ticket": ticket.pk})["Location"] == detail(complaint)
    inquiry = make_ticket(agent, kind=Kind.INQUIRY)
    assert client.get(NEW, {"ticket": inquiry.pk}).status_code == 404
    assert client_for(people["agent_b1"].user).get(NEW, {"ticket": ticket.pk}).status_code == 404


# --- the procedure, step by step ----------------------------------------------------------------
def test_each_step_through_its_form_to_closing(people: dict[str, Any], client_for: Any) -> None:
    complaint = open_complaint(people["agent_a1"], contact_phone="13812345678")
    supervisor = client_for(people["supervisor"].user)
    hr = client_for(people["hr"].user)
    worker = client_for(people["prod_worker"].user)
    head = client_for(people["prod_head"].user)
    gm = client_for(people["gm"].user)
    agent = client_for(people["agent_a1"].user)

    assert action_forms(html(supervisor.get(detail(complaint)))) == {"accept", "reject"}
    body = html(supervisor.get(detail(complaint)))
    assert "确定要受理该投诉吗？" in body and "确定不受理该投诉吗？" in body
    assert act(supervisor, complaint, "accept", {"accept-reason": "理由成立"}).status_code == 302
    complaint = refreshed(complaint)
    assert complaint.status == S.ROUTING and complaint.number.startswith("TS")

    # 分派: the policy suggests investigation for packing damage; HR names the department.
    body = html(hr.get(detail(complaint)))
    assert action_forms(body) == {"route"}
    assert "送行政人事部确定受理部门调查" in body and 'data-testid="suggested-route"' in body
    body = html(act(hr, complaint, "route", {"route-route": "investigation"}), 422)
    assert "请选择负责调查的受理部门" in body
    response = act(
        hr,
        complaint,
        "route",
        {"route-route": "investigation", "route-investigating_department": people["prod"].pk},
    )
    assert response.status_code == 302
    assert refreshed(complaint).status == S.INVESTIGATING

    # The production worker holds no complaint permission and still writes the report.
    body = html(worker.get(detail(complaint)))
    assert action_forms(body) == {"submit_investigation"}
    assert 'option value="SC011"' in body  # 责任人 suggestions from the department
    assert act(worker, complaint, "submit_investigation", report_post(people)).status_code == 302
    complaint = refreshed(complaint)
    assert complaint.status == S.DEPT_HEAD_REVIEW
    report = InvestigationReport.objects.get(complaint=complaint)
    shares = list(report.shares.order_by("id"))
    assert [(s.department_id, s.employee_id, s.percent) for s in shares] == [
        (people["prod"].pk, people["prod_worker"].pk, Decimal("70")),
        (people["hq"].pk, None, Decimal("30")),
    ]

    for client, step in ((head, S.HR_REVIEW), (hr, S.GM_REVIEW), (gm, S.HANDLING_OPINION)):
        assert action_forms(html(client.get(detail(complaint)))) == {"approve", "return"}
        assert act(client, complaint, "approve", {"approve-comment": "同意"}).status_code == 302
        assert refreshed(complaint).status == step

    body = html(act(worker, complaint, "record_handling_opinion"), 422)
    assert "请填写处理意见" in body
    response = act(
        worker, complaint, "record_handling_opinion", {"record_handling_opinion-text": "换货"}
    )
    assert response.status_code == 302 and refreshed(complaint).status == S.SUPERVISOR_REVIEW
    body = html(supervisor.get(detail(complaint)))
    assert action_forms(body) == {"approve", "return"} and "审核同意处理意见" in body
    assert act(supervisor, complaint, "approve").status_code == 302
    assert refreshed(complaint).status == S.REPLY

    body = html(agent.get(detail(complaint)))
    assert action_forms(body) == {"reply"} and "确定已答复客户并结案吗？" in body
    body = html(act(agent, complaint, "reply", {"reply-via": "phone"}), 422)
    assert "请填写答复客户的内容" in body
    response = act(agent, complaint, "reply", {"reply-via": "phone", "reply-text": "已安排换货"})
    assert response.status_code == 302
    complaint = refreshed(complaint)
    assert complaint.status == S.CLOSED and complaint.reply_text == "已安排换货"
    body = html(agent.get(detail(complaint)))
    assert action_forms(body) == set() and "按期结案" in body
    assert 'data-testid="findings"' in body and "小过" in body and "¥210.00" in body
    for label in ("受理", "分派", "提交投诉调查报告", "审核同意", "形成处理意见", "答复客户、结案"):
        assert label in body
    assert "受理部门负责人审核" in body and "总经理批阅" in body  # step history


def test_reject_needs_a_reason_and_the_reply_tells_it(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = open_complaint(people["agent_a1"])
    supervisor = client_for(people["supervisor"].user)
    before = state()
    body = html(act(supervisor, complaint, "reject", {"reject-reason": ""}), 422)
    assert "请填写不受理的原因" in body and 'data-action="reject" open' in body
    assert state() == before
    assert (
        act(supervisor, complaint, "reject", {"reject-reason": "客户自行摔坏"}).status_code == 302
    )
    complaint = refreshed(complaint)
    assert complaint.status == S.REPLY and complaint.accepted is False
    agent = client_for(people["agent_a1"].user)
    assert (
        act(agent, complaint, "reply", {"reply-via": "written", "reply-text": "抱歉"}).status_code
        == 302
    )
    complaint = refreshed(complaint)
    assert complaint.status == S.CLOSED and "客户自行摔坏" in complaint.reply_text


def test_the_report_form_keeps_input_and_puts_errors_on_the_rows(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.INVESTIGATING)
    worker = client_for(people["prod_worker"].user)
    before = state()
    p = "submit_investigation"
    data = report_post(people, **{"shares-1-percent": "20", "cause": ""})
    body = html(act(worker, complaint, p, data), 422)
    assert "责任比例合计须为100%，现为90%" in body and "请填写发生原因" in body
    assert 'value="20"' in body and "运输途中挤压破损" in body and 'value="SC011"' in body
    data = report_post(people, **{"shares-0-employee": "NOPE"})
    assert "找不到该工号的在职员工" in html(act(worker, complaint, p, data), 422)
    # A person outside the named department is refused on that row.
    data = report_post(people, **{"shares-0-employee": "KF011"})
    body = html(act(worker, complaint, p, data), 422)
    assert "责任人不属于该责任部门" in body
    data = report_post(people, **{"shares-1-percent": "abc"})
    assert "责任比例须是数字" in html(act(worker, complaint, p, data), 422)
    data = report_post(people, scope_true="maybe")
    assert "请选择是或否" in html(act(worker, complaint, p, data), 422)
    assert state() == before


def test_a_return_sends_the_report_back_and_the_form_starts_from_it(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.HR_REVIEW)
    hr = client_for(people["hr"].user)
    before = state()
    assert "请填写退回意见" in html(act(hr, complaint, "return", {"return-comment": ""}), 422)
    assert state() == before
    response = act(hr, complaint, "return", {"return-comment": "责任比例需重新核定"})
    assert response.status_code == 302 and refreshed(complaint).status == S.INVESTIGATING
    body = html(client_for(people["prod_worker"].user).get(detail(complaint)))
    assert "包装材料不合格" in body and 'value="SC011"' in body and 'value="70"' in body
    assert "责任比例需重新核定" in body  # in the step history and the timeline


def test_contract_dispute_goes_to_the_leadership(people: dict[str, Any], client_for: Any) -> None:
    complaint = open_complaint(people["agent_a1"], ground=Ground.OTHER)
    walk(complaint, people, to=S.ROUTING)
    supervisor = client_for(people["supervisor"].user)
    # The 客服部's lead may route it to the leadership, not to an investigation.
    body = html(
        act(
            supervisor,
            complaint,
            "route",
            {"route-route": "investigation", "route-investigating_department": people["prod"].pk},
        ),
        422,
    )
    assert "只有行政人事部可以确定受理部门并送交调查" in body
    assert act(supervisor, complaint, "route", {"route-route": Route.LEADERSHIP}).status_code == 302
    assert refreshed(complaint).status == S.LEADERSHIP_DECISION
    dgm = client_for(people["dgm"].user)
    assert action_forms(html(dgm.get(detail(complaint)))) == {"leadership_decide"}
    assert "请填写裁定意见" in html(act(dgm, complaint, "leadership_decide"), 422)
    response = act(dgm, complaint, "leadership_decide", {"leadership_decide-text": "按合同退差价"})
    assert response.status_code == 302
    complaint = refreshed(complaint)
    assert complaint.status == S.REPLY and complaint.leadership_decision == "按合同退差价"
    assert "按合同退差价" in html(supervisor.get(detail(complaint)))


def test_the_pages_speak_english_when_asked(people: dict[str, Any], client_for: Any) -> None:
    from django.conf import settings

    from kefu.core.management.commands.compile_translations import ensure_compiled

    ensure_compiled()
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.HR_REVIEW)
    client = client_for(people["hr"].user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = html(client.get(detail(complaint)))
    for text in (
        "Complaint record card",
        "Current step",
        ">Approve<",
        "Complaint investigation report",
    ):
        assert text in body, text
    assert "客户投诉记录卡</h2>" not in body
    assert "Overdue complaints" in html(client.get(LIST))
    assert "Closed within 7 days" in html(client.get("/complaints/stats/"))
    assert "Responsibility findings" in html(client.get("/complaints/findings/"))


def test_a_tampered_report_form_is_refused_without_a_500(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.INVESTIGATING)
    worker = client_for(people["prod_worker"].user)
    before = state()
    data = {k: v for k, v in report_post(people).items() if "TOTAL_FORMS" not in k}
    assert act(worker, complaint, "submit_investigation", data).status_code == 422
    data = report_post(people, **{"shares-TOTAL_FORMS": "999"})
    assert act(worker, complaint, "submit_investigation", data).status_code == 422
    data = report_post(people, **{"shares-0-department": "99999999999999999999999"})
    assert act(worker, complaint, "submit_investigation", data).status_code == 422
    assert act(worker, complaint, "route", {"route-route": "\x00"}).status_code in (400, 422)
    assert state() == before
