"""The plan generator's statements — 回访计划生成的 SQL (see ``plans`` for the method).

``Applier`` holds one database connection's temporary tables (the patterns, the 回访员 ring) and
brings one scope of installations (an id range, or a list of ids) in line with them in one
transaction; ``run_parallel`` shares the ranges among threads with a connection each. The
installation rows are the SQL of an ORM queryset of the after-sales models, used as a derived
table; only the visits table and the temporary tables are written in SQL here.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.models import OuterRef, Q, Subquery

from ..choices import PLAN_SOURCES, TaskStatus
from ..models import VisitTask

PLAN_CANCEL_REASON = "计划调整"
RETRIES = 3  # attempts of a range chosen as a deadlock / serialization victim
RETRY_STATES = ("40P01", "40001")

Scope = tuple[str, Any]  # ("range", (lo, hi)) | ("ids", [id, …]) | ("all", None)
Key = tuple[str, dt.date, dt.date, str]  # kind, acceptance date, warranty end, grade
Patterns = dict[Key, list[tuple[str, dt.date, bool]]]


@dataclass
class PlanResult:
    """What one generation run did."""

    installations: int = 0
    wanted: int = 0
    created: int = 0
    cancelled: int = 0
    restored: int = 0
    adjusted: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def add(self, other: PlanResult) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def summary(self) -> str:
        return (
            f"安装记录 {self.installations} 条，应有回访 {self.wanted} 次；新增回访任务 "
            f"{self.created} 条，取消 {self.cancelled} 条，恢复 {self.restored} 条，"
            f"调整 {self.adjusted} 条"
        )


# --- installation reads (ORM querysets of the after-sales models) ------------------------------
def installations() -> Any:
    from kefu.aftersales.models import Installation

    return Installation.objects.all()


def scope_q(scope: Scope) -> Q:
    kind, value = scope
    if kind == "range":
        return Q(id__gte=value[0], id__lt=value[1])
    if kind == "ids":
        return Q(id__in=value)
    return Q()


def rows_sql(scope: Scope) -> tuple[str, list[Any]]:
    """SELECT id, customer_id, kind, acceptance_date, warranty_end, grade of the scope's
    installations — the SQL of an ORM queryset, used as a derived table.

    The grade is a correlated subquery on purpose: one primary-key probe per installation of the
    range, where a join would hash-scan every customer once per range (2.3× slower at a million
    customers, and growing with them).
    """
    from kefu.customers.models import Customer

    grade = Customer.objects.filter(pk=OuterRef("customer_id")).values("grade")[:1]
    qs = (
        installations()
        .filter(scope_q(scope))
        .order_by()
        .annotate(grade=Subquery(grade))
        .values_list("id", "customer_id", "kind", "acceptance_date", "warranty_end", "grade")
    )
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


# --- SQL on one connection ---------------------------------------------------------------------
PATTERN = "visit_plan_pattern"
ASSIGNEE = "visit_plan_assignee"
WANTED = "visit_plan_wanted"
_COLUMNS = (
    "installation_id, customer_id, source, due_date, in_warranty, attempt, assignee_id, status, "
    "outcome, notes, follow_up, cancel_reason, created_at, updated_at"
)


class Applier:
    """The generator's statements on one database connection (its temporary tables live there)."""

    def __init__(
        self,
        conn: Any,
        patterns: Patterns,
        assignees: list[int],
        start: dt.date,
        now: dt.datetime,
    ) -> None:
        self.conn = conn
        self.pg = conn.vendor == "postgresql"
        qn = conn.ops.quote_name
        self.vt = qn(VisitTask._meta.db_table)
        self.start = conn.ops.adapt_datefield_value(start)
        self.now = conn.ops.adapt_datetimefield_value(now)
        self.n_assignees = len(assignees)
        self.sources = ", ".join(f"'{s}'" for s in PLAN_SOURCES)
        with conn.cursor() as cur:
            for table in (PATTERN, ASSIGNEE, WANTED):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(
                f"CREATE TEMPORARY TABLE {PATTERN} (kind varchar(20), acceptance_date date, "
                "warranty_end date, grade varchar(20), source varchar(12), due_date date, "
                "in_warranty boolean)"
            )
            cur.execute(f"CREATE TEMPORARY TABLE {ASSIGNEE} (slot integer, employee_id bigint)")
            rows = [
                (kind, acc.isoformat(), wend.isoformat(), grade, source, due.isoformat(), warranty)
                for (kind, acc, wend, grade), visits in patterns.items()
                for source, due, warranty in visits
            ]
            if self.pg:
                with cur.cursor.copy(f"COPY {PATTERN} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cur.execute(f"ANALYZE {PATTERN}")  # temporary tables are never auto-analysed
            else:
                cur.executemany(f"INSERT INTO {PATTERN} VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
            cur.executemany(f"INSERT INTO {ASSIGNEE} VALUES (%s, %s)", list(enumerate(assignees)))

    def close(self) -> None:
        with self.conn.cursor() as cur:
            for table in (PATTERN, ASSIGNEE, WANTED):
                cur.execute(f"DROP TABLE IF EXISTS {table}")

    def _wanted_sql(self, scope: Scope) -> tuple[str, list[Any]]:
        """installation id, customer, source, due date, in warranty, assignee of every wanted
        visit of the scope."""
        rows_sql_, params = rows_sql(scope)
        if self.n_assignees:
            assignee = "a.employee_id"
            join = f"LEFT JOIN {ASSIGNEE} a ON a.slot = (i.id %% {self.n_assignees})"
        else:
            assignee, join = "CAST(NULL AS bigint)", ""
        # MATERIALIZED: installation ⋈ customer first, then the patterns on all four key
        # columns. Otherwise PostgreSQL, underestimating the four-column match, joins the
        # patterns first and looks the customer up for every candidate row (3× slower).
        # The queryset's columns keep their names: id, customer_id, kind, acceptance_date,
        # warranty_end, grade.
        sql = (
            f"WITH i AS MATERIALIZED ({rows_sql_}) "
            f"SELECT i.id AS installation_id, i.customer_id, p.source, p.due_date, "
            f"p.in_warranty, {assignee} AS assignee_id FROM i "
            f"JOIN {PATTERN} p ON p.kind = i.kind AND p.acceptance_date = i.acceptance_date "
            f"AND p.warranty_end = i.warranty_end AND p.grade = i.grade {join}"
        )
        return sql, params

    def _scope_sql(self, scope: Scope, column: str) -> tuple[str, list[Any]]:
        kind, value = scope
        if kind == "range":
            return f"{column} >= %s AND {column} < %s", [value[0], value[1]]
        return f"{column} IN ({', '.join(['%s'] * len(value))})", list(value)

    def _insert_select(self, select: str) -> str:
        return (
            f"INSERT INTO {self.vt} ({_COLUMNS}) SELECT w.installation_id, w.customer_id, "
            f"w.source, w.due_date, w.in_warranty, 1, w.assignee_id, '{TaskStatus.PLANNED}', "
            f"'', '', '', '', %s, %s FROM {select} WHERE 1 = 1 "
        )

    def apply(self, scope: Scope) -> PlanResult:
        """Bring one scope's plan tasks in line with the patterns (one transaction).

        A range that meets a concurrent writer on the same rows (an installation saved while
        its range is compared) may be chosen as a deadlock victim; as its own transaction it is
        simply run again.
        """
        for attempt in range(1, RETRIES + 1):
            own_transaction = not self.conn.in_atomic_block
            try:
                return self._apply(scope)
            except OperationalError as exc:
                sqlstate = getattr(exc.__cause__, "sqlstate", None)
                if not own_transaction or attempt == RETRIES or sqlstate not in RETRY_STATES:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _apply(self, scope: Scope) -> PlanResult:
        out = PlanResult()
        wanted_sql, wanted_params = self._wanted_sql(scope)
        vt = self.vt
        v_scope, v_params = self._scope_sql(scope, f"{vt}.installation_id")
        plan_tasks = f"{vt}.parent_id IS NULL AND {vt}.source IN ({self.sources}) AND {v_scope}"
        # Settings are tuned only in a transaction of our own: SET LOCAL would outlive a
        # savepoint and leak into the caller's transaction (an installation being saved).
        tune = self.pg and scope[0] == "range" and not self.conn.in_atomic_block
        with transaction.atomic(using=self.conn.alias), self.conn.cursor() as cur:
            if tune:
                # A crash loses at most the range in flight; the next (idempotent) run redoes it.
                cur.execute("SET LOCAL synchronous_commit = off")
                # Sorts and hashes of a range (~100,000 rows) stay in memory.
                cur.execute("SET LOCAL work_mem = '64MB'")
                # The four-column pattern match is estimated at one row, which makes the planner
                # sort both sides for a merge join; a hash on the small pattern table is several
                # times cheaper.
                cur.execute("SET LOCAL enable_mergejoin = off")
                # The per-installation grade probe inflates the estimated cost past the JIT
                # threshold; compiling costs half a second per range and saves nothing.
                cur.execute("SET LOCAL jit = off")
            if tune:
                # While the first run fills the table its statistics still say "empty", and
                # the planner would scan the whole table for this probe — once per range.
                cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute(f"SELECT 1 FROM {self.vt} WHERE {plan_tasks} LIMIT 1", v_params)
            empty = cur.fetchone() is None
            if tune:
                cur.execute("SET LOCAL enable_seqscan = on")
            if empty:
                # First run for this range: nothing to compare with. ON CONFLICT still guards
                # against a concurrent writer.
                cur.execute(
                    self._insert_select(f"({wanted_sql}) w") + self._on_conflict(),
                    [self.now, self.now, *wanted_params],
                )
                out.created = cur.rowcount
                return out
            cur.execute(f"DROP TABLE IF EXISTS {WANTED}")
            cur.execute(f"CREATE TEMPORARY TABLE {WANTED} AS {wanted_sql}", wanted_params)
            e_scope, e_params = self._scope_sql(scope, "e.installation_id")
            if tune:
                # Every statement below compares whole ranges: hash joins. Statistics lag behind
                # a table that just grew by millions, and a nested loop over a range would then
                # take minutes instead of a second.
                cur.execute("SET LOCAL enable_nestloop = off")
            match = (
                "{t}.installation_id = w.installation_id AND {t}.source = w.source "
                "AND {t}.due_date = w.due_date"
            )
            cur.execute(
                self._insert_select(f"{WANTED} w")
                + f"AND NOT EXISTS (SELECT 1 FROM {vt} e WHERE "
                + match.format(t="e")
                + f" AND e.parent_id IS NULL AND {e_scope})"
                + self._on_conflict(),
                [self.now, self.now, *e_params],
            )
            out.created = cur.rowcount
            cur.execute(
                f"UPDATE {self.vt} SET status = %s, cancel_reason = %s, updated_at = %s "
                f"WHERE {plan_tasks} AND {vt}.status = %s AND {vt}.due_date >= %s "
                f"AND NOT EXISTS (SELECT 1 FROM {WANTED} w WHERE {match.format(t=self.vt)})",
                [
                    TaskStatus.CANCELLED.value,
                    PLAN_CANCEL_REASON,
                    self.now,
                    *v_params,
                    TaskStatus.PLANNED.value,
                    self.start,
                ],
            )
            out.cancelled = cur.rowcount
            realign = (
                f"UPDATE {self.vt} SET status = %s, cancel_reason = '', "
                f"customer_id = w.customer_id, in_warranty = w.in_warranty, updated_at = %s "
                f"FROM {WANTED} w WHERE {match.format(t=self.vt)} AND {plan_tasks} AND "
            )
            cur.execute(
                realign + f"{vt}.status = %s AND {vt}.cancel_reason = %s",
                [
                    TaskStatus.PLANNED.value,
                    self.now,
                    *v_params,
                    TaskStatus.CANCELLED.value,
                    PLAN_CANCEL_REASON,
                ],
            )
            out.restored = cur.rowcount
            cur.execute(
                realign
                + f"{vt}.status = %s AND ({vt}.customer_id <> w.customer_id "
                + f"OR {vt}.in_warranty <> w.in_warranty)",
                [TaskStatus.PLANNED.value, self.now, *v_params, TaskStatus.PLANNED.value],
            )
            out.adjusted = cur.rowcount
            cur.execute(f"DROP TABLE {WANTED}")
        return out

    @staticmethod
    def _on_conflict() -> str:
        # The partial unique constraint visit_plan_unique (installation, source, due date).
        return (
            " ON CONFLICT (installation_id, source, due_date) "
            "WHERE installation_id IS NOT NULL AND parent_id IS NULL DO NOTHING"
        )


def run_parallel(
    scopes: list[Scope],
    make_applier: Callable[[Any], Applier],
    workers: int,
    result: PlanResult,
    report: Callable[[Scope], None],
) -> None:
    """Share the scopes among ``workers`` threads, each on its own database connection.

    Django connections belong to the thread that opened them, so each thread sets up its
    temporary tables, works through the shared queue and closes its connection itself. The first
    error stops the others after their current range and is raised here.
    """
    todo: queue.Queue[Scope] = queue.Queue()
    for scope in scopes:
        todo.put(scope)
    finished: queue.Queue[tuple[Scope, PlanResult | BaseException]] = queue.Queue()
    stop = threading.Event()

    def worker() -> None:
        conn = connections[DEFAULT_DB_ALIAS]  # this thread's own connection
        try:
            with conn.cursor() as cur:
                # A fresh session: its temporary tables (a range's wanted visits, ~10 MB) may
                # stay in memory instead of spilling to disk at the 8 MB default.
                cur.execute("SET temp_buffers = '64MB'")
            applier = make_applier(conn)
            while not stop.is_set():
                try:
                    scope = todo.get_nowait()
                except queue.Empty:
                    return
                finished.put((scope, applier.apply(scope)))
        except BaseException as exc:  # handed to the calling thread, which raises it
            stop.set()
            finished.put((("error", None), exc))
        finally:
            conn.close()  # the temporary tables go with the session

    threads = [
        threading.Thread(target=worker, name=f"visit-plans-{n}", daemon=True)
        for n in range(min(workers, len(scopes)))
    ]
    for t in threads:
        t.start()
    error: BaseException | None = None
    for _ in scopes:
        while True:
            try:
                scope, outcome = finished.get(timeout=0.5)
                break
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and finished.empty():
                    scope, outcome = ("error", None), RuntimeError("回访计划生成线程意外结束")
                    break
        if isinstance(outcome, BaseException):
            error = outcome
            break
        result.add(outcome)
        report(scope)
    stop.set()
    for t in threads:
        t.join()
    if error is not None:
        raise error
