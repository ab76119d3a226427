#!/usr/bin/env python3
"""Kefu benchmark harness — 性能基准: real HTTP load with wrk against gunicorn + PostgreSQL.

Steps: create a fresh PostgreSQL database, migrate, ``seed_scale`` N employees, collectstatic into
a temporary STATIC_ROOT, start ``gunicorn config.wsgi -w 2`` with the production settings on
127.0.0.1, log in through /login/ (CSRF) for session cookies, create an API token, then run wrk
(2 threads, 4 connections, warm-up then a timed run with --latency) per scenario. Prints a
markdown table and writes it to bench/results/latest.md; stops gunicorn and drops the database.

With ``--tickets N`` it also runs ``seed_tickets --count N`` and the service-request scenarios
(filtered list, Chinese keyword search, detail page, 坐席工作台, create through the API).

Loopback only, every step bounded in time. See bench/README.md and docs/performance.md.

    .venv/bin/python bench/run.py                 # 10,000 employees, 20 s per scenario
    .venv/bin/python bench/run.py --employees 2000 --duration 5 --keep
    .venv/bin/python bench/run.py --tickets 1000000 --only tickets   # 工单 at a million
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import urllib.parse
from pathlib import Path

from bench_repairs import repair_line, repair_scenarios, reused_repairs
from bench_scorecard_http import ensure_ledger, scorecard_scenarios
from bench_tickets import (
    apply_db_settings,
    created_rows,
    reused_data,
    server_version,
    ticket_scenarios,
    verify_created,
)
from harness import (
    CLK_TCK,
    HOST,
    HR_USER,
    RESULTS,
    ROOT,
    SUP_USER,
    VENV_BIN,
    WRK_LUA,
    CpuMeter,
    Scenario,
    api_token,
    app_env,
    check,
    create_database,
    drop_database,
    ensure_wrk,
    fmt_ms,
    load_average,
    log,
    login,
    manage,
    report,
    start_gunicorn,
    stop_gunicorn,
    wrk,
)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--employees", type=int, default=10_000)
    p.add_argument("--db-name", default="kefu_bench")
    p.add_argument("--db-host", default="127.0.0.1")
    p.add_argument("--db-port", type=int, default=5432)
    p.add_argument("--db-user", default="postgres")
    p.add_argument("--replace", action="store_true", help="drop --db-name first if it exists")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="use the existing --db-name (kept by an earlier run with --keep): migrate only, "
        "no seeding; it is kept afterwards",
    )
    p.add_argument("--keep", action="store_true", help="keep the database at the end")
    p.add_argument("--port", type=int, default=8765, help="gunicorn port on 127.0.0.1")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--server-threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (>1: the gthread worker class; default 1: sync)",
    )
    p.add_argument(
        "--worker-class",
        choices=("sync", "gthread"),
        default="sync",
        help="gunicorn worker class; gthread keeps connections alive between requests (sync "
        "closes each one), with --server-threads threads",
    )
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    p.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per scenario")
    p.add_argument("--query", default="王", help="name fragment for the search scenario")
    p.add_argument(
        "--tickets",
        type=int,
        default=0,
        help="run seed_tickets --count N after seed_scale and the 工单 scenarios (0 = none)",
    )
    p.add_argument(
        "--ticket-query", default="漏水", help="Chinese keyword for the ticket search scenario"
    )
    p.add_argument(
        "--ticket-filter",
        default="status=in_progress&kind=after_sales",
        help="query string of the filtered ticket list scenario",
    )
    p.add_argument(
        "--only",
        choices=("all", "org", "tickets", "repairs", "scorecards"),
        default="all",
        help="which scenarios to run (tickets needs --tickets)",
    )
    p.add_argument(
        "--match", default="", help="run only the scenarios whose name contains this text"
    )
    p.add_argument(
        "--repairs",
        type=int,
        default=0,
        help="run seed_repairs --count N after seed_scale and the 维修单 scenarios (0 = none)",
    )
    p.add_argument(
        "--seed-timeout", type=int, default=3600, help="seconds allowed for seed_tickets"
    )
    p.add_argument(
        "--db-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="ALTER DATABASE … SET NAME = VALUE before the run, e.g. random_page_cost=1.1 "
        "(repeatable; recorded in the results)",
    )
    p.add_argument(
        "--scorecards",
        type=int,
        default=0,
        help="ledger lines per employee for the score-card page scenario (seeded once into the "
        "month --scorecard-month; 0 = no scenario)",
    )
    p.add_argument("--scorecard-month", default="2026-10", help="YYYY-MM of the score cards")
    p.add_argument("--password", default="kefu-bench-2026", help="benchmark users' password")
    p.add_argument("--output", type=Path, default=RESULTS)
    p.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="the Kefu checkout to serve (default this one); e.g. an exported older commit, "
        "to compare before/after with the same harness",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when a scenario misses its target")
    args = p.parse_args()
    args.app_dir = args.app_dir.resolve()
    if not (args.app_dir / "manage.py").exists():
        p.error(f"--app-dir {args.app_dir} has no manage.py")
    if args.db_host not in ("127.0.0.1", "localhost", "::1"):
        p.error("the benchmark runs on loopback only (--db-host 127.0.0.1)")
    if not 1 <= args.duration <= 300 or not 0 <= args.warmup <= 60:
        p.error("--duration must be 1..300 s and --warmup 0..60 s")
    for setting in args.db_setting:
        if not re.fullmatch(r"[a-z_]+=[\w.]+", setting):
            p.error(f"--db-setting {setting!r}: expected name=value")
    if args.tickets < 0 or (args.only == "tickets" and not (args.tickets or args.reuse)):
        p.error("--only tickets needs --tickets N (N > 0)")
    if args.repairs < 0 or (args.only == "repairs" and not (args.repairs or args.reuse)):
        p.error("--only repairs needs --repairs N (N > 0)")
    if args.scorecards < 0 or (args.only == "scorecards" and not args.scorecards):
        p.error("--only scorecards needs --scorecards N (N > 0)")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.scorecard_month):
        p.error("--scorecard-month: expected YYYY-MM")
    return args


def main() -> int:
    args = parse_args()
    args.load_before = load_average()
    if not (VENV_BIN / "gunicorn").exists():
        sys.exit("run `make install` first (.venv/bin/gunicorn is missing)")
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        # psycopg lives in the project's venv: run again with its interpreter.
        os.execv(str(VENV_BIN / "python"), [str(VENV_BIN / "python"), __file__, *sys.argv[1:]])
    wrk_bin = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    script = workdir / "status.lua"
    script.write_text(WRK_LUA, encoding="utf-8")
    env = app_env(args, workdir)
    server = None
    created = False
    ticket_seed = repair_seed = ""
    try:
        if args.reuse:
            log(f"reusing database {args.db_name} (kept by an earlier --keep run); migrate")
            manage(env, "migrate", "--noinput", "-v0")
            seed = reused_data(args)
            args.pg_version = server_version(args)
            if args.only in ("all", "repairs"):
                args.repairs = args.repairs or reused_repairs(args)
        else:
            log(f"creating database {args.db_name}")
            create_database(args)
            created = True
            log("migrate")
            manage(env, "migrate", "--noinput", "-v0")
            log(f"seed_scale --employees {args.employees}")
            seed = manage(
                env, "seed_scale", "--employees", str(args.employees), "--password", args.password
            )
            log(seed.splitlines()[0] if seed else "seeded")
            if args.tickets:
                log(f"seed_tickets --count {args.tickets}")
                ticket_seed = manage(
                    env, "seed_tickets", "--count", str(args.tickets), timeout=args.seed_timeout
                )
                log(ticket_seed.strip().splitlines()[-1] if ticket_seed else "seeded")
            if args.repairs:
                log(f"seed_repairs --count {args.repairs}")
                repair_seed = manage(
                    env, "seed_repairs", "--count", str(args.repairs), timeout=args.seed_timeout
                )
                log(repair_seed.strip().splitlines()[-1] if repair_seed else "seeded")
        scorecard_seed = ""
        if args.scorecards and args.only in ("all", "scorecards"):
            scorecard_seed = ensure_ledger(args, env)
            log(scorecard_seed)
        apply_db_settings(args)
        manage(env, "collectstatic", "--noinput", "-v0")
        token = api_token(env, HR_USER)
        log(f"starting gunicorn on {HOST}:{args.port}")
        server = start_gunicorn(args, env, workdir)
        hr_cookie = login(args.port, HR_USER, args.password)
        sup_cookie = login(args.port, SUP_USER, args.password)
        bearer = {"Authorization": f"Bearer {token}"}
        query = urllib.parse.quote(args.query)
        org_scenarios = [
            # The floor: a page with no database query (framework, gunicorn and wrk only).
            Scenario("baseline", "/login/", "anonymous", {}),
            Scenario(
                "API list",
                "/api/v1/org/employees?page=1&page_size=20",
                "HR (token)",
                bearer,
                target=True,
            ),
            Scenario("API search", f"/api/v1/org/employees?q={query}", "HR (token)", bearer),
            Scenario("dashboard", "/dashboard/", "HR", {"Cookie": hr_cookie}, target=True),
            Scenario("dashboard", "/dashboard/", "supervisor", {"Cookie": sup_cookie}, target=True),
            Scenario("employee page", "/org/employees/", "HR", {"Cookie": hr_cookie}),
        ]
        scenarios = [] if args.only in ("tickets", "repairs", "scorecards") else org_scenarios
        if args.tickets and args.only in ("all", "tickets"):
            scenarios += ticket_scenarios(args, env, sup_cookie)
        if args.repairs and args.only in ("all", "repairs"):
            scenarios += repair_scenarios(args, env, sup_cookie)
        if args.scorecards and args.only in ("all", "scorecards"):
            scenarios += scorecard_scenarios(args, hr_cookie)
        scenarios = [s for s in scenarios if args.match in s.name]
        rows = []
        for scenario in scenarios:
            check(args.port, scenario)
            before = created_rows(args) if scenario.method == "POST" else 0
            log(
                f"{scenario.name} as {scenario.user}: warm-up {args.warmup} s, run {args.duration} s"
            )
            if args.warmup:
                warm = wrk(args, wrk_bin, script, scenario, args.warmup)
                scenario.warm_ok = warm["requests"] - warm["non2xx"]
            with CpuMeter(args, server) as cpu:
                result = wrk(args, wrk_bin, script, scenario, args.duration)
            per_request = 1000 / CLK_TCK / max(result["requests"], 1)
            result["app_cpu_ms"] = cpu.ticks("app") * per_request
            result["db_cpu_ms"] = cpu.ticks("db") * per_request
            if scenario.method == "POST":
                verify_created(args, scenario, before, result)
            rows.append((scenario, result))
            log(f"  p50 {fmt_ms(result['p50'])} ms, p95 {fmt_ms(result['p95'])} ms")
        text = report(args, rows, seed, ticket_seed)
        if repair_seed:
            text = text.replace("\n- server:", f"\n{repair_line(repair_seed)}\n- server:", 1)
        if scorecard_seed:
            text = text.replace("\n- server:", f"\n{scorecard_seed}\n- server:", 1)
        print()
        print(text)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        (args.output.with_suffix(".wrk.tmp")).write_text(
            "\n\n".join(f"## {s.name} ({s.user})\n{r['raw']}" for s, r in rows), encoding="utf-8"
        )
        log(f"written {args.output}")
        missed = [s for s, r in rows if s.missed(r)]
        failed = [
            s for s, r in rows if r["non2xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
        ]
        if failed:
            log("errors in: " + ", ".join(f"{s.name} ({s.user})" for s in failed))
        return 1 if failed or (args.strict and missed) else 0
    finally:
        stop_gunicorn(server)
        if created and not args.keep and not args.reuse:
            log(f"dropping database {args.db_name}")
            drop_database(args)
        elif created:
            log(f"kept database {args.db_name}: {env['DATABASE_URL']}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
