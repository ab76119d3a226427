"""Garbage query parameters on every visits page and GET endpoint never give a 500."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

GARBAGE = {
    "q": "' OR 1=1 --" + "王" * 80,
    "page": "-3",
    "page_size": "abc",
    "view": "<x>",
    "source": "?",
    "outcome": "\x00",
    "assignee": "9" * 25,
    "customer": "-1",
    "from": "2026-02-30",
    "to": "0000-01-01",
    "date_from": "x",
    "week": "2026-W99",
    "year": "99999",
    "status": "<script>",
    "state": "[]",
    "department": "1.5",
    "next": "//evil.example",
}
URLS = [
    "/visits/",
    "/visits/export/",
    "/visits/99999999/",
    "/visits/99999999/print/",
    "/visits/99999999/pdf/",
    "/visits/actions/",
    "/visits/actions/export/",
    "/visits/weekly/",
    "/visits/weekly/export/",
    "/visits/rate/",
    "/visits/care/",
    "/visits/care/99999999/",
    "/api/v1/visits/tasks",
    "/api/v1/visits/tasks/99999999",
    "/api/v1/visits/reports/weekly",
    "/api/v1/visits/reports/rate",
    "/api/v1/visits/care/tasks",
]


def test_garbage_never_500(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["manager"].user)
    for url in URLS:
        response = client.get(url, GARBAGE)
        assert response.status_code < 500, url
        for q in ("HF99999999999999999999999", "HF²³", "hf0"):
            response = client.get(url, {"q": q})
            assert response.status_code < 500, url
