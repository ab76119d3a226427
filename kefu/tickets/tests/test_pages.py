"""Ticket pages — 工单页面 (TKT-1..7): console, list, new, detail with actions, files, search."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core.models import AuditEvent
from kefu.customers.models import Customer
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.choices import Kind, Status, Subkind
from kefu.tickets.models import Ticket, TicketAttachment, TicketMessage
from kefu.tickets.services import ticket_act, ticket_attach
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

LIST = "/tickets/"
NEW = "/tickets/new/"
CONSOLE = "/workbench/"
HTMX_TABLE = {"HX-Request": "true", "HX-Target": "ticket-table"}
HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:800]
    return response.content.decode()


def state() -> dict[str, Any]:
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "messages": TicketMessage.objects.count(),
        "attachments": TicketAttachment.objects.count(),
        "customers": Customer.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def act_url(ticket: Ticket, action: str) -> str:
    return f"/tickets/{ticket.pk}/act/{action}/"


# --- menu and access --------------------------------------------------------------------------
def test_menu_shows_console_and_list_to_ticket_roles_only(
    org: dict[str, Any], client_for: Any
) -> None:
    body = html(client_for(org["agent_a1"].user).get("/dashboard/"))
    assert 'href="/workbench/"' in body and 'href="/tickets/"' in body
    assert "坐席工作台" in body and "工单管理" in body
    # UI.md order: 工作台 · 工单管理 · … · 客户管理 · … · 系统设置.
    assert body.index("工单管理") < body.index("客户管理") < body.index("系统设置")
    body = html(client_for(org["warehouse"].user).get("/dashboard/"))
    assert "/workbench/" not in body and "工单列表" not in body


def test_warehouse_is_refused_every_page_and_nothing_changes(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(org["agent_a1"])
    attachment = ticket_attach(actor=org["agent_a1"].user, ticket=ticket, name="a.png", content=PNG)
    client = client_for(org["warehouse"].user)
    before = state()
    for url in (
        LIST,
        NEW,
        CONSOLE,
        "/workbench/lists/",
        f"/tickets/{ticket.pk}/",
        f"/tickets/{ticket.pk}/attachments/{attachment.pk}/",
        "/tickets/options/customers/?q=1",
    ):
        assert client.get(url).status_code in (403, 404), url
    posts = [
        (NEW, {"channel": "hotline", "kind": "inquiry", "customer": "13900001111", "title": "x"}),
        ("/workbench/quick/", {"quick-phone": "13900001111", "quick-kind": "inquiry"}),
        (act_url(ticket, "accept"), {}),
        (act_url(ticket, "close"), {}),
        (f"/tickets/{ticket.pk}/notes/", {"body": "看看"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url
    assert state() == before


def test_agent_of_another_team_cannot_open_or_act_on_a_colleagues_ticket(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(org["agent_a1"])
    attachment = ticket_attach(actor=org["agent_a1"].user, ticket=ticket, name="a.png", content=PNG)
    client = client_for(org["agent_b1"].user)
    before = state()
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert client.get(f"/tickets/{ticket.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.post(act_url(ticket, "accept")).status_code == 404
    assert client.post(act_url(ticket, "reply"), {"reply-note": "你好"}).status_code == 404
    assert client.post(f"/tickets/{ticket.pk}/notes/", {"body": "插一句"}).status_code == 404
    upload = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    assert client.post(f"/tickets/{ticket.pk}/attachments/", {"file": upload}).status_code == 404
    assert ticket.number not in html(client.get(LIST))
    assert state() == before
    # Their own lead sees it (team scope), and so does the supervisor (department scope).
    assert client_for(org["lead_a"].user).get(f"/tickets/{ticket.pk}/").status_code == 200
    assert client_for(org["supervisor"].user).get(f"/tickets/{ticket.pk}/").status_code == 200
    assert client_for(org["lead_b"].user).get(f"/tickets/{ticket.pk}/").status_code == 404


# --- list -------------------------------------------------------------------------------------
def test_list_filters_live_in_the_url_and_htmx_swaps_only_the_table(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    a = make_ticket(agent, title="空调不制冷", contact_phone="13812345678")
    b = make_ticket(
        agent, title="催快递", kind=Kind.ORDER_ISSUE, subkind=Subkind.CHASE, tracking_no="SF123"
    )
    ticket_act(actor=agent.user, ticket=b, action="accept")
    client = client_for(agent.user)
    body = html(client.get(LIST, {"status": "in_progress"}))
    assert "<html" in body and '<option value="in_progress" selected>' in body
    assert b.number in body and a.number not in body
    fragment = html(client.get(LIST, {"q": "5678"}, headers=HTMX_TABLE))
    assert "<html" not in fragment and 'data-testid="ticket-table"' in fragment
    assert a.number in fragment and b.number not in fragment
    assert "138****5678" in fragment and "13812345678" not in fragment
    assert "共 1 条" in fragment and "tag-orange" in fragment  # 新建 as a coloured tag
    assert b.number in html(client.get(LIST, {"q": "SF123"}, headers=HTMX_TABLE))
    assert b.number in html(client.get(LIST, {"q": "快递"}, headers=HTMX_TABLE))
    kinds = html(client.get(LIST, {"kind": "order_issue", "owner": "KF011"}, headers=HTMX_TABLE))
    assert b.number in kinds and a.number not in kinds
    nobody = html(client.get(LIST, {"owner": "NOPE"}, headers=HTMX_TABLE))
    assert "没有符合条件的工单" in nobody


def test_empty_list_says_what_to_do_next(org: dict[str, Any], client_for: Any) -> None:
    assert "暂无工单，点击“新增”创建" in html(client_for(org["agent_a1"].user).get(LIST))
    hr_body = html(client_for(org["hr"].user).get(LIST))
    assert "暂无工单" in hr_body and "点击“新增”" not in hr_body and NEW not in hr_body


def test_list_pages_by_20_50_100(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    customer = CustomerFactory()
    for _ in range(25):
        make_ticket(agent, customer=customer)
    client = client_for(agent.user)
    first = html(client.get(LIST, headers=HTMX_TABLE))
    assert len(re.findall(r"<tr>", first)) == 20 + 1
    assert "共 25 条" in first and "1 / 2" in first
    second = html(client.get(LIST, {"page": 2}, headers=HTMX_TABLE))
    assert len(re.findall(r"<tr>", second)) == 5 + 1
    fifty = html(client.get(LIST, {"page_size": 50}, headers=HTMX_TABLE))
    assert len(re.findall(r"<tr>", fifty)) == 25 + 1


def test_list_and_console_query_counts_do_not_grow_with_rows(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    lead = org["lead_a"]
    agent_client, lead_client = client_for(agent.user), client_for(lead.user)

    def measure(client: Any, url: str, params: dict[str, Any] | None = None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params or {}).status_code == 200
        return len(ctx.captured_queries)

    make_ticket(agent)
    agent_client.get(LIST)
    agent_client.get(CONSOLE)
    lead_client.get(CONSOLE)
    small = {
        "list": measure(agent_client, LIST, {"page_size": 100}),
        "console": measure(agent_client, CONSOLE),
        "lead": measure(lead_client, CONSOLE),
    }
    for i in range(30):
        make_ticket(agent, customer=CustomerFactory(), contact_phone=f"1381234{i:04d}")
    for _ in range(5):
        make_ticket(org["agent_a2"], unassigned=True)
    large = {
        "list": measure(agent_client, LIST, {"page_size": 100}),
        "console": measure(agent_client, CONSOLE),
        "lead": measure(lead_client, CONSOLE),
    }
    assert large == small
    assert large["list"] <= 15 and large["console"] <= 15 and large["lead"] <= 16


# --- console ----------------------------------------------------------------------------------
def test_console_lists_my_requests_with_sla_and_the_queue(
    org: dict[str, Any], client_for: Any
) -> None:
    mine = make_ticket(org["agent_a1"], title="我的单")
    unassigned = make_ticket(org["agent_a2"], title="网站留言", unassigned=True)
    other = make_ticket(org["agent_a2"], title="同事的单")
    body = html(client_for(org["agent_a1"].user).get(CONSOLE))
    my_list = body[body.index('id="my-tickets"') : body.index('id="team-queue"')]
    assert mine.number in my_list and unassigned.number not in my_list
    assert "data-sla-seconds=" in my_list and "剩余" in my_list and "tag-green" in my_list
    queue = body[body.index('id="team-queue"') :]
    assert unassigned.number in queue and "认领" in queue
    assert other.number not in body
    assert 'hx-trigger="every 30s"' in body
    assert 'data-testid="team-tickets"' not in body  # agents lead nobody
    lead_body = html(client_for(org["lead_a"].user).get(CONSOLE))
    team = lead_body[lead_body.index('id="team-tickets"') :]
    assert "本组未结工单" in team and mine.number in team and other.number in team
    refresh = html(client_for(org["agent_a1"].user).get("/workbench/lists/", headers=HTMX))
    assert "<html" not in refresh and mine.number in refresh


def test_claiming_from_the_queue(org: dict[str, Any], client_for: Any) -> None:
    ticket = make_ticket(org["agent_a2"], unassigned=True)
    client = client_for(org["agent_a1"].user)
    response = client.post(act_url(ticket, "accept"), {"next": "workbench"})
    assert response.status_code == 302 and response["Location"] == CONSOLE
    ticket.refresh_from_db()
    assert ticket.owner_id == ticket.first_responsible_id == org["agent_a1"].pk
    assert ticket.status == Status.IN_PROGRESS


def test_quick_entry_creates_and_answers_with_my_list_out_of_band(
    org: dict[str, Any], client_for: Any
) -> None:
    client = client_for(org["agent_a1"].user)
    data = {"quick-phone": "139 1234 5678", "quick-kind": "inquiry", "quick-title": "问保修期"}
    fragment = html(client.post("/workbench/quick/", data, headers=HTMX))
    ticket = Ticket.objects.get()
    assert ticket.title == "问保修期" and ticket.contact_phone == "13912345678"
    assert ticket.owner_id == org["agent_a1"].pk and ticket.customer.phones.count() == 1
    assert "<html" not in fragment
    assert 'id="my-tickets"' in fragment and 'hx-swap-oob="true"' in fragment
    assert ticket.number in fragment and f"已新增工单 {ticket.number}" in fragment
    # The form comes back empty for the next call.
    assert 'value="139 1234 5678"' not in fragment


def test_quick_entry_errors_keep_the_input(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["agent_a1"].user)
    before = state()
    data = {"quick-phone": "139 1234 5678", "quick-kind": "after_sales", "quick-title": "坏了"}
    fragment = html(client.post("/workbench/quick/", data, headers=HTMX))
    assert "售后类工单须选择子类" in fragment
    assert 'value="139 1234 5678"' in fragment and 'value="坏了"' in fragment
    assert '<option value="repair">维修</option>' in fragment  # the sub-kinds of 售后 offered
    assert "hx-swap-oob" not in fragment
    bad_phone = {"quick-phone": "12", "quick-kind": "inquiry", "quick-title": "问价"}
    fragment = html(client.post("/workbench/quick/", bad_phone, headers=HTMX))
    assert "电话格式不正确" in fragment and 'value="问价"' in fragment
    assert state() == before


def test_subkind_options_follow_the_kind(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["agent_a1"].user)
    options = html(client.get("/tickets/options/subkinds/", {"kind": "order_issue"}))
    assert "催件" in options and "维修" not in options
    none = html(client.get("/tickets/options/subkinds/", {"quick-kind": "inquiry"}))
    assert none.count("<option") == 1


# --- new ----------------------------------------------------------------------------------------
def test_new_ticket_for_a_known_customer_by_code(org: dict[str, Any], client_for: Any) -> None:
    customer = CustomerFactory(phones=["13812345678"])
    client = client_for(org["agent_a1"].user)
    options = html(client.get("/tickets/options/customers/", {"customer": "5678"}))
    assert customer.code in options and "138****5678" in options
    response = client.post(
        NEW,
        {
            "channel": "email",
            "kind": "after_sales",
            "subkind": "repair",
            "customer": f"{customer.code} {customer.name}",
            "title": "洗衣机漏水",
            "description": "使用三个月后漏水",
            "priority": "high",
            "order_no": "TB123",
            "purchase_date": "2024-05-01",
            "tags": "小红旗，批量问题",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.customer_id == customer.pk and ticket.subkind == "repair"
    assert ticket.priority == "high" and ticket.order_no == "TB123"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["小红旗", "批量问题"]


def test_new_ticket_with_a_new_phone_records_the_customer(
    org: dict[str, Any], client_for: Any
) -> None:
    client = client_for(org["agent_a1"].user)
    data = {
        "channel": "hotline",
        "kind": "inquiry",
        "customer": "13700001111",
        "title": "问价",
        "priority": "normal",
    }
    assert client.post(NEW, data).status_code == 302
    assert Ticket.objects.get().customer.phones.get().phone == "13700001111"


def test_new_ticket_errors_sit_under_fields_and_keep_input(
    org: dict[str, Any], client_for: Any
) -> None:
    client = client_for(org["agent_a1"].user)
    before = state()
    body = html(
        client.post(
            NEW,
            {
                "channel": "hotline",
                "kind": "after_sales",
                "customer": "13700001111",
                "title": "冰箱不制冷",
                "contact_phone": "12",
                "purchase_date": "2999-01-01",
                "order_no": "TB-9",
                "priority": "normal",
            },
        )
    )
    assert state() == before  # the customer typed by phone was not recorded either
    for field, message in (
        ("subkind", "售后类工单须选择子类"),
        ("contact_phone", "电话格式不正确"),
        ("purchase_date", "购买日期不能晚于今天"),
    ):
        block = body[body.index(f'data-field="{field}"') :]
        block = block[: block.index("data-field=", 20)]  # up to the next field
        assert "has-error" in body[body.index(f'data-field="{field}"') - 40 :][:60], field
        assert message in block, field
    assert 'value="冰箱不制冷"' in body and 'value="TB-9"' in body and 'value="13700001111"' in body
    unknown = html(client.post(NEW, {"channel": "hotline", "kind": "inquiry", "customer": "C9"}))
    assert "找不到该客户，请输入客户编号或完整电话" in unknown
    assert state() == before


# --- detail and actions -------------------------------------------------------------------------
def test_detail_shows_header_deadlines_actions_and_timeline(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(org["agent_a1"], contact_phone="13812345678")
    body = html(client_for(org["agent_a1"].user).get(f"/tickets/{ticket.pk}/"))
    assert ticket.number in body and "新建" in body and "data-sla-seconds=" in body
    assert "首次响应期限" in body and "解决期限" in body and "首问负责人" in body
    assert "客服甲一" in body and "138****5678" in body and "13812345678" not in body
    actions = body[body.index('data-testid="ticket-actions"') :]
    for label in ("受理", "回复", "转交", "解决"):
        assert f">{label}<" in actions, label
    assert 'data-action="close"' not in body  # not resolved yet: no 结案 button
    timeline = body[body.index('data-testid="ticket-timeline"') :]
    assert "新建工单" in timeline
    # A colleague of the same team sees nothing to do on it (and cannot open it: agent scope).
    assert client_for(org["agent_a2"].user).get(f"/tickets/{ticket.pk}/").status_code == 404


def test_reply_resolve_and_close_through_the_page(org: dict[str, Any], client_for: Any) -> None:
    ticket = make_ticket(org["agent_a1"])
    client = client_for(org["agent_a1"].user)
    response = client.post(
        act_url(ticket, "reply"), {"reply-note": "您好，保修期一年", "reply-via": "phone"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.responded
    assert client.post(act_url(ticket, "resolve"), {"resolve-note": "已告知"}).status_code == 302
    body = html(client.get(f"/tickets/{ticket.pk}/"))
    assert 'data-confirm="确定要结案吗？' in body
    assert client.post(act_url(ticket, "close")).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.first_contact_resolution
    body = html(client.get(f"/tickets/{ticket.pk}/"))
    messages = body[body.index('data-testid="ticket-messages"') :]
    assert "回复客户 · 电话" in messages and "您好，保修期一年" in messages
    timeline = body[body.index('data-testid="ticket-timeline"') :]
    for label in ("回复", "解决", "结案"):
        assert label in timeline
    assert "一次办结" in body


def test_action_errors_show_under_the_field_and_keep_input(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(org["agent_a1"])
    client = client_for(org["agent_a1"].user)
    before = state()
    body = html(client.post(act_url(ticket, "reply"), {"reply-note": "  "}), 422)
    box = body[body.index('<details open data-action="reply"') :]
    assert "请填写回复内容" in box[: box.index("</details>")]
    body = html(
        client.post(
            act_url(ticket, "transfer"), {"transfer-target": "NOPE", "transfer-reason": "不归我管"}
        ),
        422,
    )
    box = body[body.index('<details open data-action="transfer"') :]
    box = box[: box.index("</details>")]
    assert "找不到该工号的在职员工" in box and "不归我管" in box and 'value="NOPE"' in box
    body = html(client.post(act_url(ticket, "transfer"), {"transfer-reason": "不归我管"}), 422)
    assert "请选择转交对象" in body
    # An action the state does not allow: a message at the top of its form, never a 500.
    body = html(client.post(act_url(ticket, "close")), 422)
    assert "新建的工单不能结案" in body
    assert client.post(act_url(ticket, "nonsense")).status_code == 404
    assert state() == before


def test_transfer_and_accept_through_the_pages(org: dict[str, Any], client_for: Any) -> None:
    ticket = make_ticket(org["agent_a1"])
    data = {"transfer-target": "KF021", "transfer-reason": "售后问题归乙组"}
    assert (
        client_for(org["agent_a1"].user).post(act_url(ticket, "transfer"), data).status_code == 302
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.TRANSFERRED and ticket.pending_owner_id == org["agent_b1"].pk
    target = client_for(org["agent_b1"].user)
    queue = html(target.get(CONSOLE))
    queue = queue[queue.index('id="team-queue"') :]
    assert ticket.number in queue and "接收转交" in queue
    assert target.post(act_url(ticket, "accept_transfer")).status_code == 302
    ticket.refresh_from_db()
    assert (
        ticket.owner_id == org["agent_b1"].pk and ticket.first_responsible_id == org["agent_a1"].pk
    )
    options = html(
        client_for(org["agent_a1"].user).get("/tickets/options/employees/", {"q": "KF02"})
    )
    assert "KF021 客服乙一" in options


def test_major_fault_needs_the_report_before_closing(org: dict[str, Any], client_for: Any) -> None:
    ticket = make_ticket(org["agent_a1"])
    client = client_for(org["agent_a1"].user)
    client.post(act_url(ticket, "reply"), {"reply-note": "正在处理"})
    flag = {"flag_major_fault-note": "上午10点华东仓系统宕机，全部订单无法发货"}
    assert client.post(act_url(ticket, "flag_major_fault"), flag).status_code == 302
    body = html(client.get(f"/tickets/{ticket.pk}/"))
    assert 'data-testid="fault-report"' in body
    form = body[body.index('data-action="submit_fault_report"') :]
    for label in (
        "发生时间",
        "地点",
        "故障现象",
        "处理预案",
        "造成的影响",
        "处理情况",
        "原因分析",
        "纠正预防措施",
    ):
        assert label in form, label
    partial = {"submit_fault_report-occurred_at": "2024-06-01 10:00"}
    body = html(client.post(act_url(ticket, "submit_fault_report"), partial), 422)
    assert "请填写地点" in body and 'value="2024-06-01 10:00"' in body
    full = {
        f"submit_fault_report-{k}": "内容" + k
        for k in (
            "occurred_at",
            "place",
            "symptoms",
            "handling_plan",
            "impact",
            "handling",
            "cause",
            "corrective_actions",
        )
    }
    assert client.post(act_url(ticket, "submit_fault_report"), full).status_code == 302
    client.post(act_url(ticket, "resolve"), {"resolve-note": "已恢复"})
    assert client.post(act_url(ticket, "close")).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.fault_report_complete
    assert "内容cause" in html(client.get(f"/tickets/{ticket.pk}/"))


def test_internal_notes_are_marked_apart_from_replies(org: dict[str, Any], client_for: Any) -> None:
    ticket = make_ticket(org["agent_a1"])
    client = client_for(org["agent_a1"].user)
    client.post(act_url(ticket, "reply"), {"reply-note": "已回复客户", "reply-via": "online"})
    assert client.post(f"/tickets/{ticket.pk}/notes/", {"body": "客户语气激动"}).status_code == 302
    body = html(client.get(f"/tickets/{ticket.pk}/"))
    assert re.search(r'class="msg-note" data-kind="note">.*?内部备注.*?客户语气激动', body, re.S)
    assert re.search(
        r'class="msg-reply" data-kind="reply">.*?回复客户 · 在线.*?已回复客户', body, re.S
    )
    before = state()
    body = html(client.post(f"/tickets/{ticket.pk}/notes/", {"body": ""}), 422)
    assert "请填写备注内容" in body
    assert state() == before


def test_attachments_upload_and_download_through_the_ticket_only(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(org["agent_a1"])
    client = client_for(org["agent_a1"].user)
    upload = SimpleUploadedFile("发票.png", PNG, content_type="image/png")
    assert client.post(f"/tickets/{ticket.pk}/attachments/", {"file": upload}).status_code == 302
    attachment = TicketAttachment.objects.get()
    body = html(client.get(f"/tickets/{ticket.pk}/"))
    url = f"/tickets/{ticket.pk}/attachments/{attachment.pk}/"
    assert url in body and "发票.png" in body and "/media/" not in body
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    # Another ticket's id in the path does not reach the file.
    other = make_ticket(org["agent_a1"])
    assert client.get(f"/tickets/{other.pk}/attachments/{attachment.pk}/").status_code == 404
    # Not an image or PDF: refused under the field, nothing stored.
    before = state()
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10, content_type="image/png")
    body = html(client.post(f"/tickets/{ticket.pk}/attachments/", {"file": bad}), 422)
    assert "只能上传图片" in body
    assert state() == before


# --- customer page and search -------------------------------------------------------------------
def test_customer_page_lists_the_customers_tickets(org: dict[str, Any], client_for: Any) -> None:
    customer = CustomerFactory()
    ticket = make_ticket(org["agent_a1"], customer=customer, title="第一次来电")
    hidden = make_ticket(org["agent_b1"], customer=customer, title="乙组的单")
    body = html(client_for(org["agent_a1"].user).get(f"/customers/{customer.pk}/"))
    section = body[body.index('data-section="tickets"') :]
    assert "<h3>工单</h3>" in section and ticket.number in section
    assert hidden.number not in body  # scoped to the viewer
    assert f"/tickets/new/?customer={customer.code}" in section
    supervisor = html(client_for(org["supervisor"].user).get(f"/customers/{customer.pk}/"))
    assert ticket.number in supervisor and hidden.number in supervisor


def test_global_search_finds_tickets_by_number_phone_order_and_tracking(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(
        org["agent_a1"], contact_phone="13812345678", order_no="TB777", tracking_no="YT888"
    )
    client = client_for(org["agent_a1"].user)
    for q in (ticket.number.lower(), "13812345678", "5678", "TB777", "YT888"):
        body = html(client.get("/search/", {"q": q}))
        assert f"/tickets/{ticket.pk}/" in body, q
    assert f"/tickets/{ticket.pk}/" not in html(
        client_for(org["agent_b1"].user).get("/search/", {"q": ticket.number})
    )


def test_garbage_posts_never_answer_500_and_change_nothing(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(org["agent_a1"])
    client = client_for(org["agent_a1"].user)
    before = state()
    garbage = {
        "channel": "<script>",
        "kind": "x" * 300,
        "subkind": "\x00",
        "customer": "\x00" * 50,
        "title": "王" * 500,
        "priority": "-1",
        "purchase_date": "2026-13-45",
        "tags": " ".join(f"t{i}" for i in range(50)),
    }
    # NUL characters are refused before any view (kefu.core.middleware.NulByteMiddleware) …
    assert client.post(NEW, garbage).status_code == 400
    # … and the rest of the garbage reaches the form, which answers with its errors.
    without_nul = {k: v for k, v in garbage.items() if "\x00" not in v}
    assert client.post(NEW, without_nul).status_code == 200
    quick = {"quick-phone": "\x00", "quick-kind": "?", "quick-subkind": "x", "quick-title": ""}
    assert client.post("/workbench/quick/", quick, headers=HTMX).status_code == 400
    quick["quick-phone"] = "电话"
    assert client.post("/workbench/quick/", quick, headers=HTMX).status_code == 200
    assert client.post("/workbench/quick/", quick).status_code == 422
    for action in ("reply", "transfer", "reassign", "follow_up", "submit_fault_report"):
        data = {
            f"{action}-note": "王" * 6000,
            f"{action}-via": "fax",
            f"{action}-target": "'; drop table",
            f"{action}-target_department": "99999999999999999999999",
            f"{action}-satisfied": "maybe",
            f"{action}-reason": "x" * 600,
        }
        response = client.post(act_url(ticket, action), data)
        assert response.status_code == 422, action
    assert client.post(f"/tickets/{ticket.pk}/notes/", {"body": "王" * 6000}).status_code == 422
    assert (
        client.post(f"/tickets/{ticket.pk}/attachments/", {"file": "not a file"}).status_code == 422
    )
    assert state() == before


def test_edit_details_keeps_input_on_errors_and_saves(org: dict[str, Any], client_for: Any) -> None:
    ticket = make_ticket(org["agent_a1"], order_no="TB1")
    client = client_for(org["agent_a1"].user)
    url = f"/tickets/{ticket.pk}/edit/"
    body = html(client.get(url))
    assert 'value="TB1"' in body and 'name="kind"' not in body and 'name="customer"' not in body
    before = state()
    data = {"title": "改过的标题", "priority": "urgent", "contact_phone": "12", "order_no": "TB2"}
    body = html(client.post(url, data))
    assert "电话格式不正确" in body and 'value="TB2"' in body and 'value="改过的标题"' in body
    assert state() == before
    data["contact_phone"] = "13812345678"
    data["tags"] = "加急"
    assert client.post(url, data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.title, ticket.priority, ticket.order_no) == ("改过的标题", "urgent", "TB2")
    assert list(ticket.tags.values_list("name", flat=True)) == ["加急"]
    assert "修改工单信息" in html(client.get(f"/tickets/{ticket.pk}/"))
    assert client_for(org["agent_b1"].user).post(url, data).status_code == 404


def test_a_ticket_waiting_for_a_transfer_shows_its_target(
    org: dict[str, Any], client_for: Any
) -> None:
    # Regression: the page answered 500 for a transfer to a person (no pending department).
    agent, other = org["agent_a1"], org["agent_b1"]
    to_person = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=to_person, action="transfer", target=other, reason="售后")
    to_department = make_ticket(agent)
    ticket_act(
        actor=agent.user,
        ticket=to_department,
        action="transfer",
        target_department=org["cs_sub"],
        reason="需技术支持",
    )
    client = client_for(agent.user)
    page = client.get(f"/tickets/{to_person.pk}/")
    assert page.status_code == 200 and other.name in page.content.decode()
    page = client.get(f"/tickets/{to_department.pk}/")
    assert page.status_code == 200 and org["cs_sub"].name in page.content.decode()
