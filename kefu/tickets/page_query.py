"""The detail page's read of one request — 工单详情页的读取, one statement built once per process.

The page is the most visited after the 工作台. The ORM compiled its scoped five-table query anew
on every view, which cost more CPU than PostgreSQL spent running it (docs/performance.md,
2026-11-24). Here the SQL is built once from the models' own fields (``kefu.core.rowsql``), runs
as a prepared statement on PostgreSQL, and the instances come out as the ORM's ``select_related``
would leave them. The viewer's scope is checked by ``selectors.ticket_in_scope`` afterwards.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from kefu.core import rowsql
from kefu.core.rowsql import Columns, columns

from .models import Ticket, TicketAttachment

# The relations the page shows, as ``select_related`` would follow them: (field, alias).
PAGE_RELATED = (
    ("customer", "c"),
    ("owner", "o"),
    ("first_responsible", "fr"),
    ("team", "tm"),
)
# The extra values read with the request, in the order they follow its relations' columns.
PAGE_EXTRAS = ("has_attachments", "has_tags", "received_by_name", "received_by_username")


@cache
def _page_query() -> tuple[str, list[Columns]]:
    """The SQL and the column slices of ``ticket_page_row``."""
    q = connection.ops.quote_name
    meta = Ticket._meta
    parts = [columns(Ticket, "t")]
    joins = []
    for name, alias in PAGE_RELATED:
        field = meta.get_field(name)
        related = field.related_model
        parts.append(columns(related, alias))
        joins.append(
            f"LEFT JOIN {q(related._meta.db_table)} {q(alias)} ON "
            f"{q(alias)}.{q(related._meta.pk.column)} = {q('t')}.{q(field.column)}"
        )
    employee = meta.get_field("owner").related_model
    user = get_user_model()
    tags = Ticket.tags.through
    received_by = f"{q('t')}.{q(meta.get_field('received_by').column)}"
    pk = f"{q('t')}.{q(meta.pk.column)}"

    def exists(model: Any) -> str:
        column = model._meta.get_field("ticket").column
        return f"EXISTS (SELECT 1 FROM {q(model._meta.db_table)} x WHERE x.{q(column)} = {pk})"

    extras = [
        exists(TicketAttachment),
        exists(tags),
        f"(SELECT e.{q('name')} FROM {q(employee._meta.db_table)} e "
        f"WHERE e.{q(employee._meta.get_field('user').column)} = {received_by} LIMIT 1)",
        f"(SELECT u.{q(user.USERNAME_FIELD)} FROM {q(user._meta.db_table)} u "
        f"WHERE u.{q(user._meta.pk.column)} = {received_by})",
    ]
    sql = (
        f"SELECT {', '.join(c.sql for c in parts)}, {', '.join(extras)} "
        f"FROM {q(meta.db_table)} {q('t')} {' '.join(joins)} WHERE {pk} = %s"
    )
    return sql, parts


def ticket_page_row(pk: int) -> Ticket | None:
    """The request ``pk`` with its page's relations and extras (``PAGE_EXTRAS``) set, or None.

    Not scoped: the caller checks the viewer's scope (``selectors.ticket_page_for_user``).
    """
    low, high = connection.ops.integer_field_range(Ticket._meta.pk.get_internal_type())
    if not low <= int(pk) <= high:
        return None  # as the ORM answers a key no column can hold: no such request
    sql, parts = _page_query()
    with rowsql.cursor() as cursor:
        cursor.execute(sql, [int(pk)])
        row = cursor.fetchone()
    if row is None:
        return None
    start = 0
    objects = []
    for part in parts:
        objects.append(part.instance(row, start))
        start += len(part)
    ticket, *related = objects
    for (name, _alias), obj in zip(PAGE_RELATED, related, strict=True):
        Ticket._meta.get_field(name).set_cached_value(ticket, obj)
    has_attachments, has_tags, name, username = row[start:]
    ticket.has_attachments = bool(has_attachments)  # type: ignore[attr-defined]
    ticket.has_tags = bool(has_tags)  # type: ignore[attr-defined]
    ticket.received_by_name = name  # type: ignore[attr-defined]
    ticket.received_by_username = username  # type: ignore[attr-defined]
    return ticket
