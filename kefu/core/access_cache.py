"""Access cache — 权限缓存: a user's permission set and role groups (and a few other small, rarely
changing answers every page needs: the department tree, the dashboard's head counts, today's
calendar label), kept per process for a few seconds.

Every page and API call asks "which roles and rights does this user have?". Without a cache that is
three queries per request (direct permissions, group permissions, group names) — a fifth of the
employee list API's cost at 10,000 employees (docs/performance.md). Rights change rarely and only
through org services (roles of an employee) or the role sync, so the answer is kept per process,
keyed by the user's id, for at most ``ACCESS_CACHE_SECONDS``:

* in this process a change takes effect at once — the services that change roles call ``clear()``
  (again on commit);
* in another app server process it takes effect within ``ACCESS_CACHE_SECONDS``;
* whether the account is active is never cached: the session / token lookup reads the user row on
  every request, so a person who leaves is locked out at once (ORG-3);
* inside a transaction (every service, every test) the database is always asked, so a service
  never decides on a stale right.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

ACCESS_CACHE_SECONDS = 30.0
_MAX_ENTRIES = 4096
T = TypeVar("T")
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}


def clear() -> None:
    """Forget every cached answer (a role or a role's permissions changed, or in tests)."""
    _cache.clear()


def clear_on_commit() -> None:
    """Forget now and again when the surrounding transaction commits (other requests of this
    process may have cached the old answer in between)."""
    clear()
    transaction.on_commit(clear)


def cached(kind: str, user: Any, load: Callable[[], T]) -> T:
    """``load()`` for ``user``, from the process cache when fresh and outside a transaction."""
    return cached_value((kind, user.pk, bool(getattr(user, "is_superuser", False))), load)


def cached_value(
    key: tuple[Any, ...], load: Callable[[], T], seconds: float = ACCESS_CACHE_SECONDS
) -> T:
    """``load()`` under ``key`` (a hashable tuple starting with a kind name), kept per process for
    ``seconds``; inside a transaction always ``load()`` (see the module docstring)."""
    if transaction.get_connection().in_atomic_block:
        return load()
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[no-any-return]
    value = load()
    if len(_cache) >= _MAX_ENTRIES:
        _cache.clear()
    _cache[key] = (now + seconds, value)
    return value
