"""API plumbing — 接口公共部分: authentication, error mapping and pagination for ninja routers."""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from .errors import DomainError
from .one_pass import page_keys
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


def page_window(count: int, page: int, page_size: int) -> tuple[int, int, int]:
    """``(size, page, first row)`` of a list of ``count`` rows: the size one of ``PAGE_SIZES``
    (else the first), the page clamped to one that exists."""
    size = page_size if page_size in PAGE_SIZES else PAGE_SIZES[0]
    last = max((count + size - 1) // size, 1)
    current = min(max(page, 1), last)
    return size, current, (current - 1) * size


def paginate(
    qs: Any, page: int, page_size: int, *, values: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Slice a queryset for the API: page size one of 20/50/100, page clamped to a valid one.

    ``values``: the page's rows as ``qs.values(*values)`` dicts. The count is still taken on
    ``qs`` itself: counting the ``.values()`` queryset would keep the joins its related columns
    need (5.3 instead of 1 ms of PostgreSQL per employee list call at 10,000 rows)."""
    count = qs.count()
    if values is not None:
        qs = qs.values(*values)
    size, current, start = page_window(count, page, page_size)
    return {
        "count": count,
        "page": current,
        "page_size": size,
        "items": list(qs[start : start + size]),
    }


def paginate_one_pass(
    qs: Any, page: int, page_size: int, *, values: tuple[str, ...]
) -> dict[str, Any]:
    """``paginate(qs, page, page_size, values=values)`` reading the matches once.

    For lists whose filter has to look at every matching row whatever the page — a keyword
    search checks each candidate's text — counting and then paging reads them all twice. Here
    one statement returns the page's keys with ``COUNT(*) OVER ()`` (computed over every match
    before the LIMIT), and a second fetches the page's ``values`` by primary key, so the joins
    the columns need are made for the page alone, not for every match (docs/performance.md,
    2026-11-25). ``values`` must name fields, not annotations of ``qs``; ``qs`` must be ordered
    on a unique key and not ``distinct``. A page past the end costs two more statements: the
    count, then the last page's keys (``one_pass.page_keys``).
    """
    if qs.query.distinct or set(values) & set(qs.query.annotations):
        return paginate(qs, page, page_size, values=values)
    size = page_size if page_size in PAGE_SIZES else PAGE_SIZES[0]
    keys, count, current = page_keys(qs, page, size)
    key_name = qs.model._meta.pk.attname
    fetched = (*values, key_name) if key_name not in values else values
    found = qs.model._base_manager.filter(pk__in=keys).order_by().values(*fetched) if keys else ()
    by_key = {row[key_name]: row for row in found}
    # In the order of the keys; a row gone between the two statements is left out, not invented.
    items = [by_key[key] for key in keys if key in by_key]
    if key_name not in values:
        for row in items:
            del row[key_name]
    return {"count": count, "page": current, "page_size": size, "items": items}


def _counted(build: Any, args: tuple[Any, ...]) -> Any:
    # COUNT as a plain function, not an aggregate: the ORM adds no GROUP BY to a .values() of it.
    from django.db.models import F, Func, IntegerField

    return (
        build(*args)
        .order_by()
        .values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    )


def _rows(build: Any, args: tuple[Any, ...], values: tuple[str, ...], start: int, size: int) -> Any:
    return build(*args).values(*values)[start : start + size]


def paginate_once(
    build: Any, args: tuple[Any, ...], page: int, page_size: int, *, values: tuple[str, ...]
) -> dict[str, Any]:
    """``paginate(build(*args), page, page_size, values=values)`` with both statements compiled
    once per arguments (``kefu.core.compiled``: ``build`` must depend on its arguments alone) —
    for list endpoints called again and again with the same filters."""
    from .compiled import values_once

    counted = values_once(_counted, build, args)
    count = int(counted[0]["n"]) if counted else 0
    size, current, start = page_window(count, page, page_size)
    return {
        "count": count,
        "page": current,
        "page_size": size,
        "items": values_once(_rows, build, args, values, start, size),
    }


def fast_json(data: Any, schema: Any, *, status: int = 200) -> HttpResponse:
    """The JSON response ninja would send for ``data`` under ``schema``, without its per-object
    validation — for hot list endpoints whose handler already builds plain dicts of the exact
    shape (ninja wraps every nested object of every row; a quarter of the employee list's CPU,
    docs/performance.md). The endpoint keeps ``response=schema`` for OpenAPI. With
    ``KEFU_CHECK_FAST_JSON`` (on in tests and with DEBUG) the data is validated against ``schema``
    and must render identically, so a handler that drifts from its schema fails every test."""
    body = json.dumps(data, cls=NinjaJSONEncoder)
    if getattr(settings, "KEFU_CHECK_FAST_JSON", settings.DEBUG):
        adapter = TypeAdapter(schema)
        try:
            valid = adapter.dump_python(adapter.validate_python(data))
        except PydanticValidationError as exc:
            raise AssertionError(f"fast_json: data does not match {schema!r}: {exc}") from exc
        if json.loads(json.dumps(valid, cls=NinjaJSONEncoder)) != json.loads(body):
            raise AssertionError(f"fast_json: data does not render as {schema!r} would")
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


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
