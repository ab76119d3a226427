"""Exports — 投诉统计导出记录 (SEC-1, SEC-3): a file leaving the system is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kefu.core import audit
from kefu.core.errors import PermissionDeniedError

from .. import selectors

OBJECT_TYPE = "complaints.complaint"


@transaction.atomic
def stats_export_record(*, actor: Any, month: dt.date, count: int) -> None:
    """Record that the month's 投诉统计表 left the system as a file — 导出投诉统计 (audited)."""
    if not selectors.can_view_stats(actor):
        raise PermissionDeniedError()
    audit.record(
        actor=actor,
        action="complaint.stats_export",
        object_type=OBJECT_TYPE,
        after={"month": month.strftime("%Y-%m"), "count": count},
    )
