"""Pages: what each role sees and may do, refusals change nothing, bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.attendance import services
from kefu.attendance.choices import CorrectionStatus
from kefu.attendance.models import (
    AttendanceDay,
    AttendanceReportSubmission,
    ClockCorrection,
    ClockEvent,
)
from kefu.core.models import AuditEvent, BackgroundJob

from .conftest import TODAY
from .factories import local

pytestmark = pytest.mark.django_db
D16, D17 = dt.date(2026, 3, 16), dt.date(2026, 3, 17)


def body(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def month(org, roster, frozen) -> None:
    """March classified up to today; agent_a1 late on the 16th, agent_a2 clocked in today."""
    services.clock_punch(actor=org["agent_a1"].user, now=local(D16, 8, 47))
    services.clock_punch(actor=org["agent_a1"].user, now=local(D16, 17, 35))
    services.clock_punch(actor=org["agent_a2"].user, now=local(TODAY, 8, 20))
    services.classify_range(start=dt.date(2026, 3, 1), end=TODAY)


def test_agent_sees_own_month_and_clocks(org, month, client_for) -> None:
    client = client_for(org["agent_a1"].user)
    page = body(client.get("/attendance/"))
    assert 'data-testid="attendance-calendar"' in page and 'data-testid="clock-button"' in page
    assert "迟到" in page and "班组/部门考勤" not in page  # no team tab for an agent
    assert 'data-status="late"' in page and "迟到17分" in page  # the 16th
    # the team list is not theirs: ?view=team falls back to their own month
    assert 'data-testid="attendance-calendar"' in body(client.get("/attendance/?view=team"))
    response = client.post("/attendance/clock/", HTTP_HX_REQUEST="true")
    text = body(response)
    assert "上班打卡成功：10:00:00" in text  # the server's time
    again = body(client.post("/attendance/clock/", HTTP_HX_REQUEST="true"))
    assert "已于 10:00:00 打过上班卡，请勿重复打卡" in again
    assert ClockEvent.objects.filter(employee=org["agent_a1"], at__date=TODAY).count() == 1
    # without htmx: redirect back with a message
    assert client.post("/attendance/clock/").status_code == 302
    widget = body(client.get("/attendance/clock/widget/"))
    assert 'id="clock-panel"' in widget and "下班打卡" in widget


def test_lead_sees_the_team_list_and_exports(org, month, client_for) -> None:
    client = client_for(org["lead_a"].user)
    page = body(client.get("/attendance/?view=team&month=2026-03"))
    assert 'data-testid="attendance-table"' in page and "客服甲一" in page
    assert "客服乙一" not in page
    table = body(
        client.get(
            "/attendance/?view=team&month=2026-03&status=late",
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="attendance-table",
        )
    )
    assert "<html" not in table and table.count('data-testid="attendance-row"') == 1
    export = client.get("/attendance/export/?view=team&month=2026-03")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    row = AttendanceDay.objects.get(employee=org["agent_a1"], day=D16)
    detail = body(client.get(f"/attendance/days/{row.pk}/"))
    assert "迟到 17 分钟" in detail and "考勤制度 v1" in detail
    # another team's day is not found
    other = client_for(org["lead_b"].user).get(f"/attendance/days/{row.pk}/")
    assert other.status_code == 404


def test_supervisor_reports_the_month(org, month, client_for) -> None:
    client = client_for(org["supervisor"].user)
    page = body(client.get(f"/attendance/monthly/?department={org['cs'].pk}&month=2026-02"))
    assert "2026-03-25" in page and "尚未报送" in page and 'data-testid="monthly-submit"' in page
    march = body(client.get(f"/attendance/monthly/?department={org['cs'].pk}&month=2026-03"))
    assert 'data-testid="monthly-row"' in march and "本月结束后才能报送" in march
    response = client.post(
        "/attendance/monthly/submit/",
        {"department": org["cs"].pk, "month": "2026-02", "note": "二月无异常"},
    )
    assert response.status_code == 302
    page = body(client.get(response["Location"]))
    assert "陈主管" in page and "按时" in page
    export = client.get(f"/attendance/monthly/export/?department={org['cs'].pk}&month=2026-03")
    assert export.status_code == 200
    assert "attachment" in export["Content-Disposition"]


def test_correction_pages_from_request_to_approval(org, month, client_for) -> None:
    agent = client_for(org["agent_a1"].user)
    form = body(agent.get(f"/attendance/corrections/new/?day={D17}&direction=in"))
    assert 'data-testid="correction-form"' in form and 'value="2026-03-17"' in form
    bad = agent.post(
        "/attendance/corrections/new/",
        {"day": "2026-03-10", "direction": "out", "time": "17:40", "reason": "保留我的原因"},
    )
    text = bad.content.decode()
    assert bad.status_code == 422 and "保留我的原因" in text
    assert "补卡须在2天内申请：2026-03-10的补卡期限已过（截至2026-03-12）" in text
    ok = agent.post(
        "/attendance/corrections/new/",
        {"day": str(D17), "direction": "in", "time": "08:25", "reason": "忘记打上班卡"},
    )
    assert ok.status_code == 302
    c = ClockCorrection.objects.get()
    lead = client_for(org["lead_a"].user)
    inbox = body(lead.get("/org/approvals/"))
    assert f"/attendance/corrections/{c.pk}/" in inbox
    todo = body(lead.get("/attendance/corrections/?tab=todo"))
    assert "忘记打上班卡" in todo
    page = body(lead.get(f"/attendance/corrections/{c.pk}/"))
    assert 'data-testid="correction-decide-form"' in page
    # the applicant sees no decision form, and deciding is refused
    assert 'data-testid="correction-decide-form"' not in body(
        agent.get(f"/attendance/corrections/{c.pk}/")
    )
    assert (
        agent.post(f"/attendance/corrections/{c.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    empty = lead.post(f"/attendance/corrections/{c.pk}/decide/", {"decision": "reject"})
    assert empty.status_code == 422 and "驳回时请填写审批意见" in empty.content.decode()
    done = lead.post(f"/attendance/corrections/{c.pk}/decide/", {"decision": "approve"})
    assert done.status_code == 302
    c.refresh_from_db()
    assert c.status == CorrectionStatus.APPROVED


REFUSED_GETS = [
    "/attendance/",
    "/attendance/export/",
    "/attendance/clock/widget/",
    "/attendance/import/",
    "/attendance/corrections/",
    "/attendance/corrections/new/",
    "/attendance/monthly/",
    "/attendance/monthly/export/",
]


@pytest.mark.parametrize("who", ["warehouse", "sysadmin"])
def test_refused_roles_change_nothing(org, month, client_for, who) -> None:
    client = client_for(org[who].user)
    row = AttendanceDay.objects.first()
    c = services.correction_create(
        actor=org["agent_a1"].user,
        day=D17,
        direction="in",
        at=local(D17, 8, 25),
        reason="忘记",
    )
    counts = (
        ClockEvent.objects.count(),
        ClockCorrection.objects.filter(status=CorrectionStatus.PENDING).count(),
        AttendanceReportSubmission.objects.count(),
        BackgroundJob.objects.count(),
        AuditEvent.objects.count(),
    )
    for url in [*REFUSED_GETS, f"/attendance/days/{row.pk}/", f"/attendance/corrections/{c.pk}/"]:
        assert client.get(url).status_code == 403, url
    posts = {
        "/attendance/clock/": {},
        "/attendance/corrections/new/": {
            "day": str(D16),
            "direction": "in",
            "time": "08:20",
            "reason": "x",
        },
        f"/attendance/corrections/{c.pk}/decide/": {"decision": "approve"},
        f"/attendance/corrections/{c.pk}/cancel/": {},
        "/attendance/monthly/submit/": {"department": org["cs"].pk, "month": "2026-02"},
        "/attendance/recompute/": {"date_from": "2026-03-01", "date_to": "2026-03-18"},
        "/attendance/import/": {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert counts == (
        ClockEvent.objects.count(),
        ClockCorrection.objects.filter(status=CorrectionStatus.PENDING).count(),
        AttendanceReportSubmission.objects.count(),
        BackgroundJob.objects.count(),
        AuditEvent.objects.count(),
    )


def test_agent_is_refused_the_clerks_pages(org, month, client_for) -> None:
    client = client_for(org["agent_a1"].user)
    for url in ("/attendance/import/", "/attendance/monthly/", "/attendance/monthly/export/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/attendance/recompute/", {"date_from": "2026-03-01"}).status_code == 403
    assert client.post("/attendance/monthly/submit/", {}).status_code == 403
    assert not AttendanceReportSubmission.objects.exists()


def test_queries_are_bounded(org, month, client_for, django_assert_max_num_queries) -> None:
    """Constant counts: 36 rows on a page, one query for them (no query per row)."""
    lead = client_for(org["lead_a"].user)
    sup = client_for(org["supervisor"].user)
    agent = client_for(org["agent_a1"].user)
    assert AttendanceDay.objects.count() >= 36
    with django_assert_max_num_queries(17):  # + the shift names of the page's days
        page = body(lead.get("/attendance/?view=team&month=2026-03&page_size=100"))
    assert page.count('data-testid="attendance-row"') >= 36
    with django_assert_max_num_queries(13):
        body(
            lead.get(
                "/attendance/?view=team&month=2026-03",
                HTTP_HX_REQUEST="true",
                HTTP_HX_TARGET="attendance-table",
            )
        )
    with django_assert_max_num_queries(21):  # scope, rows, people, corrections, policy, due
        body(sup.get(f"/attendance/monthly/?department={org['cs'].pk}&month=2026-03"))
    with django_assert_max_num_queries(12):
        body(sup.get("/attendance/corrections/?tab=all"))
    # the calendar, plus the clock panel's roster frame (policy and shifts of three days)
    with django_assert_max_num_queries(31):
        body(agent.get("/attendance/?month=2026-03"))
