"""Services: versioning, the close hook, one-time tokens (also concurrent), phone entry."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent
from kefu.surveys import services
from kefu.surveys.choices import Channel, QuestionKind, Source, VersionStatus
from kefu.surveys.models import Answer, Invitation, Question, SurveyResponse
from kefu.surveys.rules import hash_token
from kefu.surveys.services.responses import _claim
from kefu.tickets.services import ticket_act
from kefu.tickets.tests.factories import make_ticket

from .factories import answers_for, make_invitation, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(org: dict[str, Any]) -> Any:
    return make_questionnaire(org["supervisor"].user)


def test_published_version_is_immutable_and_edit_makes_a_new_draft(
    org: dict[str, Any], questionnaire: Any
) -> None:
    sup = org["supervisor"].user
    v1 = questionnaire.versions.get()
    with pytest.raises(ConflictError):
        services.question_add(actor=sup, version=v1, kind=QuestionKind.TEXT, text="新题")
    with pytest.raises(ConflictError):
        services.question_remove(actor=sup, question=v1.questions.first())
    draft = services.questionnaire_edit(actor=sup, questionnaire=questionnaire)
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert services.questionnaire_edit(actor=sup, questionnaire=questionnaire) == draft
    assert [q.text for q in draft.questions.all()] == [q.text for q in v1.questions.all()]
    assert not set(draft.questions.values_list("pk", flat=True)) & set(
        v1.questions.values_list("pk", flat=True)
    )


def test_changes_never_alter_past_answers(org: dict[str, Any], questionnaire: Any) -> None:
    sup, agent = org["supervisor"].user, org["agent_a1"].user
    inv, raw = make_invitation(agent)
    services.response_submit_public(token=raw, answers=answers_for(inv, overall=2))
    answered = list(
        Answer.objects.filter(response__invitation=inv).values_list("question_id", "question__text")
    )
    # Edit: rename by removing and re-adding, reorder, publish v2.
    draft = services.questionnaire_edit(actor=sup, questionnaire=questionnaire)
    first = draft.questions.order_by("position").first()
    services.question_move(
        actor=sup, question=draft.questions.order_by("position").last(), direction="up"
    )
    speed = draft.questions.get(text="响应速度")
    services.question_remove(actor=sup, question=speed)
    services.question_add(actor=sup, version=draft, kind=QuestionKind.RATING, text="上门及时性")
    services.version_publish(actor=sup, version=draft)
    assert first is not None
    v1 = questionnaire.versions.get(number=1)
    assert v1.status == VersionStatus.RETIRED
    assert (
        list(
            Answer.objects.filter(response__invitation=inv).values_list(
                "question_id", "question__text"
            )
        )
        == answered
    )
    assert [q.text for q in v1.questions.order_by("position")] == [
        "总体满意度",
        "响应速度",
        "需要改进的方面",
        "建议",
    ]
    response = SurveyResponse.objects.get(invitation=inv)
    assert response.version_id == v1.pk and response.overall_rating == 2 and not response.satisfied
    # New invitations use v2.
    inv2, _ = make_invitation(agent)
    assert inv2.version_id == draft.pk


def test_publish_requires_one_overall_rating(org: dict[str, Any]) -> None:
    sup = org["supervisor"].user
    q = services.questionnaire_create(actor=sup, name="空问卷")
    v = q.versions.get()
    with pytest.raises(DomainError) as err:
        services.version_publish(actor=sup, version=v)
    assert err.value.code == "survey_cannot_publish"
    services.question_add(
        actor=sup, version=v, kind=QuestionKind.RATING, text="总体", is_overall=True
    )
    with pytest.raises(DomainError):
        services.question_add(
            actor=sup, version=v, kind=QuestionKind.RATING, text="又一个", is_overall=True
        )
    with pytest.raises(DomainError):
        services.question_add(
            actor=sup, version=v, kind=QuestionKind.SINGLE, text="单选", options="只有一个"
        )
    assert services.version_publish(actor=sup, version=v).status == VersionStatus.PUBLISHED


def test_builder_refused_to_agent_and_nothing_changes(
    org: dict[str, Any], questionnaire: Any
) -> None:
    agent = org["agent_a1"].user
    before = (Question.objects.count(), questionnaire.versions.count())
    with pytest.raises(PermissionDeniedError):
        services.questionnaire_create(actor=agent, name="x")
    with pytest.raises(PermissionDeniedError):
        services.questionnaire_edit(actor=agent, questionnaire=questionnaire)
    assert (Question.objects.count(), questionnaire.versions.count()) == before


def test_closing_a_ticket_creates_an_invitation(org: dict[str, Any], questionnaire: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已处理")
    assert not Invitation.objects.exists()
    ticket_act(actor=agent.user, ticket=ticket, action="close")
    inv = Invitation.objects.get()
    ticket.refresh_from_db()
    assert (inv.ticket_id, inv.customer_id, inv.source) == (
        ticket.pk,
        ticket.customer_id,
        Source.TICKET_CLOSED,
    )
    assert inv.agent_id == ticket.owner_id and inv.department_id == ticket.department_id
    assert inv.channel == Channel.WEB and inv.token_hash is None
    # Reopen and close again: still one invitation.
    ticket_act(actor=agent.user, ticket=ticket, action="reopen", reason="客户仍有问题")
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="再处理")
    ticket_act(actor=agent.user, ticket=ticket, action="close")
    assert Invitation.objects.count() == 1


def test_no_published_questionnaire_no_invitation(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已处理")
    ticket_act(actor=agent.user, ticket=ticket, action="close")
    assert not Invitation.objects.exists()


def test_token_is_hashed_and_works_once(org: dict[str, Any], questionnaire: Any) -> None:
    inv, raw = make_invitation(org["agent_a1"].user)
    assert raw and inv.token_hash == hash_token(raw)
    assert not Invitation.objects.filter(token_hash=raw).exists()
    response = services.response_submit_public(token=raw, answers=answers_for(inv))
    assert response.satisfied and response.channel == Channel.WEB and response.entered_by is None
    inv.refresh_from_db()
    assert inv.token_hash is None and inv.answered_at is not None
    with pytest.raises(services.TokenInvalid) as err:
        services.response_submit_public(token=raw, answers=answers_for(inv))
    assert err.value.reason == "used"
    assert SurveyResponse.objects.count() == 1


def test_expired_token_refused(org: dict[str, Any], questionnaire: Any) -> None:
    inv, raw = make_invitation(org["agent_a1"].user)
    later = timezone.now() + dt.timedelta(days=15)
    with pytest.raises(services.TokenInvalid) as err:
        services.response_submit_public(token=raw, answers=answers_for(inv), now=later)
    assert err.value.reason == "expired"
    assert not SurveyResponse.objects.exists()


def test_invalid_answers_keep_the_token(org: dict[str, Any], questionnaire: Any) -> None:
    inv, raw = make_invitation(org["agent_a1"].user)
    with pytest.raises(DomainError) as err:
        services.response_submit_public(token=raw, answers={})
    assert err.value.fields
    assert services.response_submit_public(token=raw, answers=answers_for(inv))


def test_claim_is_a_conditional_update(org: dict[str, Any], questionnaire: Any) -> None:
    """Two submissions that both read the open invitation: only the first claim matches."""
    inv, raw = make_invitation(org["agent_a1"].user)
    now = timezone.now()
    assert _claim(inv.pk, now, token_hash=hash_token(raw)) is True
    assert _claim(inv.pk, now, token_hash=hash_token(raw)) is False
    assert _claim(inv.pk, now, token_hash=None) is False


def test_stale_submission_loses(org: dict[str, Any], questionnaire: Any, monkeypatch: Any) -> None:
    """The second submission read the invitation before the first wrote: it gets 已提交."""
    inv, raw = make_invitation(org["agent_a1"].user)
    from kefu.surveys.services import responses

    real = responses.invitation_for_token
    stale = real(raw)
    services.response_submit_public(token=raw, answers=answers_for(inv))
    monkeypatch.setattr(responses, "invitation_for_token", lambda *a, **k: stale)
    with pytest.raises(ConflictError):
        responses.response_submit_public(token=raw, answers=answers_for(inv, overall=1))
    assert SurveyResponse.objects.get().overall_rating == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_two_concurrent_submissions_one_wins(org: dict[str, Any]) -> None:
    make_questionnaire(org["supervisor"].user)
    inv, raw = make_invitation(org["agent_a1"].user)
    answers = answers_for(inv)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def submit() -> None:
        from django.db import connections

        barrier.wait()
        try:
            services.response_submit_public(token=raw, answers=answers)
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert SurveyResponse.objects.count() == 1


def test_agent_enters_answers_by_phone(org: dict[str, Any], questionnaire: Any) -> None:
    agent = org["agent_a1"].user
    inv, _ = make_invitation(agent, link=False, channel=Channel.PHONE)
    response = services.response_enter(
        actor=agent, invitation=inv, answers=answers_for(inv, overall=3)
    )
    assert (
        response.channel == Channel.PHONE
        and response.entered_by == agent
        and not response.satisfied
    )
    with pytest.raises(ConflictError):
        services.response_enter(actor=agent, invitation=inv, answers=answers_for(inv))
    with pytest.raises(PermissionDeniedError):
        services.response_enter(
            actor=org["warehouse"].user, invitation=inv, answers=answers_for(inv)
        )
    assert AuditEvent.objects.filter(action="survey.response_submit").count() == 1


def test_issue_link_rotates_the_token(org: dict[str, Any], questionnaire: Any) -> None:
    agent = org["agent_a1"].user
    inv, first = make_invitation(agent)
    second = services.invitation_issue_link(actor=agent, invitation=inv)
    with pytest.raises(services.TokenInvalid):
        services.invitation_for_token(first)
    assert services.invitation_for_token(second).pk == inv.pk


def test_campaign_runs_as_a_background_job(org: dict[str, Any], questionnaire: Any) -> None:
    from kefu.core.choices import JobKind, JobStatus
    from kefu.core.models import Notification
    from kefu.customers.tests.factories import CustomerFactory

    sup = org["supervisor"].user
    vip = [CustomerFactory(grade="vip", region="上海"), CustomerFactory(grade="vip", region="北京")]
    CustomerFactory(grade="normal")
    campaign = services.campaign_create(
        actor=sup,
        name="2026年6月集中调查",
        channel=Channel.PHONE,
        grades=["vip"],
        regions=["上海"],
    )
    # Tests run tasks at once: the job has already finished.
    job = campaign.job
    assert job is not None and job.kind == JobKind.SURVEY_CAMPAIGN and job.created_by == sup
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert job.result["created"] == 1 and job.result["campaign_id"] == campaign.pk
    assert bytes(job.payload) == b""
    assert campaign.status == "done" and campaign.total == 1 and campaign.created_count == 1
    assert list(Invitation.objects.values_list("customer_id", flat=True)) == [vip[0].pk]
    note = Notification.objects.get(recipient=sup)
    assert "满意度集中调查" in note.title and "已生成1份调查邀请" in note.body
    # Running again creates nothing twice.
    again = services.campaign_run(campaign.pk)
    assert (again["created"], again["skipped"]) == (0, 1)
    assert Invitation.objects.count() == 1
    with pytest.raises(PermissionDeniedError):
        services.campaign_create(actor=org["agent_a1"].user, name="x", channel=Channel.PHONE)


def test_campaign_job_fails_when_the_creator_lost_the_right(
    org: dict[str, Any], questionnaire: Any
) -> None:
    """Submitted by someone who may no longer run campaigns: the job fails, nothing is created."""
    from kefu.core.choices import JobKind, JobStatus
    from kefu.core.jobs import job_create, run_job
    from kefu.customers.tests.factories import CustomerFactory
    from kefu.surveys.models import Campaign
    from kefu.surveys.tasks import run_campaign

    CustomerFactory()
    version = questionnaire.versions.get()
    agent = org["agent_a1"].user
    campaign = Campaign.objects.create(
        name="越权", version=version, channel=Channel.PHONE, created_by=agent
    )
    job = job_create(actor=agent, kind=JobKind.SURVEY_CAMPAIGN, payload={"campaign": campaign.pk})
    run_job(job.pk, run_campaign)
    job.refresh_from_db()
    campaign.refresh_from_db()
    assert job.status == JobStatus.FAILED and "没有发起集中调查的权限" in job.error
    assert campaign.status == "failed" and not Invitation.objects.exists()
