"""The repair-order list's page query — 维修单列表 SQL, written once per filter shape.

The list is the AS-2 benchmark's hot path (p95 ≤ 30 ms at a million orders on two shared cores,
so every millisecond of CPU counts). Building its one query with the ORM — the filters, the name
sub-queries, the capped count, ``.values()`` — cost ~1.3 ms of Python per request, more than
PostgreSQL spent running it. Every list filter but the keyword is a plain column comparison, so
the SQL text is written here once per *shape* (which filters are set, which columns, the
database vendor) and cached; a request only supplies the values. The SQL is the text the ORM
wrote for the same filters (same indexes and plans). The keyword ``q`` stays with the ORM
(``selectors.repairs_for_user``), whose arms use index tricks not worth repeating here; it reads
the same row expressions (``row_sql``) as annotations.

Timestamps come back as UTC text (``YYYY-MM-DD HH:MM:SS[.ffffff]``), not datetimes: psycopg's
timestamp loading behind Django's time-zone loader (Python) was ~0.7 ms of a 20-row API page.
PostgreSQL writes the text with ``to_char``; SQLite stores exactly that text. ``listing`` turns it
into the JSON's ISO form or, for the few values the page computes with, a datetime.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import connection

# Row values computed in SQL, by name (besides the model's own columns and ``_name_sql``'s names):
# timestamps as text, and the page's current clock (``listing.running_clock`` in SQL: tested equal).
TEXT_TIMES: dict[str, str] = {
    "reported_text": "reported_at",
    "arrival_due_text": "arrival_due",
    "fixed_due_text": "fixed_due",
    "spare_due_text": "spare_due",
}
# After 签收 only 关闭 can follow: no clock runs (``listing.STOPPED``).
_STOPPED_SQL = "('closed', 'signed_off')"
# The filters a shape is made of, in the order the ORM writes them (``repairs_for_user``).
SHAPE_KEYS = ("status", "breached", "technician_id", "customer_id", "date_from", "date_to")


def supported() -> bool:
    """The vendors whose timestamp text this module writes (the project's two)."""
    return connection.vendor in ("postgresql", "sqlite")


def _ts(col: str) -> str:
    """A timestamp column as UTC text ``YYYY-MM-DD HH:MM:SS[.ffffff]``."""
    if connection.vendor == "postgresql":
        return f"to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    # SQLite: Django stores the UTC time as this text; the cast drops the declared type, which
    # would make sqlite3 parse it into a (naive) datetime.
    return f"CAST({col} AS TEXT)"


@functools.cache
def row_sql(vendor: str) -> dict[str, str]:
    """SQL expressions of the computed row values, on the unaliased repair-order table."""
    from .models import RepairOrder
    from .selectors import _name_sql

    assert vendor == connection.vendor
    t = connection.ops.quote_name(RepairOrder._meta.db_table)
    due = {k: _ts(f"{t}.{k}_due") for k in ("arrival", "fixed")}
    stopped = f"{t}.remote_at IS NOT NULL OR {t}.status IN {_STOPPED_SQL}"
    clock = "CASE WHEN {stopped} THEN NULL WHEN {t}.arrived_at IS NULL THEN {a} WHEN {t}.fixed_at IS NULL THEN {f} END"
    return {
        **_name_sql(),
        **{name: _ts(f"{t}.{col}") for name, col in TEXT_TIMES.items()},
        "clock_key": clock.format(stopped=stopped, t=t, a="'arrival'", f="'fixed'"),
        "clock_due_text": clock.format(stopped=stopped, t=t, a=due["arrival"], f=due["fixed"]),
    }


def shape_of(filters: dict[str, Any]) -> tuple[str, ...]:
    """Which filters are set (``breached`` by its value: the ORM writes ``col`` / ``NOT col``)."""
    shape = []
    for key in SHAPE_KEYS:
        value = filters.get(key)
        if value is None or value == "":
            continue
        shape.append(("breached" if value else "not_breached") if key == "breached" else key)
    return tuple(shape)


def _where(shape: tuple[str, ...], alias: str) -> str:
    conds = {
        "status": f'{alias}."status" = %s',
        "breached": f'{alias}."breached"',
        "not_breached": f'NOT {alias}."breached"',
        "technician_id": f'{alias}."technician_id" = %s',
        "customer_id": f'{alias}."customer_id" = %s',
        "date_from": f'{alias}."reported_at" >= %s',
        "date_to": f'{alias}."reported_at" < %s',
    }
    parts = [conds[k] for k in shape]
    if not parts:
        return ""
    return " WHERE " + (parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")")


def where_params(filters: dict[str, Any]) -> list[Any]:
    """The values of the shape's placeholders (report dates → Asia/Shanghai day bounds)."""
    from kefu.core.calendar import SHANGHAI

    adapt = connection.ops.adapt_datetimefield_value
    out: list[Any] = []
    for key in SHAPE_KEYS:
        value = filters.get(key)
        if value is None or value == "" or key == "breached":
            continue
        if key == "date_from":
            value = adapt(dt.datetime.combine(value, dt.time.min, tzinfo=SHANGHAI))
        elif key == "date_to":
            day = value + dt.timedelta(days=1)
            value = adapt(dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI))
        out.append(value)
    return out


@functools.lru_cache(maxsize=512)
def count_sql(vendor: str, shape: tuple[str, ...]) -> str:
    """``count(*)`` of at most ``%s`` matching rows (params: the filters', then the cap + 1)."""
    from .models import RepairOrder

    table = connection.ops.quote_name(RepairOrder._meta.db_table)
    return (
        f'SELECT count(*) FROM (SELECT U0."id" FROM {table} U0{_where(shape, "U0")} '
        f"LIMIT %s) _capped"
    )


@functools.lru_cache(maxsize=512)
def page_sql(vendor: str, fields: tuple[str, ...], shape: tuple[str, ...]) -> str:
    """The page's rows newest first, each carrying the capped count as ``_count``.

    Params: the filters' and the cap + 1 (the count), the filters' (the rows), size, offset.
    """
    from .models import RepairOrder

    q = connection.ops.quote_name
    t = q(RepairOrder._meta.db_table)
    computed = row_sql(vendor)
    cols = []
    for name in fields:
        if name in computed:
            cols.append(f"({computed[name]}) AS {q(name)}")
        else:
            cols.append(f"{t}.{q(RepairOrder._meta.get_field(name).column)} AS {q(name)}")
    cols.append(f'({count_sql(vendor, shape)}) AS "_count"')
    return (
        f"SELECT {', '.join(cols)} FROM {t}{_where(shape, t)} "
        f'ORDER BY {t}."id" DESC LIMIT %s OFFSET %s'
    )


@functools.cache
def bool_fields(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The boolean columns among ``fields`` (SQLite returns them as 0/1)."""
    from django.db.models import BooleanField

    from .models import RepairOrder

    names = {f.name for f in RepairOrder._meta.concrete_fields if isinstance(f, BooleanField)}
    return tuple(f for f in fields if f in names)


def fetch(sql: str, params: list[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of ``sql`` as dicts of ``fields`` + ``_count`` (booleans as bool on every vendor)."""
    names = (*fields, "_count")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    if connection.vendor != "postgresql":
        for name in bool_fields(fields):
            for row in rows:
                row[name] = bool(row[name])
    return rows


def count(shape: tuple[str, ...], params: list[Any], cap: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(count_sql(connection.vendor, shape), [*params, cap + 1])
        return cursor.fetchone()[0]
