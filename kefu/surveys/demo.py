"""Demo surveys for ``manage.py seed_demo`` — 满意度调查演示数据 (idempotent, small).

A published default questionnaire (服务满意度调查问卷) and about sixty answers spread over the last
months, agents and channels, so the statistics page shows a real chart.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit

from .choices import Channel, QuestionKind, Source
from .models import Answer, Invitation, Questionnaire, SurveyResponse
from .policy import surveys_policy
from .rules import month_of
from .services import question_add, questionnaire_create, stats_record, version_publish

DEMO_NAME = "服务满意度调查问卷"
DEMO_ANSWERS = 60
QUESTIONS: list[dict[str, Any]] = [
    {"kind": QuestionKind.RATING, "text": "您对本次服务的总体满意度", "is_overall": True},
    {"kind": QuestionKind.RATING, "text": "响应速度"},
    {"kind": QuestionKind.RATING, "text": "专业水平"},
    {"kind": QuestionKind.RATING, "text": "服务态度"},
    {
        "kind": QuestionKind.MULTIPLE,
        "text": "您希望我们在哪些方面改进",
        "required": False,
        "options": ["技术安装", "系统运行", "工程实施", "售后服务", "客户培训"],
    },
    {"kind": QuestionKind.TEXT, "text": "您的意见和建议", "required": False},
]


def demo_questionnaire(actor: Any) -> Questionnaire:
    existing = Questionnaire.objects.filter(name=DEMO_NAME).first()
    if existing is not None:
        return existing
    q = questionnaire_create(
        actor=actor,
        name=DEMO_NAME,
        description="通过电话、信函、现场、传真、e-mail等方式向客户发放调查问卷，了解客户对公司产品和服务的满意度评价。",
        title="客户满意度调查",
        intro="感谢您选择我们的服务！请花一分钟对本次服务进行评价，您的意见将帮助我们改进工作。",
    )
    version = q.versions.get()
    for spec in QUESTIONS:
        question_add(actor=actor, version=version, **spec)
    version_publish(actor=actor, version=version)
    return q


@transaction.atomic
def seed_demo_surveys(actor: Any) -> None:
    """The demo questionnaire and ~60 answers (written directly: demo data, one audit event)."""
    from kefu.customers.models import Customer
    from kefu.org.models import Employee

    q = demo_questionnaire(actor)
    version = q.versions.filter(status="published").first()
    if version is None:
        return
    _ticket_invitations(actor, version)
    if SurveyResponse.objects.filter(questionnaire=q).exists():
        return
    customers = list(Customer.objects.order_by("id")[:40])
    agents = list(
        Employee.objects.filter(user__is_active=True)
        .select_related("department")
        .order_by("id")[:8]
    )
    if not customers:
        return
    rng = random.Random(20260604)
    questions = list(version.questions.order_by("position"))
    now = timezone.now()
    policy = surveys_policy()
    channels = [Channel.WEB, Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.ON_SITE]
    for i in range(DEMO_ANSWERS):
        customer = customers[i % len(customers)]
        agent = agents[i % len(agents)] if agents else None
        when = now - dt.timedelta(days=rng.randint(1, 170), hours=rng.randint(0, 10))
        day = timezone.localdate(when)
        overall = rng.choices([5, 4, 3, 2, 1], weights=[62, 30, 5, 2, 1])[0]
        channel = rng.choice(channels)
        inv = Invitation.objects.create(
            customer=customer,
            version=version,
            channel=channel,
            source=Source.MANUAL,
            agent=agent,
            department=agent.department if agent else None,
            created_by=actor,
            sent_at=when - dt.timedelta(hours=2),
            answered_at=when,
        )
        response = SurveyResponse.objects.create(
            invitation=inv,
            version=version,
            questionnaire=q,
            customer=customer,
            submitted_at=when,
            submitted_on=day,
            month=month_of(day),
            overall_rating=overall,
            satisfied=policy.is_satisfied(overall),
            channel=channel,
            agent=agent,
            department=agent.department if agent else None,
            entered_by=actor if channel != Channel.WEB else None,
        )
        stats_record(response)
        rows = []
        for question in questions:
            if question.kind == QuestionKind.RATING:
                value = (
                    overall
                    if question.is_overall
                    else max(1, min(5, overall + rng.choice([-1, 0, 0, 1])))
                )
                rows.append(Answer(response=response, question=question, rating=value))
            elif question.kind == QuestionKind.MULTIPLE and overall <= 4:
                rows.append(
                    Answer(
                        response=response, question=question, choices=[rng.choice(question.options)]
                    )
                )
            elif question.kind == QuestionKind.TEXT and overall <= 3:
                rows.append(
                    Answer(response=response, question=question, text="上门时间能再准时一些就好了")
                )
        Answer.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="survey.demo_seed",
        obj=q,
        after={"responses": DEMO_ANSWERS},
    )


def _ticket_invitations(actor: Any, version: Any, limit: int = 5) -> None:
    """Closed demo requests get the survey the close hook would have sent, had the questionnaire
    existed when the tickets' demo data closed them (so a ticket page shows "满意度调查")."""
    from kefu.aftersales.selectors import product_for_ticket
    from kefu.tickets.models import Ticket

    from .services import invitation_create

    if Invitation.objects.filter(source=Source.TICKET_CLOSED).exists():
        return  # seeded before (idempotent)
    closed = (
        Ticket.objects.filter(status="closed", survey_invitation__isnull=True)
        .select_related("customer", "owner", "department")
        .order_by("-id")[:limit]
    )
    for ticket in closed:
        invitation_create(
            actor=actor,
            customer=ticket.customer,
            channel=Channel.WEB,
            version=version,
            source=Source.TICKET_CLOSED,
            ticket=ticket,
            agent=ticket.owner,
            department=ticket.department,
            product=product_for_ticket(ticket),
            check_perm=False,
        )
