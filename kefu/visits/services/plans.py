"""Plan generation — 生成回访计划 (AS-4): apply ``plan.plan_dates`` to installations idempotently.

Set-based, because the target is a million installations in well under a minute:

1. **Plan keys.** Everything ``plan_dates`` looks at is (kind, acceptance date, warranty end,
   customer grade); one GROUP BY reads the distinct keys of the installations that still have a
   rule running (a few thousand for a million installations, since many share a day).
2. **Patterns.** The pure function runs once per key — not once per installation — and its
   visits become a small temporary table ``visit_plan_pattern`` (key → source, due date,
   in warranty).
3. **Apply, by installation id range.** Per range, in its own transaction: the wanted visits are
   installations ⋈ customers ⋈ patterns. A range without any plan task yet (the first run) gets
   one ``INSERT … SELECT``. Otherwise the wanted rows are materialised once in a temporary table
   and compared with the range's plan tasks dated from today on, in four statements: insert the
   missing ones (``ON CONFLICT DO NOTHING`` on the partial unique constraint, so a concurrent
   writer is harmless), cancel the planned ones no longer wanted (acceptance date, warranty end or
   grade changed), restore the ones it cancelled earlier that are wanted again, and realign the
   customer / in-warranty flag of planned ones whose installation changed.
4. On PostgreSQL, outside a transaction, the ranges are shared by ``PLAN_WORKERS`` threads, each
   with its own connection: the database does the work, so a second backend uses the second core.

Done visits, retries, after-close visits and past tasks are never touched. Only the next
``horizon_months`` are materialised; the daily run (``visits.tasks.visit_plan_daily_task``) moves
the window forward. New tasks are assigned to the active 回访员 by installation id
(installation id mod their number), so one installation's visits stay with one person.

The installation rows are read through ORM querysets of the after-sales models (their SQL is used
as a derived table); only the visits table and the temporary tables are written in SQL here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError

from ..models import VisitTask
from ..plan import PROJECT, PlanRuleSet, add_months, plan_dates
from ..policy import visits_policy
from .common import MANAGE_PLANS, active_visitor_ids, require, today
from .plan_sql import (
    PLAN_CANCEL_REASON,
    Applier,
    Key,
    Patterns,
    PlanResult,
    Scope,
    installations,
    run_parallel,
    scope_q,
)

__all__ = ["PLAN_CANCEL_REASON", "PlanResult", "generate_visit_plans", "visit_plans_submit"]

LOCK_KEY = 4_004_004  # pg_advisory_lock key of the plan generator
# Installation ids per range (one transaction each, ~200,000 visit rows): each range reads the
# customers once, so fewer, larger ranges; still enough of them to share between the workers.
CHUNK = 100_000
PLAN_WORKERS = 2  # database connections working at once on PostgreSQL (one per core)
IDS_BATCH = 500  # installation ids per statement when a list of installations is given
ANALYZE_AFTER = 10_000  # rows created by a run after which the visits table is re-analysed
BUSY_FOR = dt.timedelta(hours=2)  # a plan job older than this no longer blocks a new one

Progress = Callable[[int, int], None]


def _active_q(start: dt.date, rules: PlanRuleSet) -> Q:
    """Installations that may still have a visit on or after ``start`` (a cheap pre-filter;
    ``plan_dates`` decides exactly). A month of slack covers month-end clamping."""
    project_from = add_months(start, -12 * rules.project_years) - dt.timedelta(days=31)
    return Q(warranty_end__gte=start) | Q(kind=PROJECT, acceptance_date__gte=project_from)


# --- patterns: the pure rule once per distinct key ---------------------------------------------


def _plan_keys(scope: Scope, start: dt.date, rules: PlanRuleSet) -> dict[Key, int]:
    rows = (
        installations()
        .filter(scope_q(scope))
        .filter(_active_q(start, rules))
        .order_by()
        .values_list("kind", "acceptance_date", "warranty_end", "customer__grade")
        .annotate(n=Count("id"))
    )
    return {(kind, acc, wend, grade): n for kind, acc, wend, grade, n in rows}


def _patterns(keys: Iterable[Key], rules: PlanRuleSet, start: dt.date, end: dt.date) -> Patterns:
    out: Patterns = {}
    for key in keys:
        kind, acc, wend, grade = key
        visits = plan_dates(
            kind=kind,
            acceptance_date=acc,
            warranty_end=wend,
            grade=grade,
            rules=rules,
            start=start,
            end=end,
        )
        if visits:
            out[key] = [(v.source, v.due_date, v.in_warranty) for v in visits]
    return out


# --- the run ----------------------------------------------------------------------------------
@contextmanager
def _generator_lock() -> Iterator[None]:
    """One generator at a time (PostgreSQL advisory lock; SQLite serialises writers anyway)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _scopes(ids: list[int] | None, chunk_size: int) -> list[Scope]:
    if ids is not None:
        return [("ids", ids[i : i + IDS_BATCH]) for i in range(0, len(ids), IDS_BATCH)]
    bounds = installations().aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    lo, hi = bounds["lo"], bounds["hi"] + 1
    return [("range", (a, min(a + chunk_size, hi))) for a in range(lo, hi, chunk_size)]


def _scope_size(scope: Scope) -> int:
    kind, value = scope
    return value[1] - value[0] if kind == "range" else len(value)


def generate_visit_plans(
    *,
    actor: Any = None,
    installation_ids: Iterable[int] | None = None,
    on: dt.date | None = None,
    chunk_size: int = CHUNK,
    workers: int = PLAN_WORKERS,
    progress: Progress | None = None,
) -> PlanResult:
    """Generate (or regenerate) the visit plans — 生成回访计划, idempotent.

    ``actor`` None is the system (the daily job); a person needs ``visits.manage_visit_plans``.
    ``installation_ids`` limits the run to those installations (after one was edited). Each range
    of installations commits on its own, so a million never sit in one transaction; one audit
    event records the run and its counts. ``progress(done, total)`` is called after each range
    (installation ids covered so far).
    """
    if actor is not None:
        require(actor, MANAGE_PLANS)
    start = on or today()
    policy = visits_policy(start)
    rules = PlanRuleSet.from_policy(policy.plan)
    end = add_months(start, policy.plan.horizon_months)
    ids = sorted({int(i) for i in installation_ids}) if installation_ids is not None else None
    result = PlanResult()
    # A full run holds the generator's lock; a run for a few installations (an installation was
    # just saved) does not wait behind it: its rows are guarded by the unique constraint, and a
    # full run that read the installation before the change is corrected by the next one.
    with _generator_lock() if ids is None else nullcontext():
        parts: list[Scope] = [("all", None)] if ids is None else _scopes(ids, chunk_size)
        keys: dict[Key, int] = {}
        for part in parts:
            keys.update(_plan_keys(part, start, rules))
        patterns = _patterns(keys, rules, start, end)
        result.wanted = sum(n * len(patterns.get(key, ())) for key, n in keys.items())
        result.installations = sum(installations().filter(scope_q(p)).count() for p in parts)
        assignees = active_visitor_ids()
        now = timezone.now()
        scopes = _scopes(ids, chunk_size)
        total = sum(_scope_size(s) for s in scopes)
        done = 0

        def report(scope: Scope) -> None:
            nonlocal done
            done += _scope_size(scope)
            if progress is not None:
                progress(done, total)

        def make_applier(conn: Any) -> Applier:
            return Applier(conn, patterns, assignees, start, now)

        parallel = (
            connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and workers > 1
            and len(scopes) > 1
        )
        if parallel:
            run_parallel(scopes, make_applier, workers, result, report)
        else:
            applier = make_applier(connection)
            try:
                for scope in scopes:
                    result.add(applier.apply(scope))
                    report(scope)
            finally:
                applier.close()
        if connection.vendor == "postgresql" and result.created >= ANALYZE_AFTER:
            # Autovacuum would get there later; the pages and the next run plan with fresh
            # statistics now (samples 30,000 rows: well under a second).
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {connection.ops.quote_name(VisitTask._meta.db_table)}")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="visits.plan_generate",
            object_type="visits.visittask",
            object_id="",
            after={
                **result.as_dict(),
                "on": start.isoformat(),
                "until": end.isoformat(),
                "scope": "all" if ids is None else ids[:50],
            },
        )
    return result


def visit_plans_submit(*, actor: Any) -> Any:
    """Queue 生成回访计划 as a background job — 重新生成回访计划 (the page and the API).

    The job page shows its progress and counts; the job framework notifies the person when it
    ends. One plan job at a time: a second one while another is queued or running is refused.
    """
    from kefu.core.choices import JobKind, JobStatus
    from kefu.core.jobs import job_submit
    from kefu.core.models import BackgroundJob

    from ..tasks import visit_plans_job_task  # tasks imports the services

    require(actor, MANAGE_PLANS)
    with transaction.atomic():
        # Two clicks at the same instant may both pass; the generator's lock still runs them
        # one after the other. A job left "running" by a worker that died long ago does not
        # block the button for ever.
        busy = BackgroundJob.objects.filter(
            kind=JobKind.VISIT_PLANS,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            created_at__gte=timezone.now() - BUSY_FOR,
        ).exists()
        if busy:
            raise ConflictError("visit_plans_busy", "回访计划正在生成中，请等待当前任务完成后再试")
        return job_submit(
            actor=actor,
            kind=JobKind.VISIT_PLANS,
            task=visit_plans_job_task,
            description="重新生成全部安装记录的回访计划",
        )


def installation_plan_refresh(installation: Any) -> None:
    """Installation hook (``kefu.aftersales.hooks``): an installation was created or changed —
    its plan regenerates at once, in the same transaction (AS-4)."""
    if getattr(installation, "pk", None) is None:
        return
    generate_visit_plans(installation_ids=[installation.pk])
