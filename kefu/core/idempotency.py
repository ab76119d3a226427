"""Idempotency — 幂等: a POST to the API with an ``Idempotency-Key`` header runs at most once.

The first request with a key reserves it (a unique row) before the handler runs; its successful
response is stored and replayed for every repeat. A repeat with a different body is refused (422),
a repeat while the first is still running gets 409. Failed responses are not stored, so the client
may fix the request and retry with the same key.

The key itself is kept only as its SHA-256. A response that carries a one-time secret (creating an
API token — API令牌 — answers with the raw token, which is otherwise never stored) says so with the
standard ``Cache-Control: no-store``: its record keeps the status and content type but no body, and
a repeat gets 409 ``idempotency_not_replayable`` instead of the secret. Every other stored body is
plain JSON holding nothing that is not already in the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from .models import IdempotencyRecord

API_PREFIX = "/api/v1/"
HEADER = "HTTP_IDEMPOTENCY_KEY"
NOT_REPLAYABLE_MESSAGE = (
    "该请求已处理完成；响应含一次性密钥（如API令牌原文），不会再次返回。"
    "请在“API令牌”页面查看或吊销。"
)


def _identity(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "t" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    return None


def _no_store(response: HttpResponse) -> bool:
    """Whether the response forbids keeping a copy (``Cache-Control: no-store``, RFC 9111)."""
    directives = response.get("Cache-Control", "").split(",")
    return any(d.split("=", 1)[0].strip().lower() == "no-store" for d in directives)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        identity = _identity(request)
        if identity is None:
            return self.get_response(request)  # the API will answer 401 itself
        if len(key) > 200:
            return _error(422, "idempotency_key_invalid", "Idempotency-Key 过长（最多200个字符）")
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        key_hash = hashlib.sha256(key.encode()).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    identity=identity,
                    key=key_hash,
                    method=request.method,
                    path=request.path,
                    request_hash=digest,
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(identity=identity, key=key_hash).first()
            if existing is None:
                return self.get_response(request)
            if existing.request_hash != digest:
                return _error(422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求")
            if existing.status_code is None:
                return _error(409, "idempotency_in_progress", "相同的请求正在处理中，请稍后再试")
            if existing.body is None:
                # Done, but the answer held a one-time secret that was deliberately not kept.
                return _error(409, "idempotency_not_replayable", NOT_REPLAYABLE_MESSAGE)
            replay = HttpResponse(
                bytes(existing.body),
                status=existing.status_code,
                content_type=existing.content_type or "application/json",
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = self.get_response(request)
        except Exception:
            record.delete()
            raise
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=None if _no_store(response) else response.content,
            )
        else:
            record.delete()
        return response
