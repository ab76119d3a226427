"""维修单 at scale — the repair-order list scenarios (AS-2 benchmark: list p95 ≤ 30 ms at 1M).

Used by ``bench/run.py --repairs N --only repairs``: run.py calls ``seed_repairs --count N`` after
``seed_scale`` (set-based SQL: ~1–2 minutes for a million orders, with installations and
customers), then these scenarios as the 客服主管 (who holds every after-sales permission).
``--reuse --only repairs`` measures a database kept by an earlier ``--keep`` run again.

    .venv/bin/python bench/run.py --repairs 1000000 --only repairs            # the target run
    .venv/bin/python bench/run.py --repairs 20000 --only repairs --employees 300 \
        --duration 5 --warmup 2 --output /tmp/repairs-smoke.md                # smoke

The counts the API reports stop at ``selectors.COUNT_CAP`` (1,000): "(1000 rows)" means more.

* repair list (API): ``GET /api/v1/aftersales/repairs?page_size=20`` — newest first, count capped;
* repair list filtered: ``GET /api/v1/aftersales/repairs?status=assigned``;
* repair list breached: ``GET /api/v1/aftersales/repairs?breached=true``;
* repair list page: ``GET /aftersales/repairs/`` (the htmx table swap).
"""

from __future__ import annotations

import argparse
import re

from harness import SUP_USER, Scenario, api_token, pg_connect


def repair_scenarios(args: argparse.Namespace, env: dict[str, str], sup_cookie: str) -> list:
    sup = {"Authorization": f"Bearer {api_token(env, SUP_USER)}"}
    table = {"Cookie": sup_cookie, "HX-Request": "true", "HX-Target": "repair-table"}
    return [
        Scenario(
            "repair list",
            "/api/v1/aftersales/repairs?page_size=20",
            "supervisor (token)",
            sup,
            p95_target=30,
        ),
        Scenario(
            "repair list status",
            "/api/v1/aftersales/repairs?status=assigned",
            "supervisor (token)",
            sup,
            p95_target=30,
        ),
        Scenario(
            "repair list breached",
            "/api/v1/aftersales/repairs?breached=true",
            "supervisor (token)",
            sup,
            p95_target=30,
        ),
        Scenario("repair list page", "/aftersales/repairs/", "supervisor", table, p95_target=30),
    ]


def reused_repairs(args: argparse.Namespace) -> int:
    """How many repair orders a reused database holds (so --reuse runs the scenarios)."""
    with pg_connect(args, args.db_name) as conn:
        return conn.execute("SELECT count(*) FROM aftersales_repairorder").fetchone()[0]


def repair_line(output: str) -> str:
    """The report's line about the generated repair orders (seed_repairs' last line)."""
    m = re.search(r"seeded: (.*?) in ([\d.]+)s", output)
    if not m:
        return "- repair orders: seeded"
    return f"- repair orders: {m.group(1)} (seed_repairs took {m.group(2)} s)"
