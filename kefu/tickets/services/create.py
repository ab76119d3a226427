"""Receiving a request — 工单受理 (TKT-1, TKT-2, TKT-3, TKT-5): number, validate, store, time it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kefu.core import audit, rowsql
from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError
from kefu.core.policy import sla_policy
from kefu.core.policy.schemas import SlaPolicy
from kefu.customers.models import Customer
from kefu.customers.phones import PHONE_HINT, is_valid_phone, normalize_phone
from kefu.customers.services import customer_find_or_create_by_phone

from ..choices import (
    CHANNEL_VALUES,
    KIND_VALUES,
    PRIORITY_VALUES,
    Channel,
    Priority,
    Status,
    default_service_mode,
    kind_subkind_error,
)
from ..models import Tag, Ticket, TicketDayCounter
from .clock import refresh_due
from .common import ADD, SNAPSHOT_FIELDS, acting_employee, require_perm

TAG_MAX = 8
TEXT_MAX = 5000  # one request's description or demand; a novel belongs in an attachment


def next_number(day: dt.date) -> str:
    """The next 工单编号 of ``day`` — ``KF20261122-0001`` (unique; gaps are allowed).

    Gaps appear only when a creating transaction rolls back after taking a number, which is
    harmless: the number is a handle people read out, not an accounting sequence.

    One statement: the day's counter row is created at 1 or incremented under its row lock, and
    the new value returned (PostgreSQL and SQLite ≥ 3.35 both speak ``ON CONFLICT … RETURNING``).
    """
    with rowsql.cursor() as cursor:
        cursor.execute(_next_number_sql(), [_counter_day(day)])
        last = cursor.fetchone()[0]
    return f"{_number_prefix(day)}{last:04d}"


def _number_prefix(day: dt.date) -> str:
    return f"KF{day:%Y%m%d}-"


def _counter_day(day: dt.date) -> Any:
    return TicketDayCounter._meta.get_field("day").get_db_prep_value(day, connection)


@cache
def _next_number_sql() -> str:
    """The day's counter row created at 1 or incremented under its row lock, ``RETURNING`` the
    new value (also the ``WITH`` of ``_numbered_insert_sql``)."""
    return f"{_counter_upsert_sql(1)} RETURNING {connection.ops.quote_name('last')}"


@cache
def _counter_upsert_sql(step: int) -> str:
    """The day's counter row created at ``step`` or advanced by it, locked until the transaction
    ends (``step`` 0: only the lock, ``_hold_day_counter``)."""
    q = connection.ops.quote_name
    table, day_col, last_col = q(TicketDayCounter._meta.db_table), q("day"), q("last")
    return (
        f"INSERT INTO {table} ({day_col}, {last_col}) VALUES (%s, {step:d}) "
        f"ON CONFLICT ({day_col}) DO UPDATE SET {last_col} = {table}.{last_col} + {step:d}"
    )


def _insert_numbered(ticket: Ticket, day: dt.date) -> None:
    """``next_number`` and ``rowsql.insert`` as one statement (PostgreSQL): the day's counter is
    advanced in a data-modifying WITH and the new row takes its number from it — one round trip
    less on every request recorded (issue #3). The same row and number as the two statements
    (tests in test_create_numbering.py); SQLite has no INSERT inside WITH and keeps them."""
    ticket.number = ""  # replaced in the statement
    alias, _sql, params = rowsql.insert_statement(ticket)
    sql, at = _numbered_insert_sql(alias)
    params[at] = _number_prefix(day)
    with rowsql.cursor(alias) as cursor:
        cursor.execute(sql, [_counter_day(day), *params])
        pk, number = cursor.fetchone()
    rowsql.inserted(ticket, alias, pk)
    ticket.number = number


@cache
def _numbered_insert_sql(alias: str) -> tuple[str, int]:
    """The statement of ``_insert_numbered`` and the position of the number's prefix in its
    values (after the day)."""
    q = connection.ops.quote_name
    last_col = q("last")
    columns = rowsql.insert_columns(Ticket, alias)
    at = columns.index(Ticket._meta.get_field("number").column)
    last = f"{q('n')}.{last_col}::text"
    # f"{last:04d}": at least four digits, all of them past 9999.
    number = f"(%s || lpad({last}, greatest(4, length({last})), '0'))"
    values = ["%s"] * len(columns)
    values[at] = number
    sql = (
        f"WITH {q('n')} AS ({_next_number_sql()}) "
        f"INSERT INTO {q(Ticket._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
        f"SELECT {', '.join(values)} FROM {q('n')} "
        f"RETURNING {q(Ticket._meta.pk.column)}, {q(columns[at])}"
    )
    return sql, at


def _length(field: str) -> int:
    return Ticket._meta.get_field(field).max_length or 0


_LABELS = {
    "title": "标题",
    "contact_name": "联系人",
    "order_no": "订单号",
    "tracking_no": "快递单号",
    "description": "问题描述",
    "demand": "客户诉求",
    "contact_form_no": "工作联络单号",
    "red_flag_note": "特殊要求",
}


def validate_ticket_values(values: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """Check a request's fields; one DomainError listing every bad field, input kept by caller."""
    errors: dict[str, str] = {}
    v = {k: (x.strip() if isinstance(x, str) else x) for k, x in values.items()}
    if not v.get("title"):
        errors["title"] = "请填写标题（一句话说明客户的问题）"
    for key in ("title", "contact_name", "order_no", "tracking_no", "contact_form_no"):
        v[key] = v.get(key) or ""
        if len(v[key]) > _length(key):
            errors[key] = f"{_LABELS[key]}最多{_length(key)}个字"
    for key in ("description", "demand"):
        v[key] = v.get(key) or ""
        if len(v[key]) > TEXT_MAX:
            errors[key] = f"{_LABELS[key]}最多{TEXT_MAX}个字"
    if v.get("channel") not in CHANNEL_VALUES:
        errors["channel"] = "请选择受理渠道"
    if v.get("priority") not in PRIORITY_VALUES:
        errors["priority"] = "优先级不在可选范围内"
    v["subkind"] = v.get("subkind") or ""
    if v.get("kind") not in KIND_VALUES:
        errors["kind"] = "请选择工单类型"
    else:
        problem = kind_subkind_error(v["kind"], v["subkind"])
        if problem:
            errors["subkind"] = problem
    phone = v.get("contact_phone") or ""
    if phone:
        number = normalize_phone(phone)
        if not is_valid_phone(number):
            errors["contact_phone"] = PHONE_HINT
        v["contact_phone"] = number
    purchase = v.get("purchase_date")
    if purchase is not None and purchase > now.astimezone(SHANGHAI).date():
        errors["purchase_date"] = "购买日期不能晚于今天"
    received = v.get("received_at")
    if received is not None and received > now + dt.timedelta(minutes=5):
        errors["received_at"] = "受理时间不能晚于现在"
    flag_problem = _red_flag_problem(v)
    if flag_problem:
        errors["red_flag_note"] = flag_problem
    tags = [t.strip() for t in v.get("tags") or () if t and t.strip()]
    if len(tags) > TAG_MAX:
        errors["tags"] = f"标签最多{TAG_MAX}个"
    elif any(len(t) > 20 for t in tags):
        errors["tags"] = "每个标签最多20个字"
    v["tags"] = list(dict.fromkeys(tags))
    if errors:
        raise DomainError("ticket_invalid", "工单信息有误，请检查标红的字段", fields=errors)
    return v


def _red_flag_problem(v: dict[str, Any]) -> str | None:
    """TKT-9: a 小红旗 says the customer has special demands, so it carries them; without the
    flag there is nothing to note. Normalises ``red_flag``/``red_flag_note`` in ``v``."""
    v["red_flag"] = bool(v.get("red_flag"))
    v["red_flag_note"] = v.get("red_flag_note") or ""
    note = v["red_flag_note"]
    if len(note) > _length("red_flag_note"):
        return f"特殊要求最多{_length('red_flag_note')}个字"
    if v["red_flag"] and not note:
        return "插小红旗时请写明客户的特殊要求"
    if not v["red_flag"] and note:
        return "未插小红旗时不能填写特殊要求（请勾选小红旗，或清空特殊要求）"
    return None


def _offline_message(channel: str, received: dt.datetime, sla: SlaPolicy) -> bool:
    """TKT-10: 留言? By the service hours of ``sla``, the policy in force on the day of receipt."""
    from ..offline_messages import is_offline_message

    return is_offline_message(channel, received, sla.business_hours)


def ticket_create(
    *,
    actor: Any,
    channel: str,
    kind: str,
    customer: Customer,
    title: str,
    description: str = "",
    subkind: str = "",
    demand: str = "",
    priority: str = Priority.NORMAL,
    contact_name: str = "",
    contact_phone: str = "",
    order_no: str = "",
    purchase_date: dt.date | None = None,
    tracking_no: str = "",
    tags: Iterable[str] = (),
    received_at: dt.datetime | None = None,
    unassigned: bool = False,
    red_flag: bool = False,
    red_flag_note: str = "",
) -> Ticket:
    """Record a service request — 新建工单 (TKT-1/2/5), the receiver as 首问负责人 (TKT-3).

    The person recording it becomes its owner and 首问负责人, unless ``unassigned`` (a message
    taken from a shared queue for whoever claims it). Deadlines (TKT-4, CMP-6) are computed from
    the policies in force on the day of receipt and stored. One audit event.

    The request starts on the first rung of the 服务方式 ladder (TKT-8); ``red_flag`` with
    ``red_flag_note`` flags the customer's special demands (小红旗, TKT-9); whether it arrived as
    a 留言 (TKT-10) is decided here, once, from the channel and the service hours.

    Validation and the deadlines need only what is read before anything is written (the
    policies in force and the holiday calendar, which a request outside a transaction takes from
    the per-process caches), so they run first; the numbering, the row and its audit event are
    written in one transaction (``_store_new``).
    """
    require_perm(actor, ADD)
    employee = acting_employee(actor)
    now = timezone.now()
    values = validate_ticket_values(
        {
            "channel": channel,
            "kind": kind,
            "subkind": subkind,
            "priority": priority,
            "title": title,
            "description": description,
            "demand": demand,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "order_no": order_no,
            "purchase_date": purchase_date,
            "tracking_no": tracking_no,
            "received_at": received_at,
            "tags": tags,
            "red_flag": red_flag,
            "red_flag_note": red_flag_note,
        },
        now=now,
    )
    if customer is None or customer.pk is None:
        raise DomainError("ticket_invalid", "请选择客户", fields={"customer": "请选择客户"})
    received = values["received_at"] or now
    day = received.astimezone(SHANGHAI).date()
    sla = sla_policy(day)  # read once: the 留言 decision and the deadlines both need it
    owner = None if unassigned else employee
    ticket = Ticket(
        channel=values["channel"],
        kind=values["kind"],
        subkind=values["subkind"],
        priority=values["priority"],
        status=Status.NEW,
        title=values["title"],
        description=values["description"],
        demand=values["demand"],
        customer=customer,
        customer_grade=customer.grade,
        contact_name=values["contact_name"] or customer.contact_person or "",
        contact_phone=values["contact_phone"],
        order_no=values["order_no"],
        purchase_date=values["purchase_date"],
        tracking_no=values["tracking_no"],
        received_at=received,
        received_by=actor,
        owner=owner,
        first_responsible=owner,
        # The objects, not just their ids (employee_of joined them): the answer shows their names.
        department=employee.department,
        team=employee.team if owner else None,
        service_mode=default_service_mode(values["channel"]),
        red_flag=values["red_flag"],
        red_flag_note=values["red_flag_note"],
        offline_message=_offline_message(values["channel"], received, sla),
    )
    refresh_due(ticket, now=now, pauses=[], sla=sla)
    return _store_new(actor=actor, ticket=ticket, day=day, tags=values["tags"])


@transaction.atomic
def _store_new(*, actor: Any, ticket: Ticket, day: dt.date, tags: list[str]) -> Ticket:
    """Number, store and audit a request ``ticket_create`` has validated and timed."""
    if connection.vendor == "postgresql":
        _insert_numbered(ticket, day)
    else:
        ticket.number = next_number(day)
        rowsql.insert(ticket)  # ticket.save()'s INSERT, its SQL built once per process (issue #3)
    if tags:
        ticket.tags.set(_tags(tags))
    after = audit.snapshot(ticket, SNAPSHOT_FIELDS)
    after["tags"] = tags
    audit.record(actor=actor, action="ticket.create", obj=ticket, after=after)
    return ticket


def _tags(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return [existing[n] for n in names]


@transaction.atomic
def ticket_quick_create(
    *,
    actor: Any,
    phone: str,
    kind: str,
    title: str,
    subkind: str = "",
    channel: str = Channel.HOTLINE,
    priority: str = Priority.NORMAL,
) -> Ticket:
    """Quick entry during a call — 来电快速建单: phone number + kind + one line.

    The caller is found by phone in the 客户档案, or recorded as a new customer (CRM-1); the
    request is the receiver's (首问负责制). The details are added on the ticket afterwards.
    """
    require_perm(actor, ADD)
    acting_employee(actor)
    if kind not in KIND_VALUES:
        raise DomainError("ticket_invalid", "请选择工单类型", fields={"kind": "请选择工单类型"})
    if not (title or "").strip():
        message = "请用一句话说明客户的问题"
        raise DomainError("ticket_invalid", message, fields={"title": message})
    return ticket_create_for_caller(
        actor=actor,
        phone=phone,
        channel=channel,
        kind=kind,
        subkind=subkind,
        title=title,
        priority=priority,
        contact_phone=phone,
    )


@transaction.atomic
def ticket_create_for_caller(
    *, actor: Any, phone: str, received_at: dt.datetime | None = None, **values: Any
) -> Ticket:
    """``ticket_create`` for a caller known by phone only — 按来电号码建单: the customer is found
    by the number or recorded (CRM-1), in the same transaction as the request, so a refused
    request leaves no new customer behind. ``values`` are ``ticket_create``'s other arguments.

    Every create takes the day's counter before the audit chain's lock (its numbered insert,
    then its audit event). Recording a new caller appends an audit event first, so the counter
    is taken before it: the other way round, a create running in between would hold the counter
    while waiting for the chain's lock held here, and PostgreSQL would kill one of the two
    (test_create_lock_order.py).
    """
    received = received_at or timezone.now()
    _hold_day_counter(received.astimezone(SHANGHAI).date())
    customer, _created = customer_find_or_create_by_phone(actor=actor, phone=phone)
    return ticket_create(actor=actor, customer=customer, received_at=received, **values)


def _hold_day_counter(day: dt.date) -> None:
    """Lock ``day``'s counter row until the transaction ends (created at 0 when it is the day's
    first request: the numbered insert then takes 0001). PostgreSQL only: SQLite has one writer."""
    if connection.vendor != "postgresql":
        return
    with rowsql.cursor() as cursor:
        cursor.execute(_counter_upsert_sql(0), [_counter_day(day)])


@transaction.atomic
def ticket_update_details(*, actor: Any, ticket: Ticket, **changes: Any) -> Ticket:
    """Complete or correct a request's details — 完善工单信息 (TKT-5). One audit event.

    Channel, kind and receipt time are not editable: they decide the SLA (a wrongly typed kind is
    corrected by the lead through a new ticket, so the clock cannot be reset quietly). The
    小红旗 and its 特殊要求 (TKT-9) and the 工作联络单号 filed after an urgent fix (TKT-8) are.
    The 服务方式 is not: it only climbs, through ``ticket_escalate_service_mode``.
    """
    from ..selectors import tickets_for_user
    from .actions import lock_for_change

    editable = {
        "title",
        "description",
        "demand",
        "contact_name",
        "contact_phone",
        "order_no",
        "purchase_date",
        "tracking_no",
        "priority",
        "tags",
        "contact_form_no",
        "red_flag",
        "red_flag_note",
    }
    unknown = set(changes) - editable
    if unknown:
        raise DomainError("ticket_invalid", f"不能修改：{'、'.join(sorted(unknown))}")
    ticket, _employee = lock_for_change(actor, ticket)
    if not tickets_for_user(actor).filter(pk=ticket.pk).exists():
        # Out of the actor's data scope (ORG-5): as if it did not exist, like every other entry.
        raise DomainError("ticket_not_found", "工单不存在", status=404)
    if ticket.status == Status.CLOSED:
        raise DomainError("ticket_closed", "已关闭的工单不能修改，请先重新打开", status=409)
    now = timezone.now()
    current = {k: getattr(ticket, k) for k in editable - {"tags"}}
    current["tags"] = list(ticket.tags.values_list("name", flat=True))
    if changes.get("red_flag") is False and "red_flag_note" not in changes:
        # Taking the flag down takes its note with it (the audit event keeps what it said).
        changes["red_flag_note"] = ""
    merged = {**current, **changes}
    values = validate_ticket_values(
        {**merged, "channel": ticket.channel, "kind": ticket.kind, "subkind": ticket.subkind},
        now=now,
    )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in editable - {"tags"}:
        if values[key] != current[key]:
            before[key], after[key] = current[key], values[key]
            setattr(ticket, key, values[key])
    if sorted(values["tags"]) != sorted(current["tags"]):
        before["tags"], after["tags"] = current["tags"], values["tags"]
        ticket.tags.set(_tags(values["tags"]))
    if not after:
        return ticket
    if "priority" in after:
        refresh_due(ticket, now=now)
    ticket.save()
    audit.record(actor=actor, action="ticket.update", obj=ticket, before=before, after=after)
    return ticket
