"""Offline messages — 留言 (TKT-10, [000] "旺旺如有留言首先处理与回复旺旺离线时买家的留言"):
which requests arrived as a message left for the shop rather than in a live conversation.

Pure: data in, data out. The creating service asks once, with the service hours of the sla
policy in force on the day of receipt, and stores the answer on the ticket (``offline_message``),
so the console can put unanswered messages first with one indexed ordering and a later change of
service hours does not re-sort old requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kefu.core.calendar import SHANGHAI, WorkSchedule

from .choices import Channel

__all__ = ["MESSAGE_CHANNELS", "is_offline_message", "within_service_hours"]

# Channels that are always a message waiting for an answer: nobody was on the other end when
# the customer wrote (网站表单, 邮件, 信函, 传真).
MESSAGE_CHANNELS: frozenset[str] = frozenset(
    {Channel.WEB_FORM.value, Channel.EMAIL.value, Channel.LETTER.value, Channel.FAX.value}
)
# A chat is a message only when it came in while the shop was offline (outside service hours).
LIVE_WHEN_STAFFED: frozenset[str] = frozenset({Channel.ONLINE_CHAT.value})


def within_service_hours(
    at: dt.datetime, service_hours: Sequence[Sequence[str]], *, tz: dt.tzinfo = SHANGHAI
) -> bool:
    """Whether ``at`` (aware) falls inside one of the daily windows ``[["08:30", "24:00"]]``.

    Every day counts, holidays included: the online shop's chat is staffed on the roster's days,
    and the question is only whether someone was at the keyboard at that hour. A window is
    ``[start, end)``.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    schedule = WorkSchedule.from_pairs(service_hours, tz=tz)
    instant = at.astimezone(dt.UTC)
    day = instant.astimezone(tz).date()
    return any(start <= instant < end for start, end in schedule.windows(day))


def is_offline_message(
    channel: str,
    received_at: dt.datetime,
    service_hours: Sequence[Sequence[str]],
    *,
    tz: dt.tzinfo = SHANGHAI,
) -> bool:
    """留言? A web form, e-mail, letter or fax always; an online chat received outside service
    hours; anything else (热线, 来访, 门店, 员工转介, a chat during hours) never."""
    if channel in MESSAGE_CHANNELS:
        return True
    if channel in LIVE_WHEN_STAFFED:
        return not within_service_hours(received_at, service_hours, tz=tz)
    return False
