"""The shape of ``seed_tickets``' data — 工单测试数据的结构: the column orders of the rows it
writes, the distributions it draws from (channels, kinds, priorities, hours of the day), the
wall-clock SLA approximations of settled requests, and the SQL that derives the pauses and
replies from the requests. ``_ticket_rows.TicketMaker`` makes the rows; it re-exports these
names for the command.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from kefu.core.calendar import SHANGHAI

from . import _ticket_vocab as vocab

TICKET_COLUMNS = (
    "id",
    "number",
    "channel",
    "kind",
    "subkind",
    "priority",
    "status",
    "title",
    "description",
    "demand",
    "customer_id",
    "customer_grade",
    "contact_name",
    "contact_phone",
    "order_no",
    "purchase_date",
    "tracking_no",
    "received_at",
    "received_by_id",
    "owner_id",
    "first_responsible_id",
    "pending_owner_id",
    "pending_department_id",
    "department_id",
    "team_id",
    "responded",
    "first_responded_at",
    "followed_up",
    "satisfied",
    "major_fault",
    "fault_report_complete",
    "first_contact_eligible",
    "first_contact_resolution",
    "resolved_at",
    "closed_at",
    "first_response_due",
    "resolution_due",
    "paused_since",
    "sla_level",
    "first_response_breached",
    "resolution_breached",
    "next_sla_check_at",
    "created_at",
    "updated_at",
    "service_mode",
    "red_flag",
    "red_flag_note",
    "offline_message",
)
CUSTOMER_COLUMNS = (
    "id",
    "code",
    "name",
    "customer_type",
    "grade",
    "region",
    "address",
    "contact_person",
    "notes",
    "created_by_id",
    "created_at",
    "updated_at",
)
PHONE_COLUMNS = ("customer_id", "phone", "last4", "created_at")
FAULT_COLUMNS = (
    "ticket_id",
    "occurred_at",
    "place",
    "symptoms",
    "handling_plan",
    "impact",
    "handling",
    "cause",
    "corrective_actions",
    "submitted_by_id",
    "submitted_at",
)

# Shares (weights) — a product default shape of a consumer-goods contact centre.
CHANNELS = {
    "hotline": 40,
    "online_chat": 34,
    "web_form": 8,
    "email": 6,
    "store": 4,
    "visit": 2,
    "staff_referral": 3,
    "letter": 2,
    "fax": 1,
}
KINDS = {
    "inquiry": 34,
    "after_sales": 26,
    "order_issue": 20,
    "complaint": 10,
    "suggestion": 6,
    "praise": 4,
}
PRIORITIES = {"normal": 80, "high": 12, "low": 5, "urgent": 3}
UNATTENDED = frozenset({"web_form", "email"})  # arrive with nobody: may wait unassigned
ONLINE = frozenset({"online_chat", "web_form"})
VIA = {
    "hotline": "phone",
    "visit": "phone",
    "store": "phone",
    "staff_referral": "phone",
    "online_chat": "online",
    "web_form": "online",
    "email": "written",
    "letter": "written",
    "fax": "written",
}
# Requests per hour of the day (Asia/Shanghai), relative.
HOURS = (1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 4, 6, 7, 7, 5, 6, 7, 7, 6, 5, 4, 4.5, 5, 4.5, 3, 2)
GREETINGS = (
    "您好，已收到您反映的问题，正在为您核实处理。",
    "您好，您的问题已登记，我们会尽快给您答复。",
    "您好，已为您联系相关部门，处理结果会第一时间通知您。",
)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


# Child rows of the requests [first, last], written by the database from the requests
# themselves. {t} the ticket table, {p} pauses, {m} messages, {e} employees. Plain SQL that
# SQLite runs too.
_VIA_SQL = (
    "CASE WHEN t.channel IN ('online_chat', 'web_form') THEN 'online' "
    "WHEN t.channel IN ('email', 'letter', 'fax') THEN 'written' ELSE 'phone' END"
)


def _pick_sql(texts: Sequence[str]) -> str:
    """One of ``texts``, chosen by the request id (varied, and the same on every run)."""
    cases = " ".join(f"WHEN {i} THEN '{text}'" for i, text in enumerate(texts))
    return f"CASE t.id %% {len(texts)} {cases} END"  # %% : the statement has parameters


PAUSE_SQL = (
    # The open pause of a request whose clock stands still (待客户, or settled: 已解决/已关闭).
    'INSERT INTO {p} (ticket_id, start, "end", reason) '
    "SELECT t.id, t.paused_since, NULL, "
    "CASE WHEN t.status = 'waiting_customer' THEN 'waiting_customer' ELSE 'resolved' END "
    "FROM {t} t WHERE t.id BETWEEN %s AND %s AND t.paused_since IS NOT NULL"
)
FIRST_REPLY_SQL = (
    # 回复客户 at the first response, by the person who took the request.
    "INSERT INTO {m} (ticket_id, kind, via, body, author_id, created_at) "
    f"SELECT t.id, 'reply', {_VIA_SQL}, {_pick_sql(GREETINGS)}, e.user_id, t.first_responded_at "
    "FROM {t} t JOIN {e} e ON e.id = COALESCE(t.first_responsible_id, t.owner_id) "
    "WHERE t.id BETWEEN %s AND %s AND t.responded"
)
RESULT_REPLY_SQL = (
    # 回复客户 with the result, by the holder, when it was resolved.
    "INSERT INTO {m} (ticket_id, kind, via, body, author_id, created_at) "
    f"SELECT t.id, 'reply', {_VIA_SQL}, {_pick_sql(vocab.REPLIES)}, e.user_id, t.resolved_at "
    "FROM {t} t JOIN {e} e ON e.id = t.owner_id "
    "WHERE t.id BETWEEN %s AND %s AND t.resolved_at IS NOT NULL"
)


def wall_clock_budgets(
    channel: str, kind: str, priority: str, grade: str
) -> tuple[dt.timedelta, dt.timedelta]:
    """Approximate (first response, resolution) budgets as wall-clock time, after the default
    targets of policy_defaults.toml; offline clocks run 15.5 h a day, hence the stretch."""
    if channel == "online_chat":
        first = dt.timedelta(seconds=15)
    elif channel in ("hotline", "visit"):
        first = 3 * MINUTE
    elif priority == "urgent":
        first = 30 * MINUTE
    elif priority == "high" or kind == "complaint" or grade in ("major", "key"):
        first = 60 * MINUTE
    elif kind in ("inquiry", "order_issue"):
        first = 120 * MINUTE
    else:
        first = 240 * MINUTE
    if kind == "complaint":
        return first, 7 * DAY  # CMP-6: calendar days
    hours = {"urgent": 4, "high": 8}.get(priority) or {
        "inquiry": 8,
        "order_issue": 24,
        "after_sales": 120,
    }.get(kind, 24)
    stretch = 1.0 if channel in ONLINE else 24 / 15.5
    return first, hours * HOUR * stretch


def finished_sla(
    received: dt.datetime,
    fr_budget: dt.timedelta,
    res_budget: dt.timedelta,
    kind: str,
    channel: str,
    first_responded_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
) -> tuple[Any, ...]:
    """Wall-clock deadlines of a settled request and the steps it reached before it was settled."""
    fr_due, res_due = received + fr_budget, received + res_budget
    stretch = 1.0 if channel in ONLINE else 24 / 15.5
    # Warnings before the deadline (complaints: 2 and 1 days), then the escalation ladder.
    offsets = [-2 * DAY, -DAY] if kind == "complaint" else [-2 * HOUR * stretch]
    offsets += [dt.timedelta(0)] + [h * HOUR * stretch for h in (2, 8, 24)]
    end = resolved_at or received
    level = sum(1 for o in offsets if end > res_due + o)
    return (
        fr_due,
        res_due,
        level,
        first_responded_at is not None and first_responded_at > fr_due,
        end > res_due,
        None,  # the clock stands still: nothing for the SLA scan
    )


def fault_report_row(
    rng: random.Random,
    pk: int,
    title: str,
    received: dt.datetime,
    submitted_by: int | None,
    submitted_at: dt.datetime | None,
) -> tuple[Any, ...]:
    city = rng.choice(vocab.CITIES)
    return (
        pk,
        f"{received.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
        f"{city}{rng.choice(vocab.DISTRICTS)}",
        f"{title}，多名客户集中反映",
        "启动重大故障预案，暂停相关批次发货",
        "影响约百名客户的正常使用",
        "已逐一联系客户安排换新或退款",
        "供应商来料批次质量问题",
        "加强来料检验，更换供应商并增加出厂抽检",
        submitted_by,
        submitted_at,
    )
