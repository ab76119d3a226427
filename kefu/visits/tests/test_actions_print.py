"""纠正措施 list (filters, close from the list, export, refusals, bounded queries) and the printed
回访单 (A4 page + PDF, only recorded visits, only for who may see them)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from kefu.visits.choices import ActionStatus, TaskStatus
from kefu.visits.models import CorrectiveAction, VisitTask
from kefu.visits.services import corrective_action_close, generate_visit_plans, visit_record

from .factories import make_installation

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "action-table"}


@pytest.fixture
def visits(org: dict[str, Any]) -> dict[str, Any]:
    """Three recorded visits: one problem → open action (overdue), one → closed action, one satisfied."""
    today = timezone.localdate()
    for i in range(3):
        make_installation(acceptance=today - dt.timedelta(days=20 + i))
    generate_visit_plans(on=today)
    t1, t2, t3 = list(VisitTask.objects.order_by("id")[:3])
    user = org["visitor"].user
    visit_record(
        actor=user,
        task=t1,
        outcome="problem",
        notes="客户反映滤网异响",
        follow_up="corrective",
        problem="安装支架松动，需上门加固",
        action_department=org["cs_sub"].pk,
        action_due=today - dt.timedelta(days=1),
    )
    visit_record(
        actor=user,
        task=t2,
        outcome="problem",
        follow_up="corrective",
        problem="说明书缺页",
        action_department=org["hq"].pk,
    )
    closed = CorrectiveAction.objects.get(visit=t2)
    corrective_action_close(actor=org["supervisor"].user, action=closed, result="已补寄说明书")
    visit_record(actor=user, task=t3, outcome="satisfied", notes="很满意")
    return {
        "open": CorrectiveAction.objects.get(visit=t1),
        "closed": closed,
        "t1": t1,
        "t3": t3,
        "planned": VisitTask.objects.filter(status=TaskStatus.PLANNED).first(),
    }


def test_supervisor_lists_filters_and_exports_actions(
    org: dict[str, Any], visits: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(org["supervisor"].user)
    with django_assert_max_num_queries(15):  # constant: rows come with select_related
        page = client.get("/visits/actions/").content.decode()
    assert visits["t1"].receipt_no in page and "action-overdue" in page
    assert visits["closed"].visit.receipt_no not in page  # default: 整改中 only
    assert 'data-testid="action-close"' in page
    closed = client.get("/visits/actions/", {"state": "closed"}).content.decode()
    assert "已补寄说明书" in closed and visits["t1"].receipt_no not in closed
    overdue = client.get("/visits/actions/", {"state": "overdue"}).content.decode()
    assert visits["t1"].receipt_no in overdue
    by_dept = client.get("/visits/actions/", {"state": "all", "department": org["hq"].pk})
    assert visits["closed"].visit.receipt_no in by_dept.content.decode()
    assert visits["t1"].receipt_no not in by_dept.content.decode()
    found = client.get("/visits/actions/", {"state": "all", "q": visits["t1"].receipt_no})
    assert found.content.decode().count('data-testid="action-row"') == 1
    none = client.get("/visits/actions/", {"q": "不存在的问题"}).content.decode()
    assert "没有符合条件的纠正措施" in none
    partial = client.get("/visits/actions/", {"state": "all"}, **HTMX).content.decode()
    assert "<html" not in partial and partial.count('data-testid="action-row"') == 2
    export = client.get("/visits/actions/export/", {"state": "all"})
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_close_from_the_list_returns_to_it(
    org: dict[str, Any], visits: dict[str, Any], client_for: Any
) -> None:
    client = client_for(org["supervisor"].user)
    action = visits["open"]
    back = "/visits/actions/?state=open&q=%E6%94%AF%E6%9E%B6"
    r = client.post(
        f"/visits/actions/{action.pk}/close/?next={quote(back)}", {"result": "已上门加固"}
    )
    assert r.status_code == 302 and r["Location"] == back
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED and action.result == "已上门加固"
    # Someone else's site is never a destination.
    other = CorrectiveAction.objects.create(
        visit=visits["t3"], description="复查", created_by=org["visitor"]
    )
    r = client.post(
        f"/visits/actions/{other.pk}/close/?next=https://evil.example/", {"result": "好"}
    )
    assert r.status_code == 302 and r["Location"] == f"/visits/{visits['t3'].pk}/"


def test_action_list_refusals_change_nothing(
    org: dict[str, Any], visits: dict[str, Any], client_for: Any
) -> None:
    for who in ("visitor", "agent_a1", "gm"):
        client = client_for(org[who].user)
        assert client.get("/visits/actions/").status_code == 403, who
        assert client.get("/visits/actions/export/").status_code == 403, who
        r = client.post(f"/visits/actions/{visits['open'].pk}/close/", {"result": "x"})
        assert r.status_code == 403, who
    visits["open"].refresh_from_db()
    assert visits["open"].status == ActionStatus.OPEN
    # 组长 read everything but may not close.
    lead = client_for(org["lead_a"].user)
    page = lead.get("/visits/actions/").content.decode()
    assert visits["t1"].receipt_no in page and 'data-testid="action-close"' not in page


def test_print_and_pdf_of_a_recorded_visit(
    org: dict[str, Any], visits: dict[str, Any], client_for: Any
) -> None:
    task = visits["t1"]
    client = client_for(org["supervisor"].user)
    page = client.get(f"/visits/{task.pk}/print/").content.decode()
    assert task.receipt_no in page and "客户反映滤网异响" in page
    assert "安装支架松动" in page and "回访员签字" in page
    pdf = client.get(f"/visits/{task.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    detail = client.get(f"/visits/{task.pk}/").content.decode()
    assert f"/visits/{task.pk}/print/" in detail
    # The 回访员 prints their own receipt too.
    assert client_for(org["visitor"].user).get(f"/visits/{task.pk}/print/").status_code == 200


def test_print_refusals(org: dict[str, Any], visits: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["supervisor"].user)
    planned = visits["planned"]
    assert client.get(f"/visits/{planned.pk}/print/").status_code == 404
    assert client.get(f"/visits/{planned.pk}/pdf/").status_code == 404
    assert (
        f"/visits/{planned.pk}/print/" not in client.get(f"/visits/{planned.pk}/").content.decode()
    )
    assert client.get("/visits/99999999/print/").status_code == 404
    agent = client_for(org["agent_a1"].user)
    assert agent.get(f"/visits/{visits['t1'].pk}/print/").status_code == 403
    assert agent.get(f"/visits/{visits['t1'].pk}/pdf/").status_code == 403
