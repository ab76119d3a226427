"""Test helpers for surveys: questionnaires and invitations made through the services."""

from __future__ import annotations

from typing import Any

from kefu.customers.tests.factories import CustomerFactory
from kefu.surveys import services
from kefu.surveys.choices import Channel, QuestionKind
from kefu.surveys.models import Invitation, Questionnaire


def make_questionnaire(builder: Any, *, name: str = "服务满意度调查问卷") -> Questionnaire:
    """A published questionnaire: overall rating, speed rating, multiple choice, text."""
    q = services.questionnaire_create(actor=builder, name=name)
    v = q.versions.get()
    services.question_add(
        actor=builder, version=v, kind=QuestionKind.RATING, text="总体满意度", is_overall=True
    )
    services.question_add(actor=builder, version=v, kind=QuestionKind.RATING, text="响应速度")
    services.question_add(
        actor=builder,
        version=v,
        kind=QuestionKind.MULTIPLE,
        text="需要改进的方面",
        required=False,
        options=["技术安装", "售后服务", "客户培训"],
    )
    services.question_add(
        actor=builder, version=v, kind=QuestionKind.TEXT, text="建议", required=False
    )
    services.version_publish(actor=builder, version=v)
    q.refresh_from_db()
    return q


def make_invitation(
    sender: Any, *, customer: Any = None, link: bool = True, **kwargs: Any
) -> tuple[Invitation, str | None]:
    return services.invitation_create(
        actor=sender,
        customer=customer or CustomerFactory(),
        channel=kwargs.pop("channel", Channel.WEB),
        issue_link=link,
        **kwargs,
    )


def answers_for(inv: Invitation, overall: int = 5, speed: int = 4) -> dict[int, Any]:
    qs = list(inv.version.questions.order_by("position"))
    return {qs[0].pk: overall, qs[1].pk: speed, qs[2].pk: ["售后服务"], qs[3].pk: "很好"}
