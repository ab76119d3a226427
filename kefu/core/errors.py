"""DomainError — 业务规则错误: one exception type for every broken business rule.

A service raises it; the API turns it into ``{"code", "message", "fields"}`` with 409 (conflict
with stored state) or 422 (invalid input); a page shows the message beside the offending field.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule was broken. ``code`` is stable and machine-readable, ``message`` is Chinese.

    ``fields`` maps form/API field names to Chinese messages; ``status`` is the HTTP status the API
    answers with (422 by default; 409 when the request conflicts with what is already stored).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        status: int = 422,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ConflictError(DomainError):
    """The request conflicts with stored state (duplicate 工号, stale version…) → HTTP 409."""

    def __init__(self, code: str, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(code, message, fields=fields, status=409)


class PermissionDeniedError(DomainError):
    """The actor may not do this → HTTP 403. Services raise it so every entry point refuses alike."""

    def __init__(self, message: str = "您没有执行此操作的权限", code: str = "forbidden") -> None:
        super().__init__(code, message, status=403)


def apply_to_form(form: Any, error: DomainError) -> None:
    """Show a DomainError on a Django form: per-field messages beside fields, the rest on top."""
    placed = False
    for field, message in error.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def raise_if_refused(error: DomainError) -> None:
    """For pages: a refusal (403) becomes Django's PermissionDenied and a missing record (404)
    Http404; any other broken rule returns so the page can show it beside the field."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    if isinstance(error, PermissionDeniedError) or error.status == 403:
        raise PermissionDenied(error.message) from error
    if error.status == 404:
        raise Http404(error.message) from error


def call_service_for_form(form: Any, service: Any, **kwargs: Any) -> Any:
    """Run a service for a page's form: a refusal becomes HTTP 403 (a missing record 404), a
    broken rule goes onto the form beside its field (None is returned so the view re-renders it
    with the user's input)."""
    try:
        return service(**kwargs)
    except DomainError as exc:
        raise_if_refused(exc)
        apply_to_form(form, exc)
        return None
