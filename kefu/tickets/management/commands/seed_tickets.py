"""seed_tickets — 工单规模测试数据: customers and up to millions of service requests, in minutes.

Run after ``seed_scale`` (or ``seed_demo``): the requests are spread over the existing
front-line employees (客服代表 and 组长 with a 班组) and their departments. What is generated:

- customers (客户档案) with one or two phone numbers each, a grade, a region; about one customer
  for every four requests, some customers with many requests;
- requests (工单) over the last ``--days`` days (two years by default), more on weekdays, in
  working hours and around 618/双十一, numbered ``KFyyyymmdd-NNNN`` per day after the numbers
  already given (``TicketDayCounter`` is advanced, so ``ticket_create`` continues after them);
  kinds, sub-kinds, channels and priorities in realistic proportions; Chinese titles and
  descriptions from a vocabulary (``_ticket_vocab``), order and tracking numbers;
- statuses by age: nearly everything older than a month is 已关闭, the last days are mostly open;
  replies (回复客户 records), the open pause of 待客户/已解决/已关闭 requests, breaches, 回访 and the
  odd 重大故障 with its 故障分析报告.

Deadlines: open requests get the real ones (``compute_due_on_calendar`` with the policy and
calendar, escalation steps already reached counted in ``sla_level``, ``next_sla_check_at`` as the
services set it). Finished requests get wall-clock approximations of the same targets
(``first_response_due``/``resolution_due``) and breach flags consistent with them; their
``next_sla_check_at`` is NULL, as for every request whose clock stands still.

Rows are written with PostgreSQL ``COPY`` (``bulk_create`` in batches on other databases, for
small counts), NOT through the services: the data is synthetic and **not audited** — there is no
audit event, no notification and no timeline entry for it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.customers.models import Customer, CustomerPhone
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Employee

from ...models import FaultReport, Ticket, TicketDayCounter, TicketMessage, TicketPause
from . import _ticket_vocab as vocab
from ._ticket_rows import Staff, TicketMaker
from ._ticket_shape import (
    CUSTOMER_COLUMNS,
    FAULT_COLUMNS,
    FIRST_REPLY_SQL,
    PAUSE_SQL,
    PHONE_COLUMNS,
    RESULT_REPLY_SQL,
    TICKET_COLUMNS,
)

CUSTOMERS_PER_TICKET = 0.25
ORM_BATCH = 500
COPY_CHUNK = 1 << 20  # bytes handed to COPY at a time


class Command(BaseCommand):
    help = (
        "Bulk-generate customers and service requests (工单规模测试数据) for load tests: "
        "`seed_tickets --count 1000000` after seed_scale or seed_demo. PostgreSQL COPY (bulk_create "
        "elsewhere), NOT through the services: the rows are NOT audited (no audit events, "
        "notifications or timeline entries). Advances the per-day ticket number counters so "
        "later ticket_create calls continue after the generated numbers. May be run again to add "
        "more."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, required=True, help="number of requests")
        parser.add_argument(
            "--customers",
            type=int,
            default=None,
            help="new customers to create (default: one per four requests)",
        )
        parser.add_argument(
            "--days", type=int, default=730, help="requests received over the last N days"
        )
        parser.add_argument("--seed", type=int, default=20261122, help="random seed")
        parser.add_argument(
            "--no-messages", action="store_true", help="skip the 回复客户 records (faster)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count, days = options["count"], options["days"]
        if count < 1:
            raise CommandError("--count 必须大于 0")
        if not 1 <= days <= 3660:
            raise CommandError("--days 须在 1 到 3660 之间")
        n_customers = options["customers"] or max(1, round(count * CUSTOMERS_PER_TICKET))
        if n_customers < 1:
            raise CommandError("--customers 必须大于 0")
        staff = load_staff()
        if not staff:
            raise CommandError(
                "没有可分派工单的一线员工（客服代表/组长，在班组内）：请先执行 seed_scale 或 seed_demo"
            )
        rng = random.Random(options["seed"])
        now = timezone.now()
        writer: Writer = CopyWriter() if connection.vendor == "postgresql" else OrmWriter()
        with transaction.atomic():
            writer.lock()
            customer_base = writer.next_id(Customer)
            ticket_base = writer.next_id(Ticket)
            customers = make_customers(rng, n_customers, customer_base, now, days, writer)
            t_customers = time.monotonic()
            counters = dict(TicketDayCounter.objects.select_for_update().values_list("day", "last"))
            maker = TicketMaker(
                rng=rng,
                now=now,
                staff=staff,
                customers=customers,
                first_id=ticket_base + 1,
                counters=counters,
            )
            plan = plan_days(rng, count, days, now)
            maker.prepare(plan)
            writer.write(Ticket, TICKET_COLUMNS, maker.rows(plan))
            t_tickets = time.monotonic()
            first, last = ticket_base + 1, ticket_base + count
            pauses = derive(PAUSE_SQL, first, last)
            messages = 0
            if not options["no_messages"]:
                messages = derive(FIRST_REPLY_SQL, first, last)
                messages += derive(RESULT_REPLY_SQL, first, last)
            writer.write(FaultReport, FAULT_COLUMNS, maker.faults)
            writer.finish(Customer, customer_base + n_customers)
            writer.finish(Ticket, ticket_base + count)
            save_counters(maker.last_numbers, counters)
        writer.analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"工单测试数据已生成 / seeded: {count} tickets, {n_customers} customers, "
            f"{pauses} pauses, {messages} messages, {len(maker.faults)} fault reports, {maker.open_count} open, over {days} days "
            f"in {elapsed:.1f}s (customers {t_customers - started:.1f}s, tickets "
            f"{t_tickets - t_customers:.1f}s; bulk {writer.name}, not audited)"
        )


# --- who handles requests -------------------------------------------------------------------
def load_staff() -> list[Staff]:
    """Front-line employees with a 班组: 客服代表 and 组长 (left ones keep their old requests)."""
    groups = Group.objects.filter(name__in=[Role.AGENT.label, Role.TEAM_LEAD.label])
    rows = (
        Employee.objects.filter(user__groups__in=groups, team__isnull=False)
        .order_by("pk")
        .values_list("pk", "user_id", "department_id", "team_id", "status")
        .distinct()
    )
    return [
        Staff(pk, user_id, department_id, team_id, status == EmployeeStatus.ACTIVE)
        for pk, user_id, department_id, team_id, status in rows
    ]


# --- when requests come in ------------------------------------------------------------------
def plan_days(
    rng: random.Random, count: int, days: int, now: dt.datetime
) -> list[tuple[dt.date, int]]:
    """How many requests each local day gets: growth over the period, fewer at weekends, peaks
    around 618 and 双十一. Oldest day first; the counts add up to ``count``."""
    today = now.astimezone(SHANGHAI).date()
    span = [today - dt.timedelta(days=days - 1 - i) for i in range(days)]
    weights = []
    for i, day in enumerate(span):
        w = 0.7 + 0.6 * i / max(days - 1, 1)  # the business grew over the period
        if day.weekday() >= 5:
            w *= 0.7
        if (day.month, day.day) in {(11, 11), (11, 12), (11, 13), (6, 18), (6, 19)}:
            w *= 2.5
        weights.append(w)
    weights[-1] *= _fraction_of_day_passed(now)  # today is not over yet
    total = sum(weights)
    plan, given, carry = [], 0, 0.0
    for day, w in zip(span, weights, strict=True):
        exact = count * w / total + carry
        n = int(exact)
        carry = exact - n
        plan.append([day, n])
        given += n
    plan[-1][1] += count - given
    return [(day, n) for day, n in plan if n > 0]


def _fraction_of_day_passed(now: dt.datetime) -> float:
    local = now.astimezone(SHANGHAI)
    return max(0.05, (local.hour * 60 + local.minute) / 1440)


# --- customers ------------------------------------------------------------------------------
def make_customers(
    rng: random.Random, n: int, base: int, now: dt.datetime, days: int, writer: Writer
) -> list[tuple[int, str, str, str]]:
    """Insert ``n`` customers with phones; returns (id, grade, contact name, phone) per customer."""
    taken = set(CustomerPhone.objects.values_list("phone", flat=True))
    out: list[tuple[int, str, str, str]] = []
    customer_rows: list[tuple[Any, ...]] = []
    phone_rows: list[tuple[Any, ...]] = []
    start = now - dt.timedelta(days=days + 30)
    for i in range(n):
        pk = base + 1 + i
        company = rng.random() < 0.12
        person = vocab.person_name(rng)
        name = vocab.company_name(rng) if company else person
        customer_type = (
            rng.choice(("distributor", "franchisee", "enterprise")) if company else "consumer"
        )
        r = rng.random()
        grade = "major" if r < 0.03 else "key" if r < 0.1 else "normal"
        city = rng.choice(vocab.CITIES)
        created = start + dt.timedelta(seconds=rng.randrange((days + 30) * 86400))
        contact = person if company else ""
        customer_rows.append(
            (
                pk,
                f"C{pk:06d}",
                name,
                customer_type,
                grade,
                vocab.region(city),
                f"{city}{rng.choice(vocab.DISTRICTS)}{rng.randint(1, 999)}号",
                contact,
                "",
                None,
                created,
                created,
            )
        )
        phones = 2 if rng.random() < 0.15 else 1
        first = ""
        for _ in range(phones):
            phone = _new_phone(rng, taken)
            first = first or phone
            phone_rows.append((pk, phone, phone[-4:], created))
        out.append((pk, grade, contact or name, first))
    writer.write(Customer, CUSTOMER_COLUMNS, customer_rows)
    writer.write(CustomerPhone, PHONE_COLUMNS, phone_rows)
    return out


def _new_phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if phone not in taken:
            taken.add(phone)
            return phone


# --- child rows -----------------------------------------------------------------------------
def derive(sql: str, first: int, last: int) -> int:
    """Run one of the INSERT … SELECT statements that derive child rows from the requests."""
    quote = connection.ops.quote_name
    tables = {
        "t": quote(Ticket._meta.db_table),
        "p": quote(TicketPause._meta.db_table),
        "m": quote(TicketMessage._meta.db_table),
        "e": quote(Employee._meta.db_table),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**tables), [first, last])
        return cursor.rowcount


# --- counters -------------------------------------------------------------------------------
def save_counters(last_numbers: dict[dt.date, int], existing: dict[dt.date, int]) -> None:
    """Advance ``TicketDayCounter`` past the generated numbers (never backwards)."""
    changed = [
        TicketDayCounter(day=day, last=max(last, existing.get(day, 0)))
        for day, last in last_numbers.items()
    ]
    TicketDayCounter.objects.bulk_create(
        changed,
        batch_size=ORM_BATCH,
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["last"],
    )


# --- writing --------------------------------------------------------------------------------
class Writer:
    """Where rows go: COPY on PostgreSQL, bulk_create elsewhere. Ids are given by the caller."""

    name = ""

    def lock(self) -> None:
        """Keep other writers out while ids and numbers are handed out."""

    def next_id(self, model: type[models.Model]) -> int:
        """The highest id in use (rows get base+1, base+2, …)."""
        return model.objects.aggregate(m=models.Max("pk"))["m"] or 0

    def write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        raise NotImplementedError

    def finish(self, model: type[models.Model], last_id: int) -> None:
        """Move the id sequence past the ids given explicitly."""

    def analyze(self) -> None:
        """Planner statistics after a bulk load."""


class OrmWriter(Writer):
    """bulk_create in batches — for SQLite and small counts (tests)."""

    name = "bulk_create"

    def write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        written = 0
        batch: list[models.Model] = []
        stamps: dict[str, list[tuple[Any, ...]]] = {}
        auto = [
            f.attname
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            batch.append(model(**values))
            if auto and "id" in values:
                stamps.setdefault("", []).append((values["id"], *(values[a] for a in auto)))
            if len(batch) >= ORM_BATCH:
                model.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)
            written += len(batch)
        # auto_now/auto_now_add fields are overwritten by bulk_create: put the history back.
        for pk, *values in stamps.get("", []):
            model.objects.filter(pk=pk).update(**dict(zip(auto, values, strict=True)))
        return written

    def analyze(self) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


class CopyWriter(Writer):
    """PostgreSQL COPY, streamed row by row as they are made (nothing held in memory)."""

    name = "COPY"

    TABLES = (Customer, CustomerPhone, Ticket, TicketPause, TicketMessage, FaultReport)

    def lock(self) -> None:
        # EXCLUSIVE still lets readers in; writers wait until the generated rows are committed.
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in self.TABLES)
        counter = connection.ops.quote_name(TicketDayCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names}, {counter} IN EXCLUSIVE MODE")

    def next_id(self, model: type[models.Model]) -> int:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}), "
                f"(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}))"
            )
            return int(cursor.fetchone()[0])

    def finish(self, model: type[models.Model], last_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [model._meta.db_table, last_id],
            )

    def write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        quote = connection.ops.quote_name
        # Columns this command does not know (added to the model later) get their field default,
        # as bulk_create would give them; without it COPY would write NULL.
        extra = [
            f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        defaults = tuple(f.get_default() for f in extra)
        names = [*columns, *(f.column for f in extra)]
        sql = (
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in names)}) FROM STDIN"
        )
        written = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row + defaults)  # psycopg's C dumpers: fast
                written += 1
        return written

    def analyze(self) -> None:
        # VACUUM as well: it sets the visibility map, which index-only scans and counts from a
        # bitmap rely on; a live database gets it from autovacuum, a fresh bulk load has none.
        # Not possible inside a transaction (the tests), where ANALYZE alone is done.
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in self.TABLES)
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {names}")
