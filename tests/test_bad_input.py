"""Bad input never produces a 500 (DEVELOPERS.md): every page and GET endpoint, garbage parameters."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GARBAGE = {
    "q": "' OR 1=1 --" + "王" * 80,
    "page": "-3",
    "page_size": "abc",
    "department": "x",
    "team": "9999999999999999999999",
    "position": "1.5",
    "status": "<script>",
    "year": "99999",
    "on": "2026-13-45",
    "phone": "++--",
    "grade": "nope",
    "region": "%",
    "customer_type": "?",
    "department_id": "NaN",
    "team_id": "9" * 25,
    "position_id": "99999999999999999999",
    "for": "form",
    "superior_no": "\x00",
    # 工单列表 filters and pickers
    "kind": "?",
    "channel": "<b>",
    "priority": "99",
    "owner": "'" * 40,
    "from": "2026-02-30",
    "to": "0000-01-01",
    "open": "yes",
    "overdue": "2",
    "major_fault": "[]",
    "customer": "-1",
    "field": "transfer-target",
    "transfer-target": "\x00" * 3,
    "quick-kind": "after_sales",
    # 投诉 filters
    "month": "2026-13",
    "ground": "weather",
    "route": "\x00",
    "accepted": "maybe",
    "open_only": "[]",
    "ticket": "-1",
    "service": "x",
    # 工单: 服务方式 / 仅小红旗 (TKT-8, TKT-9)
    "service_mode": "<x>",
    "red_flag": "maybe",
}


def _urls(org):
    agent = org["agent_a1"]
    return [
        "/dashboard/",
        "/search/",
        "/notifications/",
        "/settings/tokens/",
        "/settings/audit/",
        "/settings/policies/",
        "/settings/calendar/",
        "/org/chart/",
        "/org/employees/",
        "/org/employees/new/",
        f"/org/employees/{agent.pk}/",
        f"/org/employees/{agent.pk}/edit/",
        f"/org/employees/{agent.pk}/leave/",
        "/org/employees/99999999/",
        "/org/employees/export/",
        "/org/employees/import/",
        reverse("org:team_options"),
        reverse("org:superior_options"),
        "/customers/",
        "/customers/99999999/",
        "/jobs/99999999/",
        "/api/v1/me",
        "/api/v1/org/employees",
        "/api/v1/org/employees/99999999",
        "/api/v1/org/departments",
        "/api/v1/org/teams",
        "/api/v1/customers",
        "/api/v1/customers/99999999",
        "/api/v1/policies/sla",
        "/api/v1/policies/unknown",
        "/api/v1/tokens",
        "/api/v1/tickets",
        "/api/v1/tickets/99999999",
        "/api/v1/tickets/99999999/attachments/99999999",
        "/tickets/",
        "/tickets/new/",
        "/tickets/export/",
        "/tickets/99999999/",
        "/tickets/99999999/attachments/99999999/",
        reverse("tickets:subkind_options"),
        reverse("tickets:customer_options"),
        reverse("tickets:employee_options"),
        "/workbench/",
        "/workbench/lists/",
        "/api/v1/complaints",
        "/api/v1/complaints/99999999",
        "/api/v1/complaints/stats",
        "/api/v1/complaints/findings",
        "/complaints/",
        "/complaints/overdue/",
        "/complaints/new/",
        "/complaints/stats/",
        "/complaints/stats/export/",
        "/complaints/findings/",
        "/complaints/99999999/",
        "/complaints/99999999/card/",
        "/complaints/99999999/card.pdf",
        "/complaints/99999999/report/",
        "/complaints/99999999/report.pdf",
    ]


WITHOUT_NUL = {k: v for k, v in GARBAGE.items() if "\x00" not in v}


@pytest.mark.parametrize("who", ["agent_a1", "supervisor", "hr", "sysadmin", "warehouse"])
def test_no_page_or_endpoint_answers_500_to_garbage(client_for, org, who):
    client = client_for(org[who].user)
    failures = []
    for url in _urls(org):
        for params in (GARBAGE, WITHOUT_NUL, {}):
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append((url, len(params), response.status_code))
            if params is GARBAGE:
                # NUL characters are refused up front (kefu.core.middleware.NulByteMiddleware);
                # WITHOUT_NUL makes the rest of the garbage reach every view.
                assert response.status_code == 400, url
    assert failures == []


def test_anonymous_is_sent_to_login_or_refused_never_500(client, org):
    for url in _urls(org):
        response = client.get(url, GARBAGE)
        assert response.status_code in {302, 400, 401, 403, 404}, url
