"""Response services — 答卷: the customer's answers by the public link, or an agent's by phone.

Exactly once: the invitation is claimed with one conditional UPDATE (``answered_at IS NULL`` and,
for the link, the token's hash still the one sent); of two concurrent submissions only one
matches a row, the other gets "已提交". The claim also clears the token, so the link dies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError

from ..choices import Channel
from ..models import Answer, Invitation, SurveyResponse
from ..policy import surveys_policy
from ..rules import check_answers, hash_token, month_of
from .common import ENTER, require
from .questionnaires import specs_of
from .stats import stats_record


class TokenInvalid(DomainError):
    """The link is unknown, used or expired; ``reason`` tells which (for the friendly page)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"survey_token_{reason}", message, status=409 if reason == "used" else 404)
        self.reason = reason


def invitation_for_token(raw: str, *, now: dt.datetime | None = None) -> Invitation:
    """The open invitation a public link's token names, or TokenInvalid (unknown/used/expired).

    A used token's hash was cleared, so "used" and "unknown" look alike to the database; the
    page says the same friendly thing for both.
    """
    now = now or timezone.now()
    raw = (raw or "").strip()
    if not raw or len(raw) > 100:
        raise TokenInvalid("unknown", "调查链接无效或已使用")
    inv = (
        Invitation.objects.filter(token_hash=hash_token(raw))
        .select_related("version", "version__questionnaire")
        .first()
    )
    if inv is None:
        raise TokenInvalid("used", "调查链接无效或已使用")
    if inv.expires_at is not None and inv.expires_at <= now:
        raise TokenInvalid("expired", "调查链接已过期")
    return inv


def _claim(invitation_id: int, now: dt.datetime, *, token_hash: str | None) -> bool:
    """Mark the invitation answered — at most once (one conditional UPDATE)."""
    rows = Invitation.objects.filter(pk=invitation_id, answered_at__isnull=True)
    if token_hash is not None:
        rows = rows.filter(token_hash=token_hash, expires_at__gt=now)
    return rows.update(answered_at=now, token_hash=None) == 1


def _store(
    *,
    actor: Any,
    invitation: Invitation,
    answers: Mapping[int, Any],
    channel: str,
    now: dt.datetime,
    token_hash: str | None,
) -> SurveyResponse:
    version = invitation.version
    checked = check_answers(specs_of(version), answers)
    if checked.errors:
        raise DomainError("survey_invalid", "请检查标红的题目", fields=checked.errors)
    if not _claim(invitation.pk, now, token_hash=token_hash):
        raise ConflictError("survey_token_used", "该调查已提交，感谢您的参与")
    day = timezone.localdate(now)
    assert checked.overall_rating is not None
    response = SurveyResponse.objects.create(
        invitation=invitation,
        version=version,
        questionnaire_id=version.questionnaire_id,
        customer_id=invitation.customer_id,
        submitted_at=now,
        submitted_on=day,
        month=month_of(day),
        overall_rating=checked.overall_rating,
        satisfied=surveys_policy(day).is_satisfied(checked.overall_rating),
        channel=channel,
        agent_id=invitation.agent_id,
        department_id=invitation.department_id,
        product_id=invitation.product_id,
        entered_by=actor if getattr(actor, "pk", None) else None,
    )
    # The month summaries the statistics read count this answer in the same transaction.
    stats_record(response)
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question_id=a.question_id,
            rating=a.rating,
            choices=list(a.choices),
            text=a.text,
        )
        for a in checked.answers
    )
    audit.record(
        actor=actor,
        action="survey.response_submit",
        obj=response,
        after={
            "invitation": invitation.pk,
            "version": version.pk,
            "overall_rating": response.overall_rating,
            "satisfied": response.satisfied,
            "channel": channel,
        },
    )
    return response


@transaction.atomic
def response_submit_public(
    *, token: str, answers: Mapping[int, Any], now: dt.datetime | None = None
) -> SurveyResponse:
    """客户在线提交 — answers sent through the public link (no login): the token is used once."""
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    return _store(
        actor=None,
        invitation=invitation,
        answers=answers,
        channel=Channel.WEB,
        now=now,
        token_hash=hash_token(token.strip()),
    )


@transaction.atomic
def response_enter(
    *,
    actor: Any,
    invitation: Invitation,
    answers: Mapping[int, Any],
    channel: str = Channel.PHONE,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """坐席录入答卷 — answers taken during a call (电话) or from a letter/fax/visit form."""
    require(actor, ENTER)
    now = now or timezone.now()
    if channel not in Channel.values or channel == Channel.WEB:
        raise DomainError("survey_invalid", "请选择调查方式", fields={"channel": "请选择调查方式"})
    if channel not in surveys_policy(timezone.localdate(now)).channels:
        raise DomainError(
            "survey_invalid", "该调查方式未启用", fields={"channel": "该调查方式未启用"}
        )
    return _store(
        actor=actor,
        invitation=invitation,
        answers=answers,
        channel=channel,
        now=now,
        token_hash=None,
    )
