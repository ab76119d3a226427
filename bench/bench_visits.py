"""Return-visit plan generation benchmark — 回访计划生成基准 (AS-4: 1,000,000 installations ≤ 60 s).

Creates (or reuses) a PostgreSQL database, migrates it, bulk-inserts N installations and their
customers with set-based SQL (``generate_series``), then times ``manage.py generate_visit_plans``
three times: the first run (empty plan table), an idempotent re-run (nothing to add) and the next
day's daily run (``--on`` tomorrow: the window moves one day). Prints a markdown result and writes
it to ``bench/results/visits.md`` (with the load average, the machine is shared).

    .venv/bin/python bench/bench_visits.py --installations 20000          # smoke
    .venv/bin/python bench/bench_visits.py --installations 1000000 --replace  # the real run

Data: acceptance dates spread over the last three years; every 10th installation a project;
warranty 12 months (24 for every 7th); every 50th customer 重点客户, every 20th 大客户. No 回访员
exists in the database, so tasks stay unassigned (assignment is a Python round-robin per row and
costs the same either way).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
RESULTS = ROOT / "bench" / "results" / "visits.md"
TARGET_SECONDS = 60.0


def pg(args: argparse.Namespace, dbname: str = "postgres"):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(
        host=args.db_host, port=args.db_port, user=args.db_user, dbname=dbname, autocommit=True
    )


def env_for(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{args.db_user}@{args.db_host}:{args.db_port}/{args.db_name}",
    )
    return env


def manage(args: argparse.Namespace, *argv: str) -> str:
    result = subprocess.run(
        [str(VENV_PY), "manage.py", *argv],
        cwd=ROOT,
        env=env_for(args),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(argv)} failed")
    return result.stdout


def prepare(args: argparse.Namespace) -> str:
    quoted = '"' + args.db_name.replace('"', '""') + '"'
    with pg(args) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.db_name]
        ).fetchone()
        if exists and args.replace:
            conn.execute(f"DROP DATABASE {quoted} WITH (FORCE)")
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {quoted}")
        version = conn.execute("SHOW server_version").fetchone()[0]
    t = time.perf_counter()
    manage(args, "migrate", "--noinput")
    print(f"migrate: {time.perf_counter() - t:.1f} s", flush=True)
    return version


def seed(args: argparse.Namespace) -> float:
    """Bulk-insert customers and installations up to N (set-based SQL); returns seconds."""
    n = args.installations
    t = time.perf_counter()
    with pg(args, args.db_name) as conn:
        have = conn.execute("SELECT count(*) FROM aftersales_installation").fetchone()[0]
        if have >= n:
            # Reused data: empty the plan table so the first run really starts from nothing.
            conn.execute("TRUNCATE visits_visittask, visits_correctiveaction CASCADE")
            print(f"reusing {have} installations", flush=True)
            return 0.0
        if have:
            sys.exit("database holds a different number of installations; pass --replace")
        conn.execute("DELETE FROM visits_visittask")
        conn.execute(
            "INSERT INTO aftersales_product (code, name, model_no, category, manufacturer, "
            "manufacturer_warranty_months, is_active, created_at, updated_at) VALUES "
            "('BENCH-P1', '空气净化器', 'KJ-500', '净化', '厂家', 12, true, now(), now()) "
            "ON CONFLICT (code) DO NOTHING"
        )
        product = conn.execute(
            "SELECT id FROM aftersales_product WHERE code = 'BENCH-P1'"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO customers_customer (code, name, customer_type, grade, region, address, "
            "contact_person, notes, created_at, updated_at) "
            "SELECT 'BV' || lpad(i::text, 9, '0'), '基准客户' || i, 'consumer', "
            "CASE WHEN i %% 50 = 0 THEN 'key' WHEN i %% 20 = 0 THEN 'major' ELSE 'normal' END, "
            "'上海', '', '', '', now(), now() FROM generate_series(1, %s) AS i",
            [n],
        )
        first = conn.execute(
            "SELECT min(id) FROM customers_customer WHERE code LIKE 'BV%%'"
        ).fetchone()[0]
        today = dt.date.today()
        conn.execute(
            "INSERT INTO aftersales_installation (number, kind, customer_id, product_id, project_name, "
            "serial_number, order_no, address, acceptance_date, warranty_months, warranty_end, notes, "
            "created_at, updated_at) "
            "SELECT 'BI' || lpad(i::text, 9, '0'), "
            "CASE WHEN i %% 10 = 0 THEN 'project' ELSE 'product' END, %s + i - 1, "
            "CASE WHEN i %% 10 = 0 THEN NULL ELSE %s END, "
            "CASE WHEN i %% 10 = 0 THEN '项目' || i ELSE '' END, '', '', '', "
            "a, w, (a + make_interval(months => w))::date, '', now(), now() "
            "FROM (SELECT i, (%s::date - ((i::bigint * 7919) %% 1095)::int)::date AS a, "
            "CASE WHEN i %% 7 = 0 THEN 24 ELSE 12 END AS w FROM generate_series(1, %s) AS i) s",
            [first, product, today, n],
        )
        conn.execute("ANALYZE customers_customer; ANALYZE aftersales_installation")
    seconds = time.perf_counter() - t
    print(f"seeded {n} installations in {seconds:.1f} s", flush=True)
    return seconds


def run_generation(args: argparse.Namespace, *extra: str) -> tuple[float, str]:
    t = time.perf_counter()
    out = manage(
        args,
        "generate_visit_plans",
        "--chunk-size",
        str(args.chunk_size),
        "--workers",
        str(args.workers),
        *extra,
    ).strip()
    return time.perf_counter() - t, out.splitlines()[-1]


def seconds_of(out: str) -> float:
    return float(out.rsplit("seconds=", 1)[1])


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--installations", type=int, default=20_000)
    p.add_argument("--chunk-size", type=int, default=100_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--db-name", default="kefu_bench_visits")
    p.add_argument("--db-host", default="127.0.0.1")
    p.add_argument("--db-port", type=int, default=5432)
    p.add_argument("--db-user", default="postgres")
    p.add_argument("--replace", action="store_true", help="drop and recreate the database")
    args = p.parse_args()
    version = prepare(args)
    seed_s = seed(args)
    load_before = os.getloadavg()
    first_s, first_out = run_generation(args)
    print(f"first run: {first_s:.1f} s — {first_out}", flush=True)
    again_s, again_out = run_generation(args)
    print(f"re-run: {again_s:.1f} s — {again_out}", flush=True)
    # The business day is Asia/Shanghai's (the generator's "today"), not this machine's.
    shanghai_today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    tomorrow = (shanghai_today + dt.timedelta(days=1)).isoformat()
    next_s, next_out = run_generation(args, "--on", tomorrow)
    print(f"next day: {next_s:.1f} s — {next_out}", flush=True)
    load_after = os.getloadavg()
    with pg(args, args.db_name) as conn:
        rows = conn.execute("SELECT count(*) FROM visits_visittask").fetchone()[0]
    inner = seconds_of(first_out)
    scaled_target = TARGET_SECONDS * args.installations / 1_000_000
    verdict = "✅" if inner <= scaled_target else "❌"
    scaled = (
        f" (scaled to {args.installations:,}: {scaled_target:.1f} s)"
        if args.installations < 1_000_000
        else ""
    )
    command = (
        f"bench/bench_visits.py --installations {args.installations} "
        f"--chunk-size {args.chunk_size} --workers {args.workers}"
    )
    md = f"""# Return-visit plan generation (AS-4)

Generated {dt.datetime.now():%Y-%m-%d %H:%M} · PostgreSQL {version} · {os.cpu_count()} CPUs ·
load average before/after {load_before[0]:.2f} / {load_after[0]:.2f} (1 min; the machine is
shared) · `.venv/bin/python {command}`

| Scenario | Installations | Visit tasks | Generation (s) | Wall incl. Django start (s) | Target | |
|---|---:|---:|---:|---:|---|---|
| seed (SQL generate_series) | {args.installations:,} | — | — | {seed_s:.1f} | — | |
| first run (empty plan table) | {args.installations:,} | {rows:,} | {inner:.1f} | {first_s:.1f} | ≤ 60 s at 1,000,000{scaled} | {verdict} |
| idempotent re-run (nothing to do) | {args.installations:,} | {rows:,} | {seconds_of(again_out):.1f} | {again_s:.1f} | — | |
| next day's daily run (window +1 day) | {args.installations:,} | {rows:,} | {seconds_of(next_out):.1f} | {next_s:.1f} | — | |

First run: `{first_out}`
Re-run: `{again_out}`
Next day: `{next_out}`

Generation = the command's own timing (plan keys, patterns, the set-based statements per
installation-id range on {args.workers} connections, commits, ANALYZE); the wall time adds starting
Django (`manage.py`). Horizon: the next 12 months of visits (policy
`visits.plan.horizon_months`).
"""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
