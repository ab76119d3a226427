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
    ]


@pytest.mark.parametrize("who", ["agent_a1", "supervisor", "hr", "sysadmin", "warehouse"])
def test_no_page_or_endpoint_answers_500_to_garbage(client_for, org, who):
    client = client_for(org[who].user)
    failures = []
    for url in _urls(org):
        for params in (GARBAGE, {}):
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append((url, bool(params), response.status_code))
    assert failures == []


def test_anonymous_is_sent_to_login_or_refused_never_500(client, org):
    for url in _urls(org):
        response = client.get(url, GARBAGE)
        assert response.status_code in {302, 401, 403, 404}, url
