"""Shared pieces of the survey services — 满意度调查服务公共部分."""

from __future__ import annotations

from typing import Any

from kefu.core.errors import PermissionDeniedError

BUILD = "surveys.change_questionnaire"
ADD_QUESTIONNAIRE = "surveys.add_questionnaire"
SEND = "surveys.add_invitation"
CAMPAIGN = "surveys.add_campaign"
ENTER = "surveys.add_surveyresponse"
STATS = "surveys.view_statistics"


def require(actor: Any, perm: str) -> None:
    if not (actor is not None and getattr(actor, "is_active", False) and actor.has_perm(perm)):
        raise PermissionDeniedError()
