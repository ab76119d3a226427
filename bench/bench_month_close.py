"""Month-close benchmark — 月结基准 (CMP-7, PERF-8): the close job at company scale.

Seeds a company (make_org + N employees in 客服部 with a login each, bulk_create; the set-up shared
with bench_scorecard.py is ``bench/_perf_seed.py``) and M confirmed ledger lines per employee in one past month (bulk_create: 扣分/加分/罚款/奖励), marks the month
经理已审核, then times what the GM's 批准结账 costs: ``month_approve`` plus the close job run
synchronously (the test settings' immediate task backend): compensation hook, preparers, every
registered payroll source (``collect_payroll``), the PayrollLine rows written in one transaction.
Also times each registered payroll source alone, so a slow one can be named. Target ≤ 10 s.

Database: ``DATABASE_URL`` when given (use an empty database: the script migrates and seeds it),
else a fresh SQLite file in /tmp (deleted at the end unless ``--keep``). Writes
``bench/results/month_close.md``.

    .venv/bin/python bench/bench_month_close.py                                   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_mc .venv/bin/python bench/bench_month_close.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from _perf_seed import ROOT, drop_sqlite, seed_company, seed_ledger, setup_django

RESULTS = ROOT / "bench" / "results" / "month_close.md"
TARGET_S = 10.0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--employees", type=int, default=2000)
    p.add_argument("--incidents", type=int, default=30, help="ledger lines per employee")
    p.add_argument("--month", default="2026-10")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep the SQLite file")
    p.add_argument("--no-write", action="store_true", help="print only")
    p.add_argument("--profile", action="store_true", help="print the close's cProfile top 25")
    p.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    return p.parse_args()


def seed(args: argparse.Namespace, month: dt.date) -> dict:
    from django.utils import timezone

    from kefu.org.models import Employee
    from kefu.performance.choices import IncidentCategory, IncidentStatus, MonthCloseStatus
    from kefu.performance.models import MonthClose

    org, employees = seed_company(args.employees, "MCB")
    kinds = (
        ("posture", "坐姿站姿不端", IncidentCategory.DEDUCTION, "-1", "0"),
        ("chatting", "值班时无故与人闲聊", IncidentCategory.DEDUCTION, "-2", "0"),
        ("customer_praise", "受客户表扬", IncidentCategory.ADDITION, "5", "0"),
        ("contact_leaked", "将同事联系方式随意透露给他人", IncidentCategory.FINE, "0", "-10"),
        ("suggestion_money", "反应的问题经公司采纳（奖励）", IncidentCategory.REWARD, "0", "20"),
    )
    rng = random.Random(args.seed)
    total = seed_ledger(employees, month, args.incidents, kinds, [IncidentStatus.CONFIRMED], rng)
    MonthClose.objects.create(
        month=month,
        status=MonthCloseStatus.REVIEWED,
        reviewed_by=org["manager"].user,
        reviewed_at=timezone.now(),
    )
    return {"org": org, "incidents": total, "people": Employee.objects.count()}


def main() -> None:
    args = parse()
    sqlite_file = setup_django("close")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kefu.core.models import BackgroundJob
    from kefu.performance.models import MonthClose, PayrollLine
    from kefu.performance.payroll import payroll_sources
    from kefu.performance.selectors_closing import parse_month
    from kefu.performance.services.closing import month_approve

    month = parse_month(args.month)
    assert month is not None
    t0 = time.perf_counter()
    data = seed(args, month)
    seed_s = time.perf_counter() - t0
    sources = []
    for key, fn in sorted(payroll_sources().items()):
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            n = len(list(fn(month, None)))
        sources.append((key, time.perf_counter() - t, len(q), n))
    # A worker has imported the URL configuration long before; do it here too, outside the timing
    # (the first reverse() imports every app's views: several seconds in a fresh process).
    from django.urls import reverse

    reverse("performance:close_list")
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        job = month_approve(actor=data["org"]["gm"].user, month=month)
    close_s = time.perf_counter() - t
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    job = BackgroundJob.objects.get(pk=job.pk)
    status = MonthClose.objects.get(month=month).status
    lines = PayrollLine.objects.filter(month=month).count()
    vendor = connection.vendor
    ok = close_s <= TARGET_S and job.status == "succeeded" and status == "closed"
    rows = [
        "# 月结基准 (month close)",
        "",
        f"- database: {vendor}; employees: {data['people']:,}; ledger lines: "
        f"{data['incidents']:,} in {month:%Y-%m}; seeding {seed_s:.1f} s",
        "- command: `.venv/bin/python bench/bench_month_close.py`"
        + (" (DATABASE_URL=postgres://…)" if vendor == "postgresql" else ""),
        "",
        "| what | time | queries | result |",
        "|---|---:|---:|---|",
        f"| 批准结账 + close job (target ≤ {TARGET_S:.0f} s) | {close_s:.2f} s | {len(q)} | "
        f"job {job.status}, month {status}, {lines:,} PayrollLine rows |",
    ]
    for key, secs, nq, n in sources:
        rows.append(f"| payroll source `{key}` alone | {secs:.2f} s | {nq} | {n:,} lines |")
    rows += ["", f"Verdict: {'PASS' if ok else 'MISS'}"]
    text = "\n".join(rows) + "\n"
    print(text)
    if job.status != "succeeded":
        print("job error:", job.error)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
    if not args.keep:
        drop_sqlite(sqlite_file)
    if args.strict and not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
