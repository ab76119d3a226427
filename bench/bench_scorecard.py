"""Score-card benchmark — 考核计分卡基准 (PERF-4): the card page and the month close's scoring.

Seeds a company (make_org + N employees in 客服部 with a login each, bulk_create; the set-up shared
with bench_month_close.py is ``bench/_perf_seed.py``) and M ledger lines per employee in one month (bulk_create: 扣分/加分/迟到/罚款, a few 待确认 and 申诉中), then measures
through Django's test Client (the whole request: session, middleware, scope, template):

1. ``GET /performance/scorecards/<id>/?month=`` — the card page of random employees as 行政人事部
   (scope: all): p50/p95 over ``--requests`` requests, target p95 ≤ 50 ms;
2. ``GET /performance/scorecards/?month=&page_size=50`` (客服部经理) and
   ``GET /api/v1/scorecards?month=&page_size=50`` (行政人事部): p50/p95;
3. ``scorecard_payroll_lines(month)`` for the whole company (what the month close runs): the
   time and the number of queries of one call.

Database: ``DATABASE_URL`` when given (use an empty database: the script migrates and seeds it),
else a fresh SQLite file in /tmp (deleted at the end unless ``--keep``). Writes
``bench/results/scorecard.md``.

    .venv/bin/python bench/bench_scorecard.py                                 # SQLite, 2,000 × 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_sc .venv/bin/python bench/bench_scorecard.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from typing import Any

from _perf_seed import ROOT, drop_sqlite, seed_company, seed_ledger, setup_django

RESULTS = ROOT / "bench" / "results" / "scorecard.md"
TARGET_P95_MS = 50.0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--employees", type=int, default=2000)
    p.add_argument("--incidents", type=int, default=30, help="ledger lines per employee")
    p.add_argument("--requests", type=int, default=300, help="timed requests per page")
    p.add_argument("--month", default="2026-10")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep the SQLite file")
    p.add_argument("--no-write", action="store_true", help="print only")
    p.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    return p.parse_args()


def ledger_kinds() -> tuple[tuple[Any, ...], list[str]]:
    """The ledger lines drawn (rule, name, category, points, money) and the status mix — shared
    with the HTTP scenario of ``run.py --scorecards``."""
    from kefu.performance.choices import IncidentCategory, IncidentStatus

    kinds = (
        ("posture", "坐姿站姿不端", IncidentCategory.DEDUCTION, "-1", "0"),
        ("late", "迟到", IncidentCategory.DEDUCTION, "-0.5", "0"),
        ("chatting", "值班时无故与人闲聊", IncidentCategory.DEDUCTION, "-2", "0"),
        ("customer_praise", "受客户表扬", IncidentCategory.ADDITION, "5", "0"),
        ("contact_leaked", "将同事联系方式随意透露给他人", IncidentCategory.FINE, "0", "-10"),
    )
    statuses = [IncidentStatus.CONFIRMED] * 8 + [IncidentStatus.PROPOSED, IncidentStatus.APPEALED]
    return kinds, statuses


def seed(args: argparse.Namespace, month: dt.date) -> dict:
    org, employees = seed_company(args.employees, "SCB")
    kinds, statuses = ledger_kinds()
    rng = random.Random(args.seed)
    total = seed_ledger(employees, month, args.incidents, kinds, statuses, rng)
    return {"org": org, "employees": employees, "incidents": total}


def timed(client, paths: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for path in paths:
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{path} answered {r.status_code}")
    return times


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    args = parse()
    sqlite_file = setup_django("scorecard")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kefu.performance.scorecard_payroll import scorecard_payroll_lines
    from kefu.performance.selectors_scorecards import parse_month

    month = parse_month(args.month)
    assert month is not None
    vendor = connection.vendor
    t = time.perf_counter()
    data = seed(args, month)
    seed_s = time.perf_counter() - t
    print(f"seeded {len(data['employees'])} employees, {data['incidents']} lines in {seed_s:.1f} s")
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    org, employees = data["org"], data["employees"]
    rng = random.Random(args.seed + 1)
    hr, manager = Client(), Client()
    hr.force_login(org["hr"].user)
    manager.force_login(org["manager"].user)
    m = f"{month:%Y-%m}"
    detail_paths = [
        f"/performance/scorecards/{rng.choice(employees).pk}/?month={m}"
        for _ in range(args.requests)
    ]
    timed(hr, detail_paths[:20])  # warm-up (policy parse, templates)
    detail = timed(hr, detail_paths)
    pages = max(1, len(employees) // 50)
    list_paths = [
        f"/performance/scorecards/?month={m}&page_size=50&page={rng.randint(1, pages)}"
        for _ in range(max(args.requests // 3, 20))
    ]
    timed(manager, list_paths[:5])
    listing = timed(manager, list_paths)
    api_paths = [
        f"/api/v1/scorecards?month={m}&page_size=50&page={rng.randint(1, pages)}"
        for _ in range(max(args.requests // 3, 20))
    ]
    timed(hr, api_paths[:5])
    api = timed(hr, api_paths)

    runs = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            lines = scorecard_payroll_lines(month)
            runs.append(time.perf_counter() - t)
        queries = len(ctx.captured_queries)
    people = len({x.employee_id for x in lines})

    rows = [
        ("card page `/performance/scorecards/<id>/`", detail, True),
        ("list page, 50 a page (客服部经理)", listing, False),
        ("API `/api/v1/scorecards`, 50 a page", api, False),
    ]
    ok = pct(detail, 95) <= TARGET_P95_MS
    command = (
        f".venv/bin/python bench/bench_scorecard.py --employees {args.employees} "
        f"--incidents {args.incidents} --requests {args.requests} --month {m}"
    )
    db_label = (
        "SQLite (file)"
        if vendor == "sqlite"
        else f"PostgreSQL ({connection.settings_dict['NAME']})"
    )
    table = "\n".join(
        f"| {name} | {len(v)} | {statistics.median(v):.1f} | {pct(v, 95):.1f} | "
        f"{'≤ 50 ms ' + ('✅' if pct(v, 95) <= TARGET_P95_MS else '❌') if target else '—'} |"
        for name, v, target in rows
    )
    load = os.getloadavg()
    md = f"""# Score cards (PERF-4)

Generated {dt.datetime.now():%Y-%m-%d %H:%M} · {db_label} · {os.cpu_count()} CPUs (shared with
other work, load average {load[0]:.2f}) · `{command}`

Data: {len(employees):,} employees in 客服部 (+ the test company) with {args.incidents} ledger lines
each in {m} ({data["incidents"]:,} lines: 扣分, 加分, 迟到, 罚款; ~10 % 待确认, ~10 % 申诉中).
Requests through Django's test Client in one process (session, middleware, scope check, template),
sequential, after a warm-up.

| Request | n | p50 ms | p95 ms | target |
|---|---|---|---|---|
{table}

Month close scoring, `scorecard_payroll_lines({m})` for everyone ({people:,} people):
best {min(runs) * 1000:.0f} ms, worst {max(runs) * 1000:.0f} ms of 3 runs, {queries} queries per run
(constant: the ledger is summed per person in SQL).
"""
    print(md)
    if not args.no_write:
        RESULTS.write_text(md, encoding="utf-8")
        print(f"written {RESULTS.relative_to(ROOT)}")
    if not args.keep:
        drop_sqlite(sqlite_file)
    if args.strict and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
