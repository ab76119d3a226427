"""Lean row I/O (kefu/core/rowsql.py) — 热点语句的精简读写: a row inserted by ``insert`` is the row
``save()`` would insert, and an instance read through ``Columns`` equals the ORM's, on SQLite and
PostgreSQL alike (dates, times, JSON, decimals, NULLs, auto_now_add)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kefu.core import rowsql
from kefu.core.models import ApiToken, AuditEvent
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.choices import Channel, Priority
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _next_seq() -> int:
    return (AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0) + 1


def _row(model: Any, pk: int) -> dict[str, Any]:
    return model.objects.filter(pk=pk).values().get()


def _stored_twice(employee: Any, number: int, **fields: Any) -> tuple[dict, dict, Ticket]:
    """Two tickets of ``fields`` (recorded by ``employee``), one stored by save(), one by
    insert(): both stored rows without the key, the number and the auto_now times, and the
    instance insert() stored."""

    def build(n: int) -> Ticket:
        return Ticket(
            number=f"KF20260101-{n:04d}",
            kind="inquiry",
            received_by=employee.user,
            owner=employee,
            first_responsible=employee,
            department=employee.department,
            team=employee.team,
            **fields,
        )

    saved = build(number)
    saved.save()
    fast = rowsql.insert(build(number + 1))
    assert fast.pk is not None and fast.pk != saved.pk
    rows = _row(Ticket, saved.pk), _row(Ticket, fast.pk)
    for row in rows:
        for key in ("id", "number", "created_at", "updated_at"):
            del row[key]
    return rows[0], rows[1], fast


def test_insert_stores_what_save_stores(org: dict[str, Any]) -> None:
    """Two identical tickets, one by save(), one by insert(): the stored rows differ only in the
    key, the number and the auto_now_add times."""
    customer = CustomerFactory()
    received = timezone.now() - dt.timedelta(hours=2)
    by_save, by_insert, fast = _stored_twice(
        org["agent_a1"],
        1,
        channel="hotline",
        title="问保修（含 % 与 'quote'）",
        description="多行\n描述",
        customer=customer,
        customer_grade=customer.grade,
        purchase_date=dt.date(2026, 1, 2),
        received_at=received,
    )
    assert by_save == by_insert
    assert not fast._state.adding and fast._state.db == "default"
    stored = Ticket.objects.get(pk=fast.pk)
    assert stored.created_at is not None and stored.created_at == fast.created_at
    assert stored.title == "问保修（含 % 与 'quote'）" and stored.received_at == received


def test_insert_converts_what_a_plain_field_would_not_store_as_is(org: dict[str, Any]) -> None:
    """The fast path passes only values of the exact type a plain field stores (str, int, bool);
    a choices enum, a lazy translation, a number for a text field and a string for a key still go
    through get_db_prep_save, so the row equals save()'s."""
    customer = CustomerFactory()
    by_save, by_insert, _fast = _stored_twice(
        org["agent_a1"],
        3,
        channel=Channel.HOTLINE,  # TextChoices member, a str subclass
        priority=Priority.URGENT,
        title=gettext_lazy("标题"),
        order_no=12345,  # an int for a CharField
        customer_id=str(customer.pk),  # a str for a bigint key
        customer_grade=customer.grade,
        received_at=timezone.now(),
    )
    assert by_save == by_insert
    got = [by_insert[k] for k in ("channel", "priority", "title", "order_no", "customer_id")]
    assert got == ["hotline", "urgent", "标题", "12345", customer.pk]


def test_insert_json_and_ip_as_the_orm_reads_them() -> None:
    event = rowsql.insert(
        AuditEvent(
            seq=_next_seq(),
            at=timezone.now(),
            action="test.rowsql",
            object_type="core.test",
            object_id="1",
            before={"money": "12.50", "list": [1, 2], "nested": {"中文": True}},
            after=None,
            ip="::ffff:10.0.0.1",
            prev_hash="0" * 64,
            hash="1" * 64,
        )
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.before == {"money": "12.50", "list": [1, 2], "nested": {"中文": True}}
    assert stored.after is None
    assert stored.at == event.at


def test_insert_refuses_a_stored_row() -> None:
    token = ApiToken.objects.create(
        user=get_user_model().objects.create_user("rowsql", password="x" * 12),
        name="t",
        prefix="kefu_x",
        key_hash="h" * 64,
    )
    with pytest.raises(ValueError):
        rowsql.insert(token)


def test_columns_read_the_instance_the_orm_reads(org: dict[str, Any]) -> None:
    employee = org["agent_a1"]
    model = type(employee)
    cols = rowsql.columns(model, "x")
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cols.sql} FROM {q(model._meta.db_table)} {q('x')} WHERE {q('x')}.{q('id')} = %s",
            [employee.pk],
        )
        row = cursor.fetchone()
    read = cols.instance(row, 0)
    orm = model.objects.get(pk=employee.pk)
    for field in model._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
    assert isinstance(read.hire_date, dt.date) and not isinstance(read.hire_date, dt.datetime)
    assert cols.instance([None] * len(cols), 0) is None  # an unmatched LEFT JOIN


def test_columns_subset_defers_the_rest() -> None:
    now = timezone.now()
    seq = _next_seq()
    AuditEvent.objects.create(
        seq=seq,
        at=now,
        action="a",
        object_type="t",
        object_id="1",
        prev_hash="0" * 64,
        hash="2" * 64,
    )
    cols = rowsql.columns(AuditEvent, "a", ("seq", "hash", "at"))
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cols.sql} FROM {q(AuditEvent._meta.db_table)} {q('a')} "
            f"ORDER BY {q('a')}.{q('seq')} DESC"
        )
        head = cols.instance(cursor.fetchone(), 0)
    assert (head.seq, head.hash, head.at) == (seq, "2" * 64, now)
    assert head.get_deferred_fields() >= {"action", "before", "after"}


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_cursor_prepares_the_statement_once_on_postgresql() -> None:
    """The same SQL twice: the server keeps one prepared statement and both answers are right."""
    sql = "SELECT %s::int + 1, %s::text /* rowsql test */"
    for n in (1, 41):
        with rowsql.cursor() as cursor:
            cursor.execute(sql, [n, "值"])
            assert cursor.fetchone() == (n + 1, "值")
    mine = [s for s in _prepared_statements() if "rowsql test" in s]
    assert len(mine) == 1 and "$1" in mine[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_cursor_is_the_ordinary_one_when_preparing_is_off() -> None:
    """DB_PREPARED=0 (prepare_threshold None): rowsql uses the ORM's client-side binding cursor."""
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        with rowsql.cursor() as cursor, connection.cursor() as ordinary:
            cursor.execute("SELECT %s::int /* rowsql off */", [7])
            assert cursor.fetchone() == (7,)
            assert type(cursor.cursor) is type(ordinary.cursor)
    finally:
        raw.prepare_threshold = before
    assert not [s for s in _prepared_statements() if "rowsql off" in s]


def test_cursor_statements_are_logged_with_their_values() -> None:
    """assertNumQueries / DEBUG see a prepared statement like any other, values included."""
    with CaptureQueriesContext(connection) as queries, rowsql.cursor() as cursor:
        cursor.execute("SELECT %s /* rowsql logged */", ["第42号"])
        assert cursor.fetchone() == ("第42号",)
    (logged,) = [q["sql"] for q in queries.captured_queries if "rowsql logged" in q["sql"]]
    assert "第42号" in logged


def test_cursor_errors_are_django_errors_and_the_statement_runs_again() -> None:
    """A failed execution (unique key) raises Django's IntegrityError; after the rollback the
    same prepared INSERT stores the next row."""
    now = timezone.now()
    seq = _next_seq()

    def event(hash_: str) -> AuditEvent:
        return AuditEvent(
            seq=seq,
            at=now,
            action="a",
            object_type="t",
            object_id="1",
            prev_hash="0" * 64,
            hash=hash_,
        )

    rowsql.insert(event("3" * 64))
    with pytest.raises(IntegrityError), transaction.atomic():
        rowsql.insert(event("4" * 64))  # the same seq
    seq += 1
    stored = rowsql.insert(event("5" * 64))
    assert AuditEvent.objects.get(pk=stored.pk).seq == seq
