"""Bad input never produces a 500 (DEVELOPERS.md): every page and GET endpoint, garbage parameters.

The URLs are the hand-picked list below (real objects, pickers) plus every route the URL
configuration holds, walked automatically so a new page or endpoint is swept without being
listed: path parameters become a number that matches nothing.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
    # 售后 · 退换货 · 回访 · 满意度 filters (AS, CRM)
    "case_type": "<x>",
    "stage": "\x00",
    "age": "old",
    "breach": "maybe",
    "breached": "2",
    "technician": "x",
    "clock": "?",
    "serial": "'" * 70,
    "order_no": "%%",
    "installation": "-5",
    "product": "1e9",
    "outcome": "<x>",
    "tab": "../../etc",
    "week": "2026-W99",
    "questionnaire": "abc",
    "version": "-1",
    "date_from": "2026-02-30",
    "date_to": "x",
    "assignee": "NaN",
    "visitor": "[]",
    "kind_filter": "?",
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


# Routes the walk leaves out: they change state on GET by design (logout, language) or belong to
# Django itself (admin, static files).
_SKIP = re.compile(r"^/(admin|i18n|static|media)/|logout|__debug__")


def _route_urls():
    """Every route of the URL configuration, each path parameter filled with 99999999, which
    matches no object (and is a valid number, a valid word and a valid token alike)."""

    def fill(pattern):
        text = str(pattern.pattern)
        text = re.sub(r"<(\w+:)?\w+>", "99999999", text)
        return text.lstrip("^").rstrip("$").replace("\\", "")

    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + fill(entry))
            elif isinstance(entry, URLPattern):
                url = "/" + (prefix + fill(entry)).lstrip("/")
                if "(" not in url and "?" not in url and not _SKIP.search(url):
                    found.append(url)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_route_walk_finds_the_modules_pages_and_endpoints():
    urls = _route_urls()
    for expected in (
        "/tickets/",
        "/complaints/99999999/",
        "/api/v1/tickets",
        "/aftersales/repairs/",
        "/returns/",
        "/visits/",
        "/surveys/stats/",
    ):
        assert expected in urls, expected


WITHOUT_NUL = {k: v for k, v in GARBAGE.items() if "\x00" not in v}


@pytest.mark.parametrize("who", ["agent_a1", "supervisor", "hr", "sysadmin", "warehouse"])
def test_no_page_or_endpoint_answers_500_to_garbage(client_for, org, who):
    client = client_for(org[who].user)
    failures = []
    for url in _urls(org) + _route_urls():
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
    for url in _urls(org) + _route_urls():
        response = client.get(url, GARBAGE)
        assert response.status_code in {302, 400, 401, 403, 404}, url
