"""Pages: builder, invitations, the public survey (no login, phone layout), statistics, export,
the customer page section; refused roles change nothing; list query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kefu.surveys import services
from kefu.surveys.models import Invitation, Question, Questionnaire, SurveyResponse

from .factories import answers_for, make_invitation, make_questionnaire

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, ...]:
    return (
        Questionnaire.objects.count(),
        Question.objects.count(),
        Invitation.objects.count(),
        SurveyResponse.objects.count(),
    )


def test_builder_pages(org: dict[str, Any], client_for: Any) -> None:
    c = client_for(org["supervisor"].user)
    assert c.get("/surveys/questionnaires/").status_code == 200
    r = c.post("/surveys/questionnaires/new/", {"name": ""})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    r = c.post("/surveys/questionnaires/new/", {"name": "上门服务问卷"})
    q = Questionnaire.objects.get()
    assert r.status_code == 302
    v = q.versions.get()
    hx = {"HTTP_HX_REQUEST": "true"}
    r = c.post(
        f"/surveys/versions/{v.pk}/questions/",
        {"kind": "rating", "text": "总体满意度", "required": "on", "is_overall": "on"},
        **hx,
    )
    assert r.status_code == 200 and "总体满意度" in r.content.decode()
    c.post(f"/surveys/versions/{v.pk}/questions/", {"kind": "text", "text": "建议"}, **hx)
    r = c.post(
        f"/surveys/versions/{v.pk}/questions/",
        {"kind": "single", "text": "单选", "options": "只有一个"},
        **hx,
    )
    assert "选择题至少要有两个选项" in r.content.decode()
    last = v.questions.get(text="建议")
    c.post(f"/surveys/questions/{last.pk}/move/up/", **hx)
    assert [x.text for x in v.questions.order_by("position")] == ["建议", "总体满意度"]
    page = c.get(f"/surveys/questionnaires/{q.pk}/").content.decode()
    assert 'data-testid="publish"' in page and "确定要发布吗" in page
    c.post(f"/surveys/versions/{v.pk}/publish/")
    v.refresh_from_db()
    assert v.status == "published"
    c.post(f"/surveys/questions/{last.pk}/remove/", **hx)
    assert v.questions.count() == 2  # published: nothing removed
    c.post(f"/surveys/questionnaires/{q.pk}/edit/")
    assert q.versions.count() == 2


def test_builder_pages_refused_to_agent(org: dict[str, Any], client_for: Any) -> None:
    q = make_questionnaire(org["supervisor"].user)
    v = q.versions.get()
    c = client_for(org["agent_a1"].user)
    before = snapshot()
    assert c.get("/surveys/questionnaires/").status_code == 403
    assert c.get(f"/surveys/questionnaires/{q.pk}/").status_code == 403
    assert c.post("/surveys/questionnaires/new/", {"name": "x"}).status_code == 403
    assert (
        c.post(f"/surveys/versions/{v.pk}/questions/", {"kind": "text", "text": "x"}).status_code
        == 403
    )
    assert c.post(f"/surveys/questions/{v.questions.first().pk}/remove/").status_code == 403
    assert c.post(f"/surveys/versions/{v.pk}/publish/").status_code == 403
    assert c.get("/surveys/stats/").status_code == 403
    assert snapshot() == before


def test_invitation_pages_and_phone_entry(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    from kefu.customers.tests.factories import CustomerFactory

    customer = CustomerFactory()
    c = client_for(org["agent_a1"].user)
    assert c.get("/surveys/").status_code == 200
    assert c.get(f"/surveys/new/?customer={customer.pk}").status_code == 200
    r = c.post(
        "/surveys/new/",
        {"customer": "无此客户", "channel": "web", "questionnaire": Questionnaire.objects.get().pk},
    )
    assert "找不到该客户" in r.content.decode()
    r = c.post(
        "/surveys/new/",
        {
            "customer": customer.code,
            "channel": "web",
            "questionnaire": Questionnaire.objects.get().pk,
        },
    )
    inv = Invitation.objects.get()
    assert r.status_code == 302
    page = c.get(f"/surveys/{inv.pk}/").content.decode()
    assert 'data-testid="survey-link"' in page
    assert (
        'data-testid="survey-link"' not in c.get(f"/surveys/{inv.pk}/").content.decode()
    )  # shown once
    qs = list(inv.version.questions.order_by("position"))
    r = c.post(f"/surveys/{inv.pk}/response/", {"channel": "phone", f"q{qs[3].pk}": "留言"})
    assert (
        r.status_code == 422 and "留言" in r.content.decode() and "请选择评分" in r.content.decode()
    )
    r = c.post(
        f"/surveys/{inv.pk}/response/",
        {"channel": "phone", f"q{qs[0].pk}": "5", f"q{qs[1].pk}": "4"},
    )
    assert r.status_code == 302
    assert SurveyResponse.objects.get().channel == "phone"
    assert 'data-testid="survey-answers"' in c.get(f"/surveys/{inv.pk}/").content.decode()


def test_invitation_pages_refused_to_warehouse(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    inv, _ = make_invitation(org["agent_a1"].user)
    c = client_for(org["warehouse"].user)
    before = snapshot()
    assert c.get("/surveys/").status_code == 403
    assert c.get(f"/surveys/{inv.pk}/").status_code == 403
    assert c.post("/surveys/new/", {"customer": inv.customer.code}).status_code == 403
    assert c.post(f"/surveys/{inv.pk}/link/").status_code in (403, 404)
    assert c.post(f"/surveys/{inv.pk}/response/", {}).status_code == 403
    assert c.get("/surveys/campaigns/new/").status_code == 403
    assert snapshot() == before


def test_public_page_without_login_on_a_phone(org: dict[str, Any]) -> None:
    make_questionnaire(org["supervisor"].user)
    inv, raw = make_invitation(org["agent_a1"].user)
    anon = Client()
    r = anon.get(f"/surveys/p/{raw}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert (
        'name="viewport"' in body and 'data-testid="survey-form"' in body and "sidebar" not in body
    )
    qs = list(inv.version.questions.order_by("position"))
    r = anon.post(f"/surveys/p/{raw}/", {f"q{qs[3].pk}": "写了建议"})
    assert r.status_code == 422 and "写了建议" in r.content.decode()
    r = anon.post(
        f"/surveys/p/{raw}/",
        {f"q{qs[0].pk}": "4", f"q{qs[1].pk}": "5", f"q{qs[2].pk}": ["技术安装", "客户培训"]},
    )
    assert r.status_code == 200 and 'data-testid="survey-thanks"' in r.content.decode()
    assert SurveyResponse.objects.get().answers.get(question=qs[2]).choices == [
        "技术安装",
        "客户培训",
    ]
    again = anon.get(f"/surveys/p/{raw}/")
    assert again.status_code == 404 and 'data-testid="survey-closed"' in again.content.decode()
    assert anon.post(f"/surveys/p/{raw}/", {f"q{qs[0].pk}": "1"}).status_code == 404
    assert SurveyResponse.objects.count() == 1
    assert anon.get("/surveys/p/garbage/").status_code == 404


def test_stats_page_and_export(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    c = client_for(org["gm"].user)
    page = c.get("/surveys/stats/").content.decode()
    assert 'data-testid="stats-count">0<' in page
    for overall in (5, 3):
        inv, raw = make_invitation(org["agent_a1"].user, agent=org["agent_a1"])
        services.response_submit_public(token=raw, answers=answers_for(inv, overall=overall))
    page = c.get("/surveys/stats/").content.decode()
    assert 'data-testid="stats-count">2<' in page and 'data-rate="50.0"' in page
    assert (
        'data-testid="target-line"' in page
        and "<script" not in page.split('data-testid="stats-summary"')[1]
    )
    assert (
        c.get("/surveys/stats/?date_from=garbage&channel=nope&questionnaire=x").status_code == 200
    )
    r = c.get("/surveys/stats/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames == ["汇总", "按坐席", "按部门", "按产品", "按月"]
    assert wb["汇总"]["B3"].value == 2


def test_list_query_counts(
    org: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    make_questionnaire(org["supervisor"].user)
    for _ in range(6):
        inv, raw = make_invitation(org["supervisor"].user)
    services.response_submit_public(token=raw, answers=answers_for(inv))
    c = client_for(org["supervisor"].user)
    c.get("/surveys/")
    with django_assert_max_num_queries(15):
        assert c.get("/surveys/").status_code == 200
    with django_assert_max_num_queries(15):
        assert c.get("/surveys/questionnaires/").status_code == 200
    with django_assert_max_num_queries(20):
        assert c.get("/surveys/stats/").status_code == 200


def test_customer_page_section(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    inv, raw = make_invitation(org["agent_a1"].user, agent=org["agent_a1"])
    services.response_submit_public(token=raw, answers=answers_for(inv, overall=4))
    page = client_for(org["supervisor"].user).get(f"/customers/{inv.customer_id}/").content.decode()
    assert 'data-section="surveys"' in page and 'data-testid="customer-surveys"' in page


def test_ticket_close_to_stats_vertical(org: dict[str, Any], client_for: Any) -> None:
    """The lead's browser scenario, through the HTTP client."""
    from kefu.tickets.services import ticket_act
    from kefu.tickets.tests.factories import make_ticket

    make_questionnaire(org["supervisor"].user)
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已处理")
    ticket_act(actor=agent.user, ticket=ticket, action="close")
    inv = Invitation.objects.get(ticket=ticket)
    c = client_for(agent.user)
    assert f'data-ticket="{ticket.number}"' in c.get("/surveys/").content.decode()
    # The ticket page links to the invitation; one click there issues the link, shown once.
    ticket_page = c.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'href="/surveys/{inv.pk}/"' in ticket_page and "满意度调查：待发送" in ticket_page
    assert c.post(f"/surveys/{inv.pk}/link/").status_code == 302
    page = c.get(f"/surveys/{inv.pk}/").content.decode()
    assert 'data-testid="copy-link"' in page
    link = page.split('data-testid="survey-link" href="')[1].split('"')[0]
    path = link.split("testserver")[1]
    inv.refresh_from_db()
    assert inv.token_hash and path.rstrip("/").rsplit("/", 1)[1] not in inv.token_hash
    again = c.get(f"/surveys/{inv.pk}/").content.decode()
    assert 'data-testid="survey-link"' not in again and "重新生成调查链接" in again
    assert "满意度调查：已发送" in c.get(f"/tickets/{ticket.pk}/").content.decode()
    qs = list(inv.version.questions.order_by("position"))
    anon = Client()
    anon.post(path, {f"q{qs[0].pk}": "5", f"q{qs[1].pk}": "5"})
    stats = client_for(org["supervisor"].user).get("/surveys/stats/").content.decode()
    assert 'data-testid="stats-count">1<' in stats and 'data-rate="100.0"' in stats


def test_ticket_page_survey_link_only_for_those_who_may_see_it(
    org: dict[str, Any], client_for: Any
) -> None:
    from kefu.tickets.services import ticket_act
    from kefu.tickets.tests.factories import make_ticket

    make_questionnaire(org["supervisor"].user)
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已处理")
    ticket_act(actor=agent.user, ticket=ticket, action="close")
    inv = Invitation.objects.get(ticket=ticket)
    # Another agent's ticket page (if they may open it) shows no survey link: not their survey.
    other = client_for(org["agent_b1"].user).get(f"/tickets/{ticket.pk}/")
    if other.status_code == 200:
        assert f"/surveys/{inv.pk}/" not in other.content.decode()
    sup = client_for(org["supervisor"].user).get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'href="/surveys/{inv.pk}/"' in sup
    # Someone else may not issue the link of an invitation outside their scope; nothing changes.
    c = client_for(org["agent_b1"].user)
    assert c.post(f"/surveys/{inv.pk}/link/").status_code == 404
    inv.refresh_from_db()
    assert inv.token_hash is None


def test_campaign_page_runs_a_job_with_progress(org: dict[str, Any], client_for: Any) -> None:
    from django.urls import resolve

    from kefu.core.models import BackgroundJob, Notification
    from kefu.customers.tests.factories import CustomerFactory

    q = make_questionnaire(org["supervisor"].user)
    customers = [CustomerFactory(grade="vip") for _ in range(3)]
    c = client_for(org["supervisor"].user)
    assert c.get("/surveys/campaigns/new/").status_code == 200
    r = c.post(
        "/surveys/campaigns/new/",
        {"name": "六月集中调查", "channel": "phone", "questionnaire": q.pk, "grades": ["vip"]},
    )
    assert r.status_code == 302, r.content.decode()[:300]
    assert resolve(r.url).url_name == "job_detail"
    page = c.get(r.url).content.decode()
    assert 'data-testid="campaign-result"' in page and 'data-status="succeeded"' in page
    assert 'data-testid="campaign-total">3<' in page
    job = BackgroundJob.objects.get()
    assert f"/surveys/?campaign={job.result['campaign_id']}" in page
    assert Invitation.objects.filter(customer__in=customers, source="campaign").count() == 3
    assert Notification.objects.filter(recipient=org["supervisor"].user, link=r.url).exists()
    listing = c.get("/surveys/campaigns/").content.decode()
    assert (
        'data-testid="campaign-job"' in listing and 'data-testid="campaign-invitations"' in listing
    )
    filtered = c.get(f"/surveys/?campaign={job.result['campaign_id']}")
    assert filtered.status_code == 200 and filtered.context["page"].paginator.count == 3
    # Bad input keeps what was typed and creates nothing.
    r = c.post("/surveys/campaigns/new/", {"name": "", "channel": "pigeon"})
    assert r.status_code == 200 and BackgroundJob.objects.count() == 1
