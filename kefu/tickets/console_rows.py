"""Rows of the 坐席工作台 lists — 工作台列表行: read with ``.values()``, shown without lookups.

The console is the page every agent keeps open (refreshed every 30 s), so its lists are built
for cheapness: one query per list reading only the columns the table shows, and every piece of
display (status tag, SLA tag and countdown text, shortened title, links) computed here once per
row instead of through per-row template includes and filters. The HTML is the same as the ticket
tables' (``_status_tag.html``, ``_sla.html``, ``_flags.html``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from .choices import Status
from .services.clock import sla_summary_of_row
from .templatetags.ticket_tags import SLA_TAGS, STATUS_TAGS, sla_text

# What the tables show, and what the SLA tag is computed from.
CONSOLE_FIELDS = (
    "id",
    "number",
    "title",
    "status",
    "owner_id",
    "red_flag",
    "red_flag_note",
    "offline_message",
    "responded",
    "paused_since",
    "resolution_due",
    "first_response_due",
    "sla_level",
    "customer__name",
)
OWNER_FIELD = "owner__name"
STATUS_LABELS: dict[str, str] = dict(Status.choices)
_ID = 987654321  # a placeholder id: the URL patterns are reversed once per table, not per row


def _pattern(name: str, *args: Any) -> tuple[str, str]:
    return tuple(reverse(name, args=[_ID, *args]).split(str(_ID), 1))  # type: ignore[return-value]


def _due_title(due: dt.datetime | None) -> str:
    # As the templates' ``date:'Y-m-d H:i'`` shows it: in the current time zone.
    return timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due is not None else ""


def console_rows(
    qs: QuerySet[Any], *, limit: int, now: dt.datetime, with_owner: bool = False
) -> list[dict[str, Any]]:
    """At most ``limit`` rows of ``qs`` (its order kept) as dicts ready for ``_console_table``."""
    fields = (*CONSOLE_FIELDS, OWNER_FIELD) if with_owner else CONSOLE_FIELDS
    detail = _pattern("tickets:ticket_detail")
    accept = _pattern("tickets:ticket_act", "accept")
    accept_transfer = _pattern("tickets:ticket_act", "accept_transfer")
    rows = list(qs.values(*fields)[:limit])
    for row in rows:
        pk = row["id"]
        sla = sla_summary_of_row(row, now=now)
        sla["tag"] = SLA_TAGS.get(sla["stage"], "tag-grey")
        sla["text"] = sla_text(sla)
        sla["title"] = _due_title(sla["due"])
        if not row["owner_id"]:
            claim = accept
        elif row["status"] == Status.TRANSFERRED:
            claim = accept_transfer
        else:
            claim = None
        row.update(
            pk=pk,
            url=f"{detail[0]}{pk}{detail[1]}",
            claim_url=f"{claim[0]}{pk}{claim[1]}" if claim else "",
            title_short=Truncator(row["title"]).chars(24),
            customer_short=Truncator(row["customer__name"] or "").chars(12),
            owner_name=row.get(OWNER_FIELD) or "",
            status_tag=STATUS_TAGS.get(row["status"], "tag-grey"),
            status_label=STATUS_LABELS.get(row["status"], row["status"]),
            unanswered_message=row["offline_message"] and not row["responded"],
            sla=sla,
        )
    return rows
