"""Exports — 工单导出记录 (SEC-1, SEC-3): a file leaving the system is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kefu.core import audit

from .common import OBJECT_TYPE, require_perm

EXPORT = "tickets.export_ticket"


@transaction.atomic
def tickets_export_record(*, actor: Any, count: int, filters: dict[str, Any]) -> None:
    """Record that a list of requests left the system as a file — 导出工单 (audited).

    The file holds what the list showed the exporter, phones masked as on screen.
    """
    require_perm(actor, EXPORT)
    audit.record(
        actor=actor,
        action="ticket.export",
        object_type=OBJECT_TYPE,
        after={"count": count, "filters": {k: str(v) for k, v in filters.items() if v}},
    )
