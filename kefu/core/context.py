"""Request context — 请求上下文: who is asking, from where, under which request id.

The middleware fills it once per request so services can stamp audit events without every
caller passing IP and request id by hand. Management commands and tasks run with the defaults.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""


# RequestContext is a frozen dataclass, so sharing the default instance is safe.
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "kefu_request_context",
    default=RequestContext(),  # noqa: B039
)


def current() -> RequestContext:
    return _current.get()


def bind(ip: str | None, request_id: str | None = None) -> contextvars.Token[RequestContext]:
    return _current.set(RequestContext(ip=ip, request_id=request_id or uuid.uuid4().hex))


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
