"""Reads compiled once — 编译一次的只读查询: a ``.values()`` query kept as SQL per set of inputs.

Django builds and compiles a QuerySet anew on every call; for the lists a page shows on every
view (the 工作台 is refreshed every 30 s by every agent) building and compiling cost more CPU than
PostgreSQL spent answering (docs/performance.md, 2026-11-24). ``values_once(build, *args)``
compiles ``build(*args)`` the first time it meets those arguments and keeps the SQL, its
parameters, the column names and the fields' converters; later calls with the same arguments run
the kept SQL (prepared on PostgreSQL, ``kefu.core.rowsql``) and convert the rows exactly as the
ORM's ``ValuesIterable`` would.

The contract that makes this safe: ``build`` must be a module-level function whose QuerySet
depends on its arguments alone — no clock, no request, no database read while building (compute
such inputs first and pass them in; they become part of the key). Everything a viewer's scope
adds must arrive as an argument, so two viewers share SQL only when their queries are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

from . import rowsql

# Kept per process: one entry per list shape and viewer inputs (a few per person at most).
CACHE_SIZE = 4096


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    col_count: int
    using: str


@lru_cache(maxsize=CACHE_SIZE)
def _compiled(build: Callable[..., QuerySet[Any]], args: tuple[Hashable, ...]) -> _Compiled | None:
    qs = build(*args)
    if not isinstance(qs, QuerySet) or qs._iterable_class is not ValuesIterable:
        raise TypeError(f"{build.__qualname__} must return a .values() QuerySet")
    query = qs.query
    compiler = query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None  # e.g. a filter on an empty list: nothing, without asking the database
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = tuple(
        (i, tuple(found), expression)
        for i, (found, expression) in compiler.get_converters(columns).items()
    )
    return _Compiled(sql, tuple(params), names, converters, compiler.col_count, qs.db)


def values_once(build: Callable[..., QuerySet[Any]], *args: Hashable) -> list[dict[str, Any]]:
    """``list(build(*args))`` for a ``.values()`` QuerySet, compiled once per ``args``.

    ``build`` and ``args`` are the cache key: see the module's contract.
    """
    compiled = _compiled(build, args)
    if compiled is None:
        return []
    with rowsql.cursor(compiled.using) as cursor:
        cursor.execute(compiled.sql, compiled.params)
        rows = cursor.fetchall()
    connection = connections[compiled.using]
    names = compiled.names
    result = []
    for row in rows:
        values = list(row[: compiled.col_count])
        for i, found, expression in compiled.converters:
            for converter in found:
                values[i] = converter(values[i], expression, connection)
        result.append(dict(zip(names, values, strict=True)))
    return result


def clear() -> None:
    """Forget every kept statement (tests that change a builder's meaning)."""
    _compiled.cache_clear()
