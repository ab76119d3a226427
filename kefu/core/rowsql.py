"""Lean row I/O for the hottest statements — 热点语句的精简读写.

Django compiles every query anew: on the benchmark machine building the SQL for an insert of a
wide row, or for a five-table ``select_related``, costs more CPU than PostgreSQL spends running
it (docs/performance.md, issue #3: creating a service request). For the few statements that run
on every API call or every audited write, this module builds the SQL once per process from the
models' own field definitions and converts values with the fields' own methods, so a row read or
written here is exactly the row the ORM would read or write:

* ``insert(obj)`` — ``obj.save()`` for a new row: ``pre_save`` (``auto_now_add``), then
  ``get_db_prep_save`` per field, ``INSERT … RETURNING`` the primary key (PostgreSQL and
  SQLite ≥ 3.35). Models whose insert needs more than that (database defaults, custom
  placeholders, a ``save`` override that does more than guard) are refused: use ``save()``;
* ``Columns`` — a model's columns under a table alias for a hand-written ``SELECT``, and the
  instance built from its slice of a result row, through the backend's and the fields' converters
  (``from_db_value``), exactly as the ORM's compiler applies them.

No model signals are sent (the project has no receivers: business logic never hangs on them).

On PostgreSQL these statements run as **prepared statements** (``cursor()``): the SQL text is
the same on every call, so the server parses and plans it once per connection instead of once
per call — the token lookup's six-table join took 1.36 ms sent as text, 0.21 ms prepared
(pgbench, docs/performance.md "2026-11-23 (night)"). The ORM's queries keep psycopg's
client-side binding; only this module's cursors bind on the server. ``DB_PREPARED=0`` in the
environment turns it off (a pooler in transaction mode that does not track prepared
statements, docs/deployment.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model
from django.utils.asyncio import async_unsafe

M = TypeVar("M", bound=Model)


# Field classes that store a value of exactly this Python type (or None) as it is: for these
# get_db_prep_save is the identity on PostgreSQL and SQLite, so insert() skips the call (on a
# wide row it was most of the statement's CPU). Exact classes only: a subclass may convert.
_STORED_AS_IS: dict[type[Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
}


def _stored_as_is(field: Field, vendor: str) -> type | None:
    if vendor not in ("postgresql", "sqlite"):
        return None
    if type(field) is models.ForeignKey:
        field = field.target_field
    return _STORED_AS_IS.get(type(field))


@cache
def _insert_plan(
    model: type[Model], alias: str
) -> tuple[str, tuple[tuple[Field, type | None, bool], ...]]:
    """The INSERT's SQL and, per column, its field, the type it stores as is (or None) and
    whether its ``pre_save`` is plain attribute access (not ``auto_now_add`` and the like)."""
    meta = model._meta
    connection = connections[alias]
    if [f.attname for f in meta.db_returning_fields] != [meta.pk.attname]:
        raise TypeError(f"{meta.label}: fields returned by the database besides the key")
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    if any(hasattr(f, "get_placeholder") for f in fields):
        raise TypeError(f"{meta.label}: a field with its own SQL placeholder")
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {q(meta.pk.column)}"
    )
    steps = tuple(
        (f, _stored_as_is(f, connection.vendor), type(f).pre_save is Field.pre_save) for f in fields
    )
    return sql, steps


def insert(obj: M) -> M:
    """Insert the new row ``obj`` (primary key unset) like ``obj.save()`` does; returns it."""
    alias, sql, params = insert_statement(obj)
    with cursor(alias) as c:
        c.execute(sql, params)
        (pk,) = c.fetchone()
    return inserted(obj, alias, pk)


def insert_statement(obj: Model) -> tuple[str, str, list[Any]]:
    """``(database alias, SQL, values)`` of the INSERT ``insert(obj)`` runs — for a caller that
    wraps it in a larger statement (``insert_columns`` names the columns, in order)."""
    model = type(obj)
    if obj.pk is not None or not obj._state.adding:
        raise ValueError("insert() stores a new row only")
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    sql, steps = _insert_plan(model, alias)
    params = []
    for field, as_is, plain_pre_save in steps:
        value = getattr(obj, field.attname) if plain_pre_save else field.pre_save(obj, add=True)
        if value is not None and type(value) is not as_is:
            value = field.get_db_prep_save(value, connection)
        params.append(value)
    return alias, sql, params


def insert_columns(model: type[Model], alias: str = DEFAULT_DB_ALIAS) -> tuple[str, ...]:
    """The columns of ``insert_statement``'s values, in order."""
    return tuple(field.column for field, _as_is, _pre_save in _insert_plan(model, alias)[1])


def inserted(obj: M, alias: str, pk: Any) -> M:
    """Mark ``obj`` as the stored row ``pk`` (what ``save()`` leaves on a new instance)."""
    setattr(obj, type(obj)._meta.pk.attname, pk)
    obj._state.adding = False
    obj._state.db = alias
    return obj


@async_unsafe
def cursor(using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor for statements whose SQL text never changes: prepared on PostgreSQL.

    On PostgreSQL with ``prepare_threshold`` set (config/settings/base.py), a server-side
    binding cursor that prepares every statement on its first execution (psycopg keeps up to
    100 per connection, least recently used dropped); the values travel apart from the SQL.
    Otherwise — SQLite, or preparing turned off — the connection's ordinary cursor. Either way
    wrapped as ``connection.cursor()`` wraps its own, so execute wrappers, error translation and
    query logging see these statements like any other.
    """
    db = connections[using]
    if db.vendor != "postgresql":
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:
        return db.cursor()
    db.validate_thread_sharing()
    prepared_cursor, set_time_zone = _postgresql()
    with db.wrap_database_errors:
        c = prepared_cursor(raw)
    set_time_zone(db, raw, c)
    return (_LoggedCursor if db.queries_logged else CursorWrapper)(c, db)


@cache
def _postgresql() -> tuple[type, Any]:
    """Django's server-binding psycopg cursor asking psycopg to prepare every statement, and
    the time-zone step of ``DatabaseWrapper.create_cursor`` (imported once, PostgreSQL only)."""
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs["prepare"] = True
            return super().execute(query, params, **kwargs)

    def set_time_zone(db: BaseDatabaseWrapper, raw: Any, c: Any) -> None:
        # As create_cursor: a cursor-level time zone only if the connection's differs (it does
        # not under USE_TZ, where both are UTC).
        if db.timezone != raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
            register_tzloader(db.timezone, c)

    return PreparedCursor, set_time_zone


class _LoggedCursor(CursorDebugWrapper):
    """Query logging (DEBUG, ``assertNumQueries``) of a prepared statement.

    psycopg keeps no text of a statement it runs prepared, where Django's log reads it: the
    logged SQL is composed client-side from the same SQL and values, as the ORM's cursors send
    theirs — only while queries are being logged.
    """

    def execute(self, sql: str, params: Any = None) -> Any:
        try:
            logged = self.db.ops.compose_sql(sql, params)
        except Exception:  # values the client side cannot inline: log the statement as written
            logged = sql
        with self.debug_sql(logged):
            return CursorWrapper.execute(self, sql, params)

    def executemany(self, sql: str, param_list: Any) -> Any:
        raise NotImplementedError("rowsql runs one statement at a time")


class Columns:
    """A model's concrete columns under ``alias`` in a hand-written query, and the instance made
    from its slice of a row (None when the slice's key is NULL: an unmatched LEFT JOIN)."""

    def __init__(
        self,
        model: type[Model],
        alias: str,
        names: Sequence[str] = (),
        using: str = "default",
    ) -> None:
        self.model = model
        self.using = using
        # ``names``: only these fields (the others deferred, as with ``.only()``); the key always.
        self.fields = tuple(
            f for f in model._meta.concrete_fields if not names or f.name in names or f.primary_key
        )
        self._attnames = None if not names else [f.attname for f in self.fields]
        connection = connections[using]
        q = connection.ops.quote_name
        self.sql = ", ".join(f"{q(alias)}.{q(f.column)}" for f in self.fields)
        self._converters: list[tuple[int, list[Any], Any]] = []
        for i, f in enumerate(self.fields):
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self._converters.append((i, found, col))
        self._pk_index = self.fields.index(model._meta.pk)

    def __len__(self) -> int:
        return len(self.fields)

    def values(self, row: Sequence[Any], start: int) -> list[Any]:
        """The slice's values converted as the ORM converts them (``instance`` without the
        instance, for a caller that needs a value or two), in ``self.fields`` order."""
        values = list(row[start : start + len(self.fields)])
        if self._converters:
            connection = connections[self.using]
            for i, converters, col in self._converters:
                for converter in converters:
                    values[i] = converter(values[i], col, connection)
        return values

    def instance(self, row: Sequence[Any], start: int) -> Any:
        if row[start + self._pk_index] is None:
            return None
        return self.model.from_db(self.using, self._attnames, self.values(row, start))


@cache
def columns(model: type[Model], alias: str, names: tuple[str, ...] = ()) -> Columns:
    """``Columns`` of ``model`` under ``alias`` (only ``names`` if given), built once per process."""
    return Columns(model, alias, names)
