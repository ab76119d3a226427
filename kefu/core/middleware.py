"""Middleware — 中间件: request context for audit events, and the idle-session timeout."""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from . import context

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Writing the session on every request would cost a write per page view; a minute is precise enough.
_ACTIVITY_WRITE_INTERVAL = 60


def _valid_ip(value: str) -> str | None:
    # Headers may carry anything ("unknown", a port, garbage); PostgreSQL's inet column would
    # refuse it and fail the audited write, so an unparsable address is recorded as unknown.
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For is trusted only when the proxy is (deployment.md)."""
    if getattr(settings, "KEFU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return _valid_ip(forwarded.split(",")[0])
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


class RequestContextMiddleware:
    """Binds IP and request id for the request so audit events carry them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        token = context.bind(
            client_ip(request), incoming if _REQUEST_ID_RE.match(incoming) else None
        )
        try:
            request.request_id = context.current().request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
            response["X-Request-ID"] = context.current().request_id
            return response
        finally:
            context.reset(token)


class IdleTimeoutMiddleware:
    """Logs a session out after the policy's idle minutes without a request (security policy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("kefu_last_activity")
            if last is not None:
                from .policy import security_policy

                try:
                    limit = security_policy().idle_timeout_minutes * 60
                except Exception:  # no policy loaded yet (fresh database): do not lock people out
                    limit = None
                if limit is not None and now - int(last) > limit:
                    logout(request)
                    messages.info(request, "长时间未操作，已自动退出，请重新登录")
                    return self.get_response(request)
            if last is None or now - int(last) >= _ACTIVITY_WRITE_INTERVAL:
                request.session["kefu_last_activity"] = now
        return self.get_response(request)


NUL_MESSAGE = "请求内容含有非法字符（NUL），已拒绝"


def _has_nul(values: object) -> bool:
    items = values.lists() if hasattr(values, "lists") else []  # type: ignore[attr-defined]
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in items)


class NulByteMiddleware:
    """Refuse a request carrying a NUL character in a parameter or a JSON body — 400, never 500.

    No text a person types contains NUL, and PostgreSQL refuses to store or even compare it
    (``DataError``), so one check here keeps every filter, picker, form and API handler from
    turning such input into a server error. Uploaded files are not looked at (images hold NULs).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                body = {"code": "bad_request", "message": NUL_MESSAGE, "fields": {}}
                return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponse(NUL_MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        if _has_nul(request.GET):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return _has_nul(request.POST)
        return False
