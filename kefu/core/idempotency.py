"""Idempotency — 幂等: a POST to the API with an ``Idempotency-Key`` header runs at most once.

The first request with a key reserves it (a unique row) before the handler runs; its successful
response is stored and replayed for every repeat. A repeat with a different body is refused (422),
a repeat while the first is still running gets 409. Failed responses are not stored, so the client
may fix the request and retry with the same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from .models import IdempotencyRecord

API_PREFIX = "/api/v1/"
HEADER = "HTTP_IDEMPOTENCY_KEY"


def _identity(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "t" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    return None


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
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    identity=identity,
                    key=key,
                    method=request.method,
                    path=request.path,
                    request_hash=digest,
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(identity=identity, key=key).first()
            if existing is None:
                return self.get_response(request)
            if existing.request_hash != digest:
                return _error(422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求")
            if existing.status_code is None:
                return _error(409, "idempotency_in_progress", "相同的请求正在处理中，请稍后再试")
            replay = HttpResponse(
                bytes(existing.body or b""),
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
                body=response.content,
            )
        else:
            record.delete()
        return response
