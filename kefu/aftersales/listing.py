"""The repair-order list — 维修单列表: rows as plain values for the page and the API.

The list is the hot path (AS-2 benchmark: p95 ≤ 30 ms at a million orders), so a row is read
with ``.values()`` (no model instances, only the columns shown; names of the customer, the
technician and the product as scalar sub-queries, ``selectors.repair_list_values``) and
everything the table shows
is computed here once per row with plain comparisons: the current clock needs only the stored
deadlines and stage times, no policy read or calendar per row. The template then only prints
strings (``_repair_table.html``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from kefu.core.calendar import SHANGHAI
from kefu.tickets.templatetags.ticket_tags import SLA_TAGS, clock_words, duration

from .choices import RepairStatus
from .clocks import CLOCK_LABELS

# What the API's list item holds (RepairListOut), in query terms.
API_FIELDS: tuple[str, ...] = (
    "id",
    "number",
    "status",
    "customer_id",
    "customer_name",
    "installation_id",
    "serial_number",
    "technician_id",
    "technician_name",
    "reported_text",
    "in_warranty",
    "breached",
    "arrival_breached",
    "fixed_breached",
    "spare_breached",
    "arrival_due_text",
    "fixed_due_text",
    "spare_due_text",
)
# The page shows the product and the current clock (``running_clock``, computed in SQL: the
# clock's key and deadline, not the seven stage times and deadlines it is decided from).
PAGE_FIELDS: tuple[str, ...] = (
    "id",
    "number",
    "status",
    "customer_name",
    "installation_id",
    "serial_number",
    "product_name",
    "technician_name",
    "reported_text",
    "breached",
    "clock_key",
    "clock_due_text",
)
STATUS_LABELS: dict[str, str] = dict(RepairStatus.choices)
# After 签收 only 关闭 can follow: an unmet clock (a spare unit, never repaired) stays unmet.
STOPPED = frozenset({RepairStatus.SIGNED_OFF, RepairStatus.CLOSED})
STATUS_TAGS: dict[str, str] = {
    "reported": "tag-orange",
    "assigned": "tag-blue",
    "arrived": "tag-blue",
    "fixed": "tag-green",
    "spare": "tag-green",
    "remote": "tag-green",
    "signed_off": "tag-green",
    "closed": "tag-grey",
}


def running_clock(row: dict[str, Any]) -> tuple[str, dt.datetime] | None:
    """The first clock still running — (key, deadline) — or None when all are met.

    Same clock as ``clocks.summary(clocks.readings(...))`` (tested), from the row's values
    (the list reads it computed in SQL, ``list_sql.row_sql``'s ``clock_key``: tested equal):
    到场 is met by arrival or a remote solution, 修复 by the fix or remote, 备品替代 by either of
    those or a spare in place — so once 到场 and 修复 are met, 备品替代 is too. A signed-off or
    closed order runs no clock any more (no stage can follow): nothing is counting down.
    """
    if row["remote_at"] is not None or row["status"] in STOPPED:
        return None
    if row["arrived_at"] is None:
        return "arrival", row["arrival_due"]
    if row["fixed_at"] is None:
        return "fixed", row["fixed_due"]
    return None


def clock_stage(due: dt.datetime, *, now: dt.datetime, warn_hours: float) -> tuple[str, int]:
    """(stage, whole seconds left) of a running clock, as ``clocks.reading`` decides it."""
    left = (due - now).total_seconds()
    if left < 0:
        return "overdue", int(left)
    return ("warning" if left <= warn_hours * 3600 else "on_time"), int(left)


_UNSAFE = re.compile("[&<>\"']").search


def esc(text: str) -> str:
    """``html.escape`` — its five replaces only for the rare text that needs one."""
    return escape(text) if _UNSAFE(text) else text


def table_html(rows: Iterable[dict[str, Any]]) -> str:
    """The table body: every row's ``<tr>`` (``row_html``) as one safe string, so the template
    prints one value, not one per row."""
    return mark_safe("\n".join(r["html"] for r in rows))  # each piece escaped by row_html


def _clip(text: str | None, n: int) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 1] + "…"


def page_rows(
    rows: Iterable[dict[str, Any]], *, now: dt.datetime, warn_for: Callable[[dt.date], float]
) -> list[dict[str, Any]]:
    """What each table row prints, as strings (``warn_for(report_day)``: the warning hours)."""
    base = reverse("aftersales:repair_detail", args=[0])[: -len("0/")]
    words = page_words()
    left, over = words["left"], words["over"]
    out = []
    for r in rows:
        local = utc(r["reported_text"]).astimezone(SHANGHAI)
        row = {
            "id": r["id"],
            "url": f"{base}{r['id']}/",
            "number": r["number"],
            "customer": _clip(r["customer_name"], 16),
            "has_installation": r["installation_id"] is not None,
            "product": _clip(r["product_name"], 14),
            "serial": r["serial_number"] or "",
            "status": r["status"],
            "status_label": STATUS_LABELS.get(r["status"], r["status"]),
            "status_tag": STATUS_TAGS.get(r["status"], "tag-grey"),
            "technician": r["technician_name"] or "—",
            "reported": local.strftime("%Y-%m-%d %H:%M"),
            "breached": r["breached"],
            "clock": None,
        }
        key = r["clock_key"]
        if key is not None:
            due = utc(r["clock_due_text"])
            stage, seconds = clock_stage(due, now=now, warn_hours=warn_for(local.date()))
            row["clock"] = {
                "key": key,
                "label": CLOCK_LABELS[key],
                "stage": stage,
                "tag": SLA_TAGS.get(stage, "tag-grey"),
                "seconds": seconds,
                "overdue": stage == "overdue",
                "due": due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                "text": f"{over if stage == 'overdue' else left} {duration(seconds, words)}",
            }
        row["html"] = row_html(row, words)
        out.append(row)
    return out


def page_words() -> dict[str, str]:
    """The translated words of the table, looked up once a page (gettext is not free)."""
    return {
        **clock_words(),
        "breached": gettext("已超时"),
        "view": gettext("查看"),
    }


def row_html(row: dict[str, Any], words: dict[str, str]) -> str:
    """One ``<tr>`` of the table. Built here, not in the template: at 20–100 rows a page the
    template engine's ~20 variable look-ups per row were half the page's CPU, and
    ``format_html``'s lazy-aware escaping of every piece most of the rest. Text that can come
    from users (number, names, serial, product) is escaped (``esc``); the rest are our own words
    (gettext, like ``{% translate %}``), tags and numbers. Plain text: ``table_html`` joins the
    rows and marks the whole body safe once."""
    clock = row["clock"]
    if clock is None:
        clock_html = "—"
    else:
        testid = f' data-testid="clock-{clock["key"]}-breached"' if clock["overdue"] else ""
        clock_html = (
            f'{clock["label"]} <span class="tag {clock["tag"]}" data-clock="{clock["key"]}" '
            f'data-clock-stage="{clock["stage"]}" data-sla-seconds="{clock["seconds"]}" '
            f'title="{clock["label"]} {clock["due"]}"{testid}>{clock["text"]}</span>'
        )
    if row["has_installation"]:
        product = f'{esc(row["product"])} <span class="mono muted">{esc(row["serial"])}</span>'
    else:
        product = "—"
    breached = (
        f'<span class="tag tag-red" data-testid="breach-flag">{words["breached"]}</span>'
        if row["breached"]
        else "—"
    )
    url = row["url"]
    return (  # every user-supplied piece is escaped above (``table_html`` marks it safe)
        f'<tr data-repair="{row["id"]}"><td><a class="mono" href="{url}">{esc(row["number"])}'
        f"</a></td><td>{esc(row['customer'])}</td><td>{product}</td>"
        f'<td><span class="tag {row["status_tag"]}" data-status="{row["status"]}">'
        f"{row['status_label']}</span></td><td>{esc(row['technician'])}</td>"
        f"<td>{row['reported']}</td><td>{clock_html}</td><td>{breached}</td>"
        f'<td><a href="{url}">{words["view"]}</a></td></tr>'
    )


def iso(value: dt.datetime | None) -> str | None:
    """A datetime as the API's JSON encoder writes it (DjangoJSONEncoder: milliseconds, ``Z`` for
    UTC) — done here so the encoder meets only strings (80 fewer ``default()`` calls a page)."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def utc(text: str) -> dt.datetime:
    """``list_sql``'s UTC timestamp text as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def iso_text(text: str | None) -> str | None:
    """``list_sql``'s UTC timestamp text (``YYYY-MM-DD HH:MM:SS[.ffffff]``) as ``iso`` writes the
    datetime (tested equal) — string slicing instead of a datetime per value."""
    if text is None:
        return None
    if len(text) > 19 and text[20:26] != "000000":
        return f"{text[:10]}T{text[11:23]}Z"
    return f"{text[:10]}T{text[11:19]}Z"


def api_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's list items (RepairListOut) from ``API_FIELDS`` values."""
    return [
        {
            "id": r["id"],
            "number": r["number"],
            "status": r["status"],
            "status_label": STATUS_LABELS.get(r["status"], r["status"]),
            "customer_id": r["customer_id"],
            "customer": r["customer_name"],
            "installation_id": r["installation_id"],
            "serial_number": r["serial_number"] or "",
            "technician_id": r["technician_id"],
            "technician": r["technician_name"] or "",
            "reported_at": iso_text(r["reported_text"]),
            "in_warranty": r["in_warranty"],
            "breached": r["breached"],
            "arrival_breached": r["arrival_breached"],
            "fixed_breached": r["fixed_breached"],
            "spare_breached": r["spare_breached"],
            "arrival_due": iso_text(r["arrival_due_text"]),
            "fixed_due": iso_text(r["fixed_due_text"]),
            "spare_due": iso_text(r["spare_due_text"]),
        }
        for r in rows
    ]
