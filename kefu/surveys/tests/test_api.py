"""API: questionnaires, invitations, responses, statistics, the public endpoint (no auth);
permissions per endpoint (refused role, nothing changed); query counts on lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kefu.customers.tests.factories import CustomerFactory
from kefu.surveys.models import Invitation, Question, Questionnaire, SurveyResponse

from .factories import answers_for, make_invitation, make_questionnaire

pytestmark = pytest.mark.django_db
API = "/api/v1/surveys"


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def snapshot() -> tuple[int, ...]:
    return (
        Questionnaire.objects.count(),
        Question.objects.count(),
        Invitation.objects.count(),
        SurveyResponse.objects.count(),
    )


def test_builder_flow(org: dict[str, Any], client_for: Any) -> None:
    c = client_for(org["supervisor"].user)
    r = post(c, f"{API}/questionnaires", {"name": "售后满意度"})
    assert r.status_code == 201, r.content
    qid, vid = r.json()["id"], r.json()["versions"][0]["id"]
    r = post(
        c,
        f"{API}/versions/{vid}/questions",
        {"kind": "rating", "text": "总体满意度", "is_overall": True},
    )
    assert r.status_code == 201
    assert (
        post(
            c, f"{API}/versions/{vid}/questions", {"kind": "single", "text": "x", "options": ["a"]}
        ).status_code
        == 422
    )
    r = post(c, f"{API}/versions/{vid}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = post(c, f"{API}/versions/{vid}/questions", {"kind": "text", "text": "建议"})
    assert r.status_code == 409 and r.json()["code"] == "survey_version_published"
    r = post(c, f"{API}/questionnaires/{qid}/draft")
    assert r.status_code == 200 and r.json()["number"] == 2
    detail = c.get(f"{API}/questionnaires/{qid}").json()
    assert detail["published_version"] == vid and detail["draft_version"] == r.json()["id"]


def test_builder_refused_to_agent(org: dict[str, Any], client_for: Any) -> None:
    q = make_questionnaire(org["supervisor"].user)
    v = q.versions.get()
    c = client_for(org["agent_a1"].user)
    before = snapshot()
    assert c.get(f"{API}/questionnaires").status_code == 403
    assert post(c, f"{API}/questionnaires", {"name": "x"}).status_code == 403
    assert post(c, f"{API}/questionnaires/{q.pk}/draft").status_code == 404
    assert (
        post(c, f"{API}/versions/{v.pk}/questions", {"kind": "text", "text": "x"}).status_code
        == 403
    )
    assert post(c, f"{API}/versions/{v.pk}/publish").status_code == 403
    assert snapshot() == before


def test_invitation_and_public_submit_without_login(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    customer = CustomerFactory()
    c = client_for(org["agent_a1"].user)
    r = post(c, f"{API}/invitations", {"customer_id": customer.pk, "channel": "web"})
    assert r.status_code == 201, r.content
    link = r.json()["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    anon = Client(enforce_csrf_checks=True)
    survey = anon.get(f"{API}/public/{token}")
    assert survey.status_code == 200
    qs = survey.json()["questions"]
    body = {
        "answers": [
            {"question_id": qs[0]["id"], "rating": 5},
            {"question_id": qs[1]["id"], "rating": 4},
        ]
    }
    r = post(anon, f"{API}/public/{token}", body)
    assert r.status_code == 201, r.content
    again = post(anon, f"{API}/public/{token}", body)
    assert again.status_code == 409
    assert anon.get(f"{API}/public/{token}").status_code == 409
    assert SurveyResponse.objects.count() == 1
    inv_id = r and Invitation.objects.get().pk
    detail = c.get(f"{API}/invitations/{inv_id}").json()
    assert detail["status"] == "answered"
    assert c.get(f"{API}/invitations/{inv_id}/response").json()["overall_rating"] == 5


def test_public_submit_bad_answers_422_and_unknown_token(org: dict[str, Any]) -> None:
    make_questionnaire(org["supervisor"].user)
    _inv, raw = make_invitation(org["agent_a1"].user)
    anon = Client()
    r = post(anon, f"{API}/public/{raw}", {"answers": []})
    assert r.status_code == 422 and r.json()["fields"]
    assert post(anon, f"{API}/public/nope", {"answers": []}).status_code in (404, 409)
    assert post(anon, f"{API}/invitations", {"customer_id": 1}).status_code == 401


def test_agent_enters_response_and_link(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    agent = org["agent_a1"].user
    inv, _ = make_invitation(agent, link=False, channel="phone")
    c = client_for(agent)
    link = post(c, f"{API}/invitations/{inv.pk}/link")
    assert link.status_code == 200 and "/surveys/p/" in link.json()["link"]
    answers = [
        {
            "question_id": k,
            **(
                {"rating": v}
                if isinstance(v, int)
                else {"choices": v}
                if isinstance(v, list)
                else {"text": v}
            ),
        }
        for k, v in answers_for(inv).items()
    ]
    r = post(c, f"{API}/invitations/{inv.pk}/response", {"channel": "phone", "answers": answers})
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "phone"
    assert post(c, f"{API}/invitations/{inv.pk}/response", {"answers": answers}).status_code == 409


def test_invitations_refused_to_warehouse(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    inv, _ = make_invitation(org["agent_a1"].user)
    c = client_for(org["warehouse"].user)
    before = snapshot()
    assert c.get(f"{API}/invitations").status_code == 403
    assert post(c, f"{API}/invitations", {"customer_id": inv.customer_id}).status_code == 403
    assert post(c, f"{API}/invitations/{inv.pk}/link").status_code == 403
    assert post(c, f"{API}/invitations/{inv.pk}/response", {"answers": []}).status_code == 403
    assert post(c, f"{API}/campaigns", {"name": "x"}).status_code == 403
    assert c.get(f"{API}/statistics").status_code == 403
    assert snapshot() == before
    # An agent may not run campaigns nor read statistics.
    a = client_for(org["agent_a1"].user)
    assert post(a, f"{API}/campaigns", {"name": "x"}).status_code == 403
    assert a.get(f"{API}/statistics").status_code == 403


def test_agent_sees_only_own_invitations(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    mine, _ = make_invitation(org["agent_a1"].user, agent=org["agent_a1"])
    other, _ = make_invitation(org["agent_b1"].user, agent=org["agent_b1"])
    c = client_for(org["agent_a1"].user)
    ids = [i["id"] for i in c.get(f"{API}/invitations").json()["items"]]
    assert ids == [mine.pk]
    assert c.get(f"{API}/invitations/{other.pk}").status_code == 404


def test_invitation_list_query_count(
    org: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    make_questionnaire(org["supervisor"].user)
    for _ in range(5):
        make_invitation(org["supervisor"].user)
    c = client_for(org["supervisor"].user)
    c.get(f"{API}/invitations")
    with django_assert_max_num_queries(12):
        r = c.get(f"{API}/invitations")
    assert r.json()["count"] == 5


def test_statistics(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    for overall in (5, 4, 2):
        inv, raw = make_invitation(
            org["agent_a1"].user, agent=org["agent_a1"], department=org["cs"]
        )
        from kefu.surveys import services

        services.response_submit_public(token=raw, answers=answers_for(inv, overall=overall))
    for user in ("supervisor", "gm", "hr", "dgm", "manager"):
        r = client_for(org[user].user).get(f"{API}/statistics")
        assert r.status_code == 200, user
    data = client_for(org["gm"].user).get(f"{API}/statistics").json()
    assert (data["count"], data["satisfied"], data["rate"], data["target_rate"]) == (
        3,
        2,
        66.7,
        98.0,
    )
    assert data["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert data["by_agent"][0]["name"] == org["agent_a1"].name
    assert client_for(org["gm"].user).get(f"{API}/statistics?channel=phone").json()["count"] == 0
    assert client_for(org["gm"].user).get(f"{API}/statistics?date_from=bad").status_code == 422


def test_campaign_api_returns_its_job(org: dict[str, Any], client_for: Any) -> None:
    make_questionnaire(org["supervisor"].user)
    CustomerFactory(grade="vip")
    c = client_for(org["supervisor"].user)
    r = post(c, f"{API}/campaigns", {"name": "API集中调查", "channel": "phone", "grades": ["vip"]})
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["job_id"] and data["job_url"] == f"/jobs/{data['job_id']}/"
    assert (data["status"], data["total"], data["created_count"]) == ("done", 1, 1)
    assert c.get(data["job_url"]).status_code == 200
    # Someone else cannot see the job.
    assert client_for(org["manager"].user).get(data["job_url"]).status_code == 404
    bad = post(c, f"{API}/campaigns", {"name": "x", "channel": "pigeon"})
    assert bad.status_code == 422 and Invitation.objects.count() == 1
