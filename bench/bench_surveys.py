"""Satisfaction-statistics benchmark — 满意度统计基准 (issue #4: 1,000,000 answers in ≤ 1 s).

Creates a fresh PostgreSQL database, migrates, makes a small company (make_org + 100 agents in
10 departments, 50 products, 2,000 customers, one published questionnaire), seeds N invitations
and N responses (答卷, with the denormalised overall rating / 满意 / agent / department / product /
channel / month) with INSERT … SELECT generate_series, rebuilds the month summaries
(``services.stats_rebuild`` — what ``manage.py surveys_rebuild_stats`` runs), checks that the
summary-based statistics equal the answers grouped directly for several filter × scope cases,
then times the statistics the page computes (``survey_stats`` + ``names_for``: rate,
distribution, by agent / department / product / month) with the page's filters, and the cost of
keeping the summaries per answer. Prints a markdown table and writes ``bench/results/surveys.md``.

    .venv/bin/python bench/bench_surveys.py --answers 20000 --replace          # smoke
    .venv/bin/python bench/bench_surveys.py --answers 1000000 --replace        # the issue's size
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, create_database, drop_database, log

TARGET_S = 1.0
RESULTS = ROOT / "bench" / "results" / "surveys.md"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--answers", type=int, default=20_000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--db-name", default="kefu_bench_surveys")
    p.add_argument("--db-host", default="127.0.0.1")
    p.add_argument("--db-port", type=int, default=5432)
    p.add_argument("--db-user", default="postgres")
    p.add_argument("--replace", action="store_true", help="drop --db-name first if it exists")
    p.add_argument("--keep", action="store_true", help="keep the database at the end")
    p.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    return p.parse_args()


def setup_django(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = (
        f"postgres://{args.db_user}@{args.db_host}:{args.db_port}/{args.db_name}"
    )
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_world() -> dict:
    from kefu.aftersales.models import Product
    from kefu.customers.models import Customer
    from kefu.org.tests.factories import DepartmentFactory, EmployeeFactory, make_org
    from kefu.surveys.tests.factories import make_questionnaire

    org = make_org()
    departments = [DepartmentFactory(name=f"客服{i}组", parent=org["cs"]) for i in range(10)]
    agents = [EmployeeFactory(roles=["agent"], department=departments[i % 10]) for i in range(100)]
    Product.objects.bulk_create(Product(code=f"P{i:04d}", name=f"产品{i}") for i in range(50))
    Customer.objects.bulk_create(
        Customer(code=f"B{i:07d}", name=f"客户{i}", grade="normal", customer_type="consumer")
        for i in range(2000)
    )
    q = make_questionnaire(org["supervisor"].user)
    return {
        "org": org,
        "agents": [(a.pk, a.department_id) for a in agents],
        "products": list(Product.objects.values_list("pk", flat=True)),
        "customers": list(Customer.objects.values_list("pk", flat=True)),
        "version": q.versions.get().pk,
        "departments": [d.pk for d in departments],
        "questionnaire": q.pk,
    }


def bulk_insert(world: dict, n: int) -> float:
    """Seed n invitations + n responses with INSERT … SELECT generate_series; returns seconds.

    One unlogged scratch table draws the random values once (setseed: the same data every run);
    both tables are filled from it. Ratings 5/4/3/2/1 weigh 70/26/2/1/1; 80% name a product;
    submission times spread over the last two years; channels as the agents use them.
    """
    from django.db import connection

    start = time.perf_counter()
    agents = [a for a, _ in world["agents"]]
    depts = [d for _, d in world["agents"]]
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM surveys_invitation")
        base = cur.fetchone()[0]
        # The rows are consistent by construction: skip the per-row foreign-key triggers, which
        # would otherwise take most of the time (PostgreSQL superuser, this session only).
        cur.execute("SET session_replication_role = replica")
        cur.execute("SELECT setseed(0.4)")
        cur.execute(
            """
            CREATE UNLOGGED TABLE bench_draw AS
            SELECT %s + i AS id,
                   1 + floor(random() * %s)::int AS a,
                   CASE WHEN random() < 0.8 THEN 1 + floor(random() * %s)::int END AS p,
                   1 + floor(random() * %s)::int AS c,
                   now() - random() * interval '730 days' AS at,
                   (ARRAY['web','phone','phone','email','on_site','letter','fax'])
                       [1 + floor(random() * 7)::int] AS channel,
                   random() AS r
            FROM generate_series(1, %s) AS i
            """,
            [base, len(agents), len(world["products"]), len(world["customers"]), n],
        )
        log(f"  drew {n:,} random rows ({time.perf_counter() - start:.1f} s)")
        # Building the plain indexes once after the load is much faster than keeping them row by
        # row: drop them (not the primary/unique keys) and recreate them from their definitions.
        cur.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename IN ('surveys_invitation', 'surveys_surveyresponse')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        params = {
            "agents": agents,
            "depts": depts,
            "products": world["products"],
            "customers": world["customers"],
            "version": world["version"],
            "questionnaire": world["questionnaire"],
        }
        cur.execute(
            """
            INSERT INTO surveys_invitation (id, customer_id, version_id, channel, source,
                agent_id, department_id, product_id, sent_at, answered_at, created_at)
            SELECT d.id, (%(customers)s::int[])[d.c], %(version)s, d.channel, 'manual',
                   (%(agents)s::int[])[d.a], (%(depts)s::int[])[d.a], (%(products)s::int[])[d.p],
                   d.at, d.at, d.at
            FROM bench_draw d
            """,
            params,
        )
        log(f"  invitations inserted ({time.perf_counter() - start:.1f} s)")
        cur.execute(
            """
            INSERT INTO surveys_surveyresponse (invitation_id, version_id, questionnaire_id,
                customer_id, submitted_at, submitted_on, month, overall_rating, satisfied,
                channel, agent_id, department_id, product_id)
            SELECT d.id, %(version)s, %(questionnaire)s, (%(customers)s::int[])[d.c], d.at,
                   (d.at AT TIME ZONE 'Asia/Shanghai')::date,
                   date_trunc('month', d.at AT TIME ZONE 'Asia/Shanghai')::date,
                   x.rating, x.rating >= 4, d.channel,
                   (%(agents)s::int[])[d.a], (%(depts)s::int[])[d.a], (%(products)s::int[])[d.p]
            FROM bench_draw d
            CROSS JOIN LATERAL (SELECT CASE WHEN d.r < 0.70 THEN 5 WHEN d.r < 0.96 THEN 4
                                            WHEN d.r < 0.98 THEN 3 WHEN d.r < 0.99 THEN 2
                                            ELSE 1 END AS rating) x
            """,
            params,
        )
        log(f"  responses inserted ({time.perf_counter() - start:.1f} s)")
        for _, definition in indexes:
            cur.execute(definition)
        log(f"  {len(indexes)} indexes rebuilt ({time.perf_counter() - start:.1f} s)")
        cur.execute("DROP TABLE bench_draw")
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('surveys_invitation', 'id'),"
            " (SELECT MAX(id) FROM surveys_invitation))"
        )
        cur.execute("VACUUM ANALYZE surveys_invitation")
        cur.execute("VACUUM ANALYZE surveys_surveyresponse")
    return time.perf_counter() - start


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm (plans, caches)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), max(samples)


def check_equal(selectors, users: dict, cases: list[dict]) -> int:
    """The summary-based statistics equal the answers grouped directly, case by case."""
    checked = 0
    for who, user in users.items():
        raw_scope = selectors.stats_scope(user)
        for filters in cases:
            fast = selectors.survey_stats(user, **filters)
            slow = selectors.aggregate(selectors.filtered_responses(raw_scope, **filters))
            assert fast == slow, (who, filters, fast.count, slow.count)
            checked += 1
    return checked


def record_cost(world: dict, samples: int = 300) -> float:
    """Mean seconds of ``stats_record`` (the two UPSERTs an answer adds), rolled back."""
    from django.db import transaction

    from kefu.surveys.models import SurveyResponse
    from kefu.surveys.services.stats import stats_record

    rows = list(SurveyResponse.objects.order_by("-id")[:samples])
    start = time.perf_counter()
    with transaction.atomic():
        for r in rows:
            stats_record(r)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed / max(len(rows), 1)


def main() -> None:
    args = parse()
    log(f"creating database {args.db_name}")
    create_database(args)
    try:
        setup_django(args)
        from django.db import connection
        from django.utils import timezone

        from kefu.org.tests.factories import EmployeeFactory
        from kefu.surveys import selectors
        from kefu.surveys.models import SurveyMonthByAgent, SurveyMonthByProduct
        from kefu.surveys.rules import month_of
        from kefu.surveys.services import stats_rebuild

        log("making the company, products, customers, questionnaire")
        world = make_world()
        log(f"seeding {args.answers:,} invitations + responses (INSERT … SELECT generate_series)")
        insert_s = bulk_insert(world, args.answers)
        t = time.perf_counter()
        rebuilt = stats_rebuild()
        rebuild_s = time.perf_counter() - t
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE surveys_surveymonthbyagent")
            cursor.execute("VACUUM ANALYZE surveys_surveymonthbyproduct")
        log(
            f"month summaries rebuilt in {rebuild_s:.1f} s: {rebuilt['agent_rows']:,} agent rows, "
            f"{rebuilt['product_rows']:,} product rows"
        )
        gm = world["org"]["gm"].user
        sup = world["org"]["supervisor"].user
        team_sup = EmployeeFactory(roles=["supervisor"], department_id=world["departments"][0])
        users = {"gm": gm, "supervisor": sup, "group supervisor": team_sup.user}

        today = timezone.localdate()
        year_ago = today - dt.timedelta(days=365)
        mid_from = today - dt.timedelta(days=300)
        mid_to = today - dt.timedelta(days=100)
        this_month = month_of(today)
        q = world["questionnaire"]
        cases = [
            {},
            {"date_from": year_ago, "channel": "phone"},
            {"date_from": mid_from, "date_to": mid_to, "questionnaire_id": q},
            {"date_from": this_month, "date_to": today},
            {"date_to": mid_to, "channel": "web"},
            {"date_from": mid_from, "date_to": mid_from + dt.timedelta(days=10)},
        ]
        log("checking the summary-based statistics against the answers grouped directly")
        checked = check_equal(selectors, users, cases)
        everything = selectors.aggregate(selectors.stats_scope(gm))
        assert everything.count == args.answers, (everything.count, args.answers)
        log(f"checked {checked} cases: equal; rate {everything.rate}% over {everything.count:,}")

        def page(user, **filters):
            return lambda: selectors.names_for(selectors.survey_stats(user, **filters))

        timings = [
            ("全部答卷（总经理）", page(gm)),
            ("近一年 + 电话（总经理）", page(gm, date_from=year_ago, channel="phone")),
            (
                f"{mid_from} ~ {mid_to} + 问卷（总经理，两端各半个月）",
                page(gm, date_from=mid_from, date_to=mid_to, questionnaire_id=q),
            ),
            ("本月至今（总经理）", page(gm, date_from=this_month, date_to=today)),
            ("全部答卷（客服主管，本部门）", page(sup)),
            ("近一年（一个组的主管，本部门）", page(team_sup.user, date_from=year_ago)),
            (
                "对照：不用汇总，直接分组全部答卷（GROUPING SETS，覆盖索引）",
                lambda: selectors.aggregate(selectors.stats_scope(gm)),
            ),
        ]
        rows = []
        for name, fn in timings:
            med, worst = timed(fn, args.runs)
            rows.append((name, med, worst))
            log(f"  {name}: median {med * 1000:.0f} ms, max {worst * 1000:.0f} ms")
        with connection.cursor() as cursor:
            # How many rows a per-day summary keyed by every dimension would hold (the design the
            # month summaries replace): about one per answer when answers spread evenly.
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT DISTINCT submitted_on, questionnaire_id, channel,"
                " department_id, agent_id, product_id FROM surveys_surveyresponse) d"
            )
            day_cells = cursor.fetchone()[0]
        per_answer = record_cost(world)
        log(f"  stats_record per answer: {per_answer * 1000:.2f} ms")
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        load = os.getloadavg()
        gated = rows[:-1]
        ok = all(worst <= TARGET_S for _, _, worst in gated)
        lines = [
            "# 满意度统计基准 (surveys statistics)",
            "",
            "Command: `.venv/bin/python bench/bench_surveys.py "
            f"--answers {args.answers} --runs {args.runs}"
            f"{' --replace' if args.replace else ''}`",
            "",
            f"- answers (答卷): {args.answers:,}; runs per case: {args.runs} (after one warm-up)",
            f"- PostgreSQL {pg}; {os.cpu_count()} CPUs; load average at the end "
            f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}",
            f"- seeding (INSERT … SELECT generate_series): {insert_s:.1f} s; "
            f"month summaries rebuilt (`manage.py surveys_rebuild_stats`): {rebuild_s:.1f} s → "
            f"{SurveyMonthByAgent.objects.count():,} agent rows, "
            f"{SurveyMonthByProduct.objects.count():,} product rows",
            f"- {checked} filter × scope cases checked equal to the answers grouped directly",
            f"- keeping the summaries: {per_answer * 1000:.2f} ms per answer (two UPSERTs)",
            f"- for comparison, a per-day summary keyed by day × questionnaire × channel × "
            f"department × agent × product would hold {day_cells:,} rows for these "
            f"{args.answers:,} answers, so reading it would cost about as much as the answers",
            f"- overall rate {everything.rate}% ({everything.satisfied:,} / {everything.count:,}); "
            f"target ≤ {TARGET_S:.0f} s per statistics call (rate, distribution, by agent / "
            "department / product / month, names)",
            "",
            "| case | median | max | target |",
            "| --- | ---: | ---: | --- |",
        ]
        for i, (name, med, worst) in enumerate(rows):
            verdict = ("✅" if worst <= TARGET_S else "❌") if i < len(gated) else "reference"
            lines.append(f"| {name} | {med * 1000:.0f} ms | {worst * 1000:.0f} ms | {verdict} |")
        text = "\n".join(lines) + "\n"
        print(text)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
        if args.strict and not ok:
            sys.exit(1)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args)


if __name__ == "__main__":
    main()
