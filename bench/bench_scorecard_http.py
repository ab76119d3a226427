"""Score-card page over HTTP — 考核计分卡页面 (PERF-4) for ``run.py --scorecards N``.

``bench_scorecard.py`` measures the card page in-process (Django's test client); this puts the
same page behind the harness's gunicorn and wrk: the ledger lines (``ledger_kinds``, N per active
employee of the ``seed_scale`` company, one month) are bulk-inserted into the benchmark database
once (a reused database keeps them), then 行政人事部 (BENCH_HR, scope all) opens the cards of 500
random employees. Target p95 ≤ 50 ms (issue #6).
"""

from __future__ import annotations

import argparse
from typing import Any

from bench_tickets import db_rows, random_path_lua
from harness import Scenario, log, manage, pg_connect

TARGET_P95_MS = 50.0


def _month_id(args: argparse.Namespace) -> str:
    return f"{args.scorecard_month}-01"


def ensure_ledger(args: argparse.Namespace, env: dict[str, str]) -> str:
    """Seed the month's ledger unless it is there; returns the line for the report."""
    lines = db_rows(
        args, "SELECT count(*) FROM performance_incident WHERE month = %s", [_month_id(args)]
    )[0][0]
    if lines:
        return f"- score cards: {lines} ledger lines in {args.scorecard_month} (reused)"
    code = (
        "import datetime as dt, random, sys\n"
        f"sys.path.insert(0, {str(args.app_dir / 'bench')!r})\n"
        "from _perf_seed import seed_ledger\n"
        "from bench_scorecard import ledger_kinds\n"
        "from kefu.org.models import Employee\n"
        "kinds, statuses = ledger_kinds()\n"
        "people = list(Employee.objects.filter(status='active').only('pk'))\n"
        f"month = dt.date.fromisoformat({_month_id(args)!r})\n"
        f"n = seed_ledger(people, month, {args.scorecards}, kinds, statuses, random.Random(1))\n"
        "print(f'KEFU_LINES={n}')\n"
    )
    log(f"seeding {args.scorecards} ledger lines per employee in {args.scorecard_month}")
    out = manage(env, "shell", "-c", code, timeout=args.seed_timeout)
    lines = int(out.rsplit("KEFU_LINES=", 1)[1].split()[0])
    with pg_connect(args, args.db_name) as conn:
        conn.execute("ANALYZE performance_incident")
    return f"- score cards: {lines} ledger lines in {args.scorecard_month} (seeded)"


def _ids(args: argparse.Namespace, where: str = "") -> list[int]:
    """Up to 500 employees with lines that month, a fixed pseudo-random sample (md5 order): the
    lowest ids are the seed's heads, leads and supervisors, not a fair sample of cards."""
    sql = (
        "SELECT i.employee_id FROM (SELECT DISTINCT employee_id FROM performance_incident "
        "WHERE month = %s) i JOIN org_employee e ON e.id = i.employee_id "
        f"{where} ORDER BY md5(i.employee_id::text) LIMIT 500"
    )
    return [row[0] for row in db_rows(args, sql, [_month_id(args)])]


def scorecard_scenarios(args: argparse.Namespace, hr_cookie: str) -> list[Any]:
    ids = _ids(args)
    if not ids:
        raise SystemExit(f"no ledger lines in {args.scorecard_month}: run with --scorecards N")
    # 客服主管 cards also rank the whole department (PERF-4 ±100): the heaviest cards, shown apart.
    supervisors = _ids(
        args,
        "JOIN auth_user_groups ug ON ug.user_id = e.user_id "
        "JOIN auth_group g ON g.id = ug.group_id AND g.name = '客服主管'",
    )
    pattern = f"/performance/scorecards/%d/?month={args.scorecard_month}"
    scenarios = [
        Scenario(
            "score-card page",
            pattern % ids[0],
            "HR",
            {"Cookie": hr_cookie},
            p95_target=TARGET_P95_MS,
            lua=random_path_lua(ids, pattern),
            shown=f"/performance/scorecards/<id>/?month={args.scorecard_month} "
            f"({len(ids)} random employees, {args.scorecards} lines each)",
        )
    ]
    if supervisors:
        scenarios.append(
            Scenario(
                "score-card page, 客服主管",
                pattern % supervisors[0],
                "HR",
                {"Cookie": hr_cookie},
                lua=random_path_lua(supervisors, pattern),
                shown=f"/performance/scorecards/<id>/?month={args.scorecard_month} "
                f"({len(supervisors)} supervisors: the card ranks their department)",
            )
        )
    return scenarios
