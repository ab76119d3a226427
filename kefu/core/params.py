"""Reading URL parameters — 查询参数: typed values from what the user (or a bookmark) sent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Ids are 64-bit signed in every supported database; a larger number would overflow the query
# (a 500) instead of simply finding nothing.
MAX_ID = 2**63 - 1


def query_id(value: str | None) -> int | None:
    """A positive database id from a query parameter, or None when absent or not one."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    if number is None or not 1 <= number <= MAX_ID:
        return None
    return number


def query_choice(params: Any, name: str, values: Iterable[str]) -> str:
    """A parameter that must be one of ``values`` (a status, a kind…); "" when absent or not one,
    so a hand-edited URL filters by nothing rather than failing."""
    value = params.get(name) or ""
    return value if value in values else ""
