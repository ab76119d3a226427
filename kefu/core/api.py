"""Core API — 公共接口: personal API tokens and the policy in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from .apikit import ErrorOut, require_perm
from .models import ApiToken
from .policy import DOMAINS, policy_for
from .tokens import api_token_create, api_token_revoke

router = Router(tags=["core"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="令牌原文，仅此一次返回")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=80)


class PolicyOut(Schema):
    domain: str
    on: dt.date
    body: dict[str, Any]


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def token_list(request: HttpRequest) -> Any:
    return list(ApiToken.objects.filter(user=request.user))


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS})
def token_create(request: HttpRequest, payload: TokenIn, response: HttpResponse) -> Any:
    token, raw = api_token_create(actor=request.user, name=payload.name)
    # The body holds the raw token: no cache may keep it, and the idempotency store keeps no copy.
    response["Cache-Control"] = "no-store"
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "token": raw})


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **ERRORS})
def token_revoke(request: HttpRequest, token_id: int) -> Any:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return api_token_revoke(actor=request.user, token=token)


@router.get("/policies/{domain}", response={200: PolicyOut, **ERRORS})
def policy_detail(request: HttpRequest, domain: str, on: dt.date | None = None) -> Any:
    require_perm(request, "core.view_policy")
    if domain not in DOMAINS:
        from django.http import Http404

        raise Http404
    # The business day is Shanghai's, not the server clock's (UTC hosts differ before 08:00).
    day = on or timezone.localdate()
    return {"domain": domain, "on": day, "body": policy_for(domain, day).model_dump(mode="json")}
