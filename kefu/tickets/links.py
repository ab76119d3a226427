"""Links other modules add to a ticket's page — 工单页的关联入口.

The complaints app adds "客户投诉记录卡" (or "转为投诉" for a 投诉 ticket without its card) without
the tickets app knowing complaints. A provider takes the ticket and the viewer and returns
``(label, url)`` pairs, or none.

Most requests have nothing linked to them (no handover, return case, survey or visit). A provider
that shows only rows pointing at the request names those columns (``linked_by``, e.g.
``"duty.HandoverTicket.ticket"``); one statement built once per process asks all of them at once
whether any row points at this request, and a provider is called only when one does — instead of
each running its own scoped query on every view of the page (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection

from kefu.core import rowsql

from .models import Ticket

LinkProvider = Callable[[Ticket, Any], list[tuple[str, str]]]

_PROVIDERS: dict[str, tuple[LinkProvider, tuple[str, ...]]] = {}


def register_ticket_links(
    key: str, provider: LinkProvider, *, linked_by: tuple[str, ...] = ()
) -> None:
    """Add (or replace, by ``key``) a provider of links on the ticket page.

    ``linked_by``: ``"app_label.Model.field"`` foreign keys to Ticket; when given, the provider
    is called only for a request some row of them points at. Leave it empty for a provider that
    may show a link without any such row (e.g. "生成维修单").
    """
    for name in linked_by:
        _linked_column(name)  # a misspelt name fails at start-up, not on a page
    _PROVIDERS[key] = (provider, linked_by)
    _probe_sql.cache_clear()


def _linked_column(name: str) -> tuple[str, str]:
    """(table, column) of ``"app_label.Model.field"``, a foreign key to Ticket."""
    app_label, model_name, field_name = name.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    if getattr(field, "related_model", None) is not Ticket:
        raise ValueError(f"{name} is not a foreign key to Ticket")
    return field.model._meta.db_table, field.column


@cache
def _probe_sql(names: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    probes = []
    for name in names:
        table, column = _linked_column(name)
        probes.append(f"EXISTS (SELECT 1 FROM {q(table)} x WHERE x.{q(column)} = %s)")
    return f"SELECT {', '.join(probes)}"


def _linked(ticket_pk: int) -> dict[str, bool]:
    """For every ``linked_by`` name of the registry: does some row point at the request?"""
    names = tuple(sorted({n for _provider, linked_by in _PROVIDERS.values() for n in linked_by}))
    if not names:
        return {}
    with rowsql.cursor() as cursor:
        cursor.execute(_probe_sql(names), [ticket_pk] * len(names))
        row = cursor.fetchone()
    return {name: bool(found) for name, found in zip(names, row, strict=True)}


def ticket_links(ticket: Ticket, user: Any) -> list[tuple[str, str]]:
    """Every registered provider's links for ``ticket`` as ``user`` sees it."""
    linked = _linked(ticket.pk)
    links: list[tuple[str, str]] = []
    for provider, linked_by in _PROVIDERS.values():
        if linked_by and not any(linked[name] for name in linked_by):
            continue
        links.extend(provider(ticket, user))
    return links
