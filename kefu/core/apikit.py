"""API plumbing — 接口公共部分: authentication, error mapping and pagination for ninja routers."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth

from .errors import DomainError
from .tokens import user_for_token

T = TypeVar("T")


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kefu_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """Django session (with CSRF on unsafe methods), for the pages' own htmx/JS calls."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH: list[APIKeyCookie | HttpBearer] = [TokenAuth(), ActiveSessionAuth()]


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class Page(Schema, Generic[T]):
    count: int
    page: int
    page_size: int
    items: list[T]


PAGE_SIZES = (20, 50, 100)


def paginate(qs: Any, page: int, page_size: int) -> dict[str, Any]:
    """Slice a queryset for the API: page size one of 20/50/100, page clamped to a valid one."""
    size = page_size if page_size in PAGE_SIZES else PAGE_SIZES[0]
    count = qs.count()
    last = max((count + size - 1) // size, 1)
    current = min(max(page, 1), last)
    start = (current - 1) * size
    return {
        "count": count,
        "page": current,
        "page_size": size,
        "items": list(qs[start : start + size]),
    }


def install_error_handlers(api: NinjaAPI) -> None:
    """One place that turns errors into ``{"code", "message", "fields"}`` responses."""

    def reply(
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
    ) -> HttpResponse:
        return api.create_response(
            request, {"code": code, "message": message, "fields": fields or {}}, status=status
        )

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return reply(request, exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for err in exc.errors:
            loc = [
                str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")
            ]
            fields[".".join(loc) or "body"] = str(err.get("msg", "不合法"))
        return reply(request, 422, "invalid", "请求参数不合法", fields)

    @api.exception_handler(AuthenticationError)
    def _unauth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return reply(request, 401, "unauthenticated", "请先登录或提供有效的API令牌")

    @api.exception_handler(DjangoPermissionDenied)
    def _forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return reply(request, 403, "forbidden", "您没有执行此操作的权限")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, 404, "not_found", "记录不存在或无权查看")

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises these itself, e.g. 400 for a body that is not JSON: same shape as ours.
        if exc.status_code == 400:
            return reply(request, 400, "bad_request", "请求内容无法解析，请发送 JSON")
        return reply(request, exc.status_code, "http_error", str(exc.message))

    @api.exception_handler(ObjectDoesNotExist)
    def _missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return reply(request, 404, "not_found", "记录不存在或无权查看")


def require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise DjangoPermissionDenied
