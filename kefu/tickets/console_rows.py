"""Rows of the 坐席工作台 lists — 工作台列表行: read with ``.values()``, shown without lookups.

The console is the page every agent keeps open (refreshed every 30 s), so its lists are built
for cheapness: one query per list reading only the columns the table shows, and every piece of
display (status tag, SLA tag and countdown text, shortened title, links) computed here once per
row instead of through per-row template includes and filters. The HTML is the same as the ticket
tables' (``_status_tag.html``, ``_sla.html``, ``_flags.html``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from kefu.core.compiled import values_once

from .choices import Status
from .services.clock import sla_summary_of_row
from .templatetags.ticket_tags import SLA_TAGS, STATUS_TAGS, clock_words, sla_text

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


def shorten(text: str, length: int) -> str:
    """``Truncator(text).chars(length)`` (…-ended when longer), without its per-character walk
    for the usual text that already fits (composed, no longer than ``length``)."""
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(length)


def _listed(
    build: Callable[..., QuerySet[Any]], args: tuple[Any, ...], fields: tuple[str, ...], limit: int
) -> QuerySet[Any]:
    return build(*args).values(*fields)[:limit]


def console_rows(
    build: Callable[..., QuerySet[Any]],
    args: tuple[Any, ...],
    *,
    limit: int,
    now: dt.datetime,
    with_owner: bool = False,
) -> list[dict[str, Any]]:
    """At most ``limit`` rows of ``build(*args)`` (its order kept) as dicts ready for
    ``_console_table``.

    ``build`` is a selector that depends on its arguments alone (``selectors.open_tickets_held_by``
    and the like): the list is compiled once per set of arguments (``kefu.core.compiled``) —
    the console is read every 30 s by every agent, and building and compiling its three queries
    cost more CPU than running them.
    """
    fields = (*CONSOLE_FIELDS, OWNER_FIELD) if with_owner else CONSOLE_FIELDS
    detail = _pattern("tickets:ticket_detail")
    accept = _pattern("tickets:ticket_act", "accept")
    accept_transfer = _pattern("tickets:ticket_act", "accept_transfer")
    rows = values_once(_listed, build, args, fields, limit)
    words = clock_words()
    status_labels = {value: str(label) for value, label in STATUS_LABELS.items()}
    for row in rows:
        pk = row["id"]
        sla = sla_summary_of_row(row, now=now)
        sla["tag"] = SLA_TAGS.get(sla["stage"], "tag-grey")
        sla["text"] = sla_text(sla, words)
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
            title_short=shorten(row["title"], 24),
            customer_short=shorten(row["customer__name"] or "", 12),
            owner_name=row.get(OWNER_FIELD) or "",
            status_tag=STATUS_TAGS.get(row["status"], "tag-grey"),
            status_label=status_labels.get(row["status"], row["status"]),
            unanswered_message=row["offline_message"] and not row["responded"],
            sla=sla,
        )
    return rows


def console_rows_html(
    rows: list[dict[str, Any]], *, show_owner: bool, claim: bool, csrf_token: str = ""
) -> SafeString:
    """The ``<tr>`` rows of a console table — 工作台列表行的 HTML — for ``console_rows``' dicts.

    Built here rather than by a ``{% for %}`` loop: the console shows up to 120 rows and the
    template engine spent about 0.15 ms per row resolving its ~30 variables, as much as all the
    page's queries together (docs/performance.md). Every value from the database goes through
    ``escape``; the words are translated once per table. The markup is the one the tables of
    requests use (``_status_tag.html``, ``_sla.html``, ``_flags.html``): the page script, the
    htmx refresh and the browser tests read its ``data-*`` attributes.
    """
    w_demand = escape(gettext("特殊要求"))
    w_flag = escape(gettext("小红旗"))
    w_message = (
        f' <span class="tag tag-orange" data-testid="offline-message" '
        f'title="{escape(gettext("客户留言，尚未回复，请优先处理"))}">{escape(gettext("留言"))}</span>'
    )
    w_unassigned = escape(gettext("未分派"))
    w_claim = escape(gettext("认领"))
    w_accept_transfer = escape(gettext("接收转交"))
    csrf_input = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        if csrf_token
        else ""
    )
    parts: list[str] = []
    for t in rows:
        number = escape(t["number"])
        title = escape(t["title_short"])
        if t["red_flag"]:
            title += (
                f' <span class="tag tag-red red-flag" data-testid="red-flag" '
                f'title="{w_demand}：{escape(t["red_flag_note"])}">&#9873; {w_flag}</span>'
            )
        if t["unanswered_message"]:
            title += w_message
        sla = t["sla"]
        stage = escape(sla["stage"])
        if sla["stage"] in ("done", "none"):
            sla_html = f'<span class="muted" data-sla-stage="{stage}">—</span>'
        else:
            seconds = sla["seconds"]
            timing = (
                f' data-sla-seconds="{int(seconds)}" title="{escape(sla["title"])}"'
                if seconds is not None
                else ""
            )
            sla_html = (
                f'<span class="tag {escape(sla["tag"])}" data-sla-stage="{stage}"{timing}>'
                f"{escape(sla['text'])}</span>"
            )
        parts.append(
            f'<tr data-number="{number}">\n'
            f'<td><a class="mono" href="{escape(t["url"])}">{number}</a></td>\n'
            f"<td>{title}</td>\n"
            f"<td>{escape(t['customer_short'])}</td>\n"
            f'<td><span class="tag {escape(t["status_tag"])}" data-status="{escape(t["status"])}">'
            f"{escape(t['status_label'])}</span></td>\n"
            f"<td>{sla_html}</td>\n"
        )
        if show_owner:
            owner = escape(t["owner_name"]) if t["owner_id"] else w_unassigned
            parts.append(f"<td>{owner}</td>")
        parts.append("\n")
        if claim:
            form = ""
            if t["claim_url"]:
                word = w_accept_transfer if t["owner_id"] else w_claim
                form = (
                    f'<form method="post" action="{escape(t["claim_url"])}">{csrf_input}'
                    '<input type="hidden" name="next" value="workbench">'
                    f'<button class="link" type="submit">{word}</button></form>'
                )
            parts.append(f"<td>{form}</td>")
        parts.append("\n</tr>")
    return mark_safe("".join(parts))  # every interpolated value escaped above
