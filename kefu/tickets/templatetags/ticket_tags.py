"""Template helpers for service requests — 工单: status colours and the SLA countdown text."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

register = template.Library()

STATUS_TAGS = {
    "new": "tag-orange",
    "in_progress": "tag-blue",
    "waiting_customer": "tag-grey",
    "transferred": "tag-orange",
    "resolved": "tag-green",
    "closed": "tag-grey",
}
SLA_TAGS = {
    "on_time": "tag-green",
    "warning": "tag-orange",
    "overdue": "tag-red",
    "paused": "tag-grey",
    "done": "tag-blue",
    "none": "tag-grey",
}


@register.filter
def status_tag(status: str) -> str:
    """The tag colour of a 工单状态."""
    return STATUS_TAGS.get(status, "tag-grey")


@register.filter
def sla_tag(stage: str) -> str:
    return SLA_TAGS.get(stage, "tag-grey")


def clock_words() -> dict[str, str]:
    """The words of a countdown (剩余/超时, 天/小时/分) in the active language — looked up once
    per table by the pages that show many rows (gettext is not free)."""
    return {
        "left": gettext("剩余"),
        "over": gettext("超时"),
        "d": gettext("天"),
        "h": gettext("小时"),
        "m": gettext("分"),
    }


def duration(seconds: int, words: dict[str, str] | None = None) -> str:
    """2天3小时 / 3小时5分 / 12分 — the size of a time left or overdue, to the minute.

    Built from the unit words alone so the page's ticking script (tickets/sla.js) writes the
    same text with the same translated words. ``words``: ``clock_words()`` looked up earlier.
    """
    w = words or clock_words()
    minutes = abs(int(seconds)) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}{w['d']}{hours}{w['h']}"
    if hours:
        return f"{hours}{w['h']}{mins}{w['m']}"
    return f"{mins}{w['m']}"


@register.filter
def sla_text(summary: dict[str, Any] | None, words: dict[str, str] | None = None) -> str:
    """What the countdown tag says: 剩余 3小时5分 / 已超时 12分 / 暂停计时 / 已解决."""
    if not summary:
        return ""
    seconds = summary.get("seconds")
    if seconds is None:
        return gettext(summary.get("label") or "") if summary.get("label") else "—"
    w = words or clock_words()
    return f"{w['over'] if seconds < 0 else w['left']} {duration(seconds, w)}"


@register.simple_tag(takes_context=True)
def console_table_rows(
    context: template.Context,
    rows: list[dict[str, Any]],
    show_owner: Any = False,
    claim: Any = False,
) -> str:
    """The rows of a 工作台 table (``console_rows_html``), with this page's CSRF token."""
    from ..console_rows import console_rows_html

    token = str(context.get("csrf_token") or "")
    return console_rows_html(
        rows,
        show_owner=bool(show_owner),
        claim=bool(claim),
        csrf_token="" if token == "NOTPROVIDED" else token,
    )
