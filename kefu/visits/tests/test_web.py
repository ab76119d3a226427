"""Pages and API: what each role may open and do, refusals change nothing, bounded queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from kefu.customers.tests.factories import CustomerFactory
from kefu.visits.models import CareTask, VisitTask
from kefu.visits.services import generate_visit_plans

from .factories import make_installation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(org: dict[str, Any]) -> list[VisitTask]:
    today = timezone.localdate()
    for i in range(5):
        make_installation(acceptance=today - dt.timedelta(days=30 + i), department=org["cs_sub"])
    generate_visit_plans(on=today)
    # One due today, one overdue, for the tabs.
    rows = list(VisitTask.objects.order_by("id"))
    VisitTask.objects.filter(pk=rows[0].pk).update(due_date=today)
    VisitTask.objects.filter(pk=rows[1].pk).update(due_date=today - dt.timedelta(days=2))
    return rows


PAGES = ["/visits/", "/visits/?view=overdue", "/visits/?view=done", "/visits/export/"]
REPORT_PAGES = ["/visits/weekly/", "/visits/weekly/export/", "/visits/rate/"]


def test_visitor_sees_own_tasks_and_records(org, tasks, client_for) -> None:
    client = client_for(org["visitor"].user)
    page = client.get("/visits/?view=today")
    assert page.status_code == 200 and 'data-testid="visit-row"' in page.content.decode()
    assert client.get("/visits/?view=overdue").status_code == 200
    task = tasks[0]
    detail = client.get(f"/visits/{task.pk}/")
    assert 'data-testid="visit-record-form"' in detail.content.decode()
    bad = client.post(f"/visits/{task.pk}/record/", {"outcome": "problem", "notes": "保留我"})
    assert bad.status_code == 422 and "保留我" in bad.content.decode()
    ok = client.post(f"/visits/{task.pk}/record/", {"outcome": "satisfied", "notes": "满意"})
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "satisfied"
    # reports and reassignment are not theirs
    for url in REPORT_PAGES:
        assert client.get(url).status_code == 403
    other = tasks[2]
    r = client.post(f"/visits/{other.pk}/reassign/", {"assignee": org["visitor"].pk})
    assert r.status_code == 403


def test_visitor_does_not_see_others_tasks(org, tasks, client_for) -> None:
    VisitTask.objects.filter(pk=tasks[0].pk).update(assignee=None)
    client = client_for(org["visitor"].user)
    assert client.get(f"/visits/{tasks[0].pk}/").status_code == 404
    r = client.post(f"/visits/{tasks[0].pk}/record/", {"outcome": "satisfied"})
    assert r.status_code == 404
    assert VisitTask.objects.get(pk=tasks[0].pk).status == "planned"


@pytest.mark.parametrize("who", ["agent_a1", "warehouse", "hr"])
def test_refused_roles_change_nothing(org, tasks, client_for, who) -> None:
    client = client_for(org[who].user)
    for url in [*PAGES, *REPORT_PAGES, "/visits/care/", f"/visits/{tasks[0].pk}/"]:
        assert client.get(url).status_code == 403, url
    before = list(VisitTask.objects.order_by("id").values_list("status", "assignee_id", "outcome"))
    assert (
        client.post(f"/visits/{tasks[0].pk}/record/", {"outcome": "satisfied"}).status_code == 403
    )
    assert (
        client.post(f"/visits/{tasks[0].pk}/reassign/", {"assignee": org["visitor"].pk}).status_code
        == 403
    )
    assert client.post("/visits/plans/generate/").status_code == 403
    assert client.post("/visits/care/generate/", {"year": "2026"}).status_code == 403
    assert client.get("/api/v1/visits/tasks").status_code == 403
    r = client.post(
        f"/api/v1/visits/tasks/{tasks[0].pk}/outcome",
        json.dumps({"outcome": "satisfied"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert client.post("/api/v1/visits/plans/regenerate").status_code == 403
    assert client.get("/api/v1/visits/reports/weekly").status_code == 403
    assert client.get("/api/v1/visits/care/tasks").status_code == 403
    after = list(VisitTask.objects.order_by("id").values_list("status", "assignee_id", "outcome"))
    assert before == after and CareTask.objects.count() == 0


def test_supervisor_pages_reports_and_reassign(org, tasks, client_for) -> None:
    client = client_for(org["supervisor"].user)
    for url in [
        *PAGES,
        *REPORT_PAGES,
        "/visits/care/",
        "/visits/weekly/?week=2026-W10",
        "/visits/rate/?year=x",
    ]:
        assert client.get(url).status_code == 200, url
    # rows[0] was moved to today by the fixture: this week holds it.
    weekly = client.get(f"/visits/weekly/?week={timezone.localdate():%Y-%m-%d}")
    assert "售后服务组" in weekly.content.decode()
    r = client.post(f"/visits/{tasks[2].pk}/reassign/", {"assignee": org["agent_a1"].pk})
    assert r.status_code == 422
    r = client.post("/visits/plans/generate/")
    assert r.status_code == 302  # immediate backend in tests: generated already
    gm = client_for(org["gm"].user)
    assert gm.get("/visits/weekly/").status_code == 200 and gm.get("/visits/").status_code == 403


def test_list_queries_bounded(org, tasks, client_for, django_assert_max_num_queries) -> None:
    client = client_for(org["supervisor"].user)
    client.get("/visits/?view=planned")
    with django_assert_max_num_queries(14):
        assert client.get("/visits/?view=planned&page_size=100").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/visits/tasks?view=planned&page_size=100").status_code == 200


def test_api_flow(org, tasks, client_for) -> None:
    client = client_for(org["visitor"].user)
    listing = client.get("/api/v1/visits/tasks?view=planned").json()
    assert listing["count"] == len(tasks)
    pk = tasks[3].pk
    r = client.post(
        f"/api/v1/visits/tasks/{pk}/outcome",
        json.dumps({"outcome": "nope"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "visit_invalid"
    r = client.post(
        f"/api/v1/visits/tasks/{pk}/outcome",
        json.dumps({"outcome": "no_answer"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert VisitTask.objects.filter(parent_id=pk).count() == 1
    r = client.post(
        f"/api/v1/visits/tasks/{pk}/outcome",
        json.dumps({"outcome": "satisfied"}),
        content_type="application/json",
    )
    assert r.status_code == 409
    sup = client_for(org["supervisor"].user)
    r = sup.post(
        f"/api/v1/visits/tasks/{tasks[4].pk}/reassign",
        json.dumps({"assignee_id": org["visitor"].pk}),
        content_type="application/json",
    )
    assert r.status_code == 200
    assert sup.post("/api/v1/visits/plans/regenerate").status_code == 202
    assert sup.get("/api/v1/visits/reports/weekly?week=bad").status_code == 200
    rate = sup.get("/api/v1/visits/reports/rate?year=abc").json()
    assert len(rate["rows"]) == 12 and rate["target"] == 100


def test_care_pages_and_api(org, client_for) -> None:
    CustomerFactory(grade="key")
    sup = client_for(org["supervisor"].user)
    assert sup.post("/visits/care/generate/", {"year": "2026"}).status_code == 302
    task = CareTask.objects.get()
    visitor = client_for(org["visitor"].user)
    assert visitor.post("/visits/care/generate/", {"year": "2026"}).status_code == 403
    bad = visitor.post(f"/visits/care/{task.pk}/", {"gift_sent_on": "", "demand": "保留"})
    assert bad.status_code == 422 and "保留" in bad.content.decode()
    ok = visitor.post(
        f"/visits/care/{task.pk}/", {"gift_sent_on": "2026-01-02", "demand": "明年扩容"}
    )
    assert ok.status_code == 302
    listing = sup.get("/api/v1/visits/care/tasks?year=2026").json()
    assert listing["items"][0]["status"] == "done"
    r = sup.post(
        "/api/v1/visits/care/campaign", json.dumps({"year": 2026}), content_type="application/json"
    )
    assert r.json() == {"plans": 0, "tasks": 0}
    gm = client_for(org["gm"].user)
    assert gm.get("/visits/care/").status_code == 200
    assert (
        gm.post(
            f"/visits/care/{task.pk}/", {"gift_sent_on": "2026-01-02", "demand": "x"}
        ).status_code
        == 403
    )


def test_customer_page_section_and_ticket_close_visible(org, client_for) -> None:
    from kefu.tickets.services import ticket_act
    from kefu.tickets.tests.factories import make_ticket

    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    for action in ("accept", "resolve", "close"):
        ticket = ticket_act(actor=agent.user, ticket=ticket, action=action, note="已处理")
    task = VisitTask.objects.get(ticket=ticket)
    sup = client_for(org["supervisor"].user)
    page = sup.get(f"/customers/{ticket.customer_id}/").content.decode()
    assert 'data-testid="customer-visits"' in page and task.receipt_no in page
    listing = client_for(org["visitor"].user).get("/visits/?view=planned").content.decode()
    assert task.receipt_no in listing
