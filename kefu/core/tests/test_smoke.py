"""The shell answers: login page, dashboard for a signed-in user, API /me, OpenAPI in sync."""

from pathlib import Path

import pytest

from kefu.core.management.commands.export_openapi import openapi_text

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "客服中心管理系统" in response.content.decode()


def test_dashboard_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_dashboard_shows_real_headcount(client_for, supervisor, org):
    response = client_for(supervisor).get("/dashboard/")
    body = response.content.decode()
    assert response.status_code == 200
    # The supervisor sees 客服部 and its sub-department: 7 people in 客服部 + 4 in 售后服务组.
    assert response.context["active_employees"] == 11
    rows = {row["department__name"]: row["n"] for row in response.context["by_department"]}
    assert rows == {"客服部": 7, "售后服务组": 4}
    assert "各部门在职人数" in body


def test_api_me(client_for, agent):
    response = client_for(agent).get("/api/v1/me")
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "KF011"
    assert data["roles"] == ["agent"]
    assert data["employee"]["phone"] == "138****5678"


def test_committed_openapi_matches_code():
    committed = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
    assert committed.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is stale: run `make openapi` and commit it"
    )
