"""``manage.py seed_repairs --count N`` — 维修单规模测试数据: up to millions of repair orders, in minutes.

Run after ``seed_scale`` (or ``seed_demo``). What is generated:

- customers (客户档案, one mobile number each) when the database has too few (``--customers``);
- products (产品) when the catalogue is empty; installations (安装记录) accepted over the report
  period and three years before it, 10 % projects, warranty computed as the service does;
- repair orders (维修单) over the last ``--days`` days, older first, numbered ``WXyyyymmdd-NNNN``
  per report day after the numbers already given (the day counters are advanced, so
  ``repair_create`` continues after them); 85 % against an installation accepted before the
  report (its customer, address and warranty on the report day), technicians among the active
  售后专员 (every active employee when there are none); stages as ``_repair_plan`` describes —
  nearly everything older than a week is 已关闭, the last days are spread over every status.

Deadlines and breach flags are consistent with the stage times: wall-clock deadlines from the
policy in force today; the breach flags and ``notified`` of a closed order as of its closing,
``next_check_at`` NULL. Orders still open get exactly what ``services.clock.refresh_clock``
would store now (real deadlines — working hours when the policy says so — warnings, next check).

PostgreSQL: set-based ``INSERT … SELECT … FROM generate_series`` in chunks (``_repair_sql``), one
transaction, ``VACUUM (ANALYZE)`` afterwards. Other databases (SQLite, the tests): the same
distribution row by row with ``bulk_create``. NOT through the services: the data is synthetic and
**not audited** (no audit events, notifications or timeline entries).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.customers.models import Customer, CustomerPhone
from kefu.org.choices import Role
from kefu.org.models import Employee

from ...clocks import RepairFacts
from ...demo import PRODUCTS
from ...models import Installation, NumberCounter, Product, RepairOrder
from ...policy import aftersales_policy, repair_hours
from ...services.clock import compute_dues
from ...warranty import warranty_end, warranty_months
from . import _repair_plan as plan
from . import _repair_sql as sql

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国志红")
CITIES = ("海口", "三亚", "儋州", "琼海", "文昌", "万宁", "广州", "深圳", "长沙", "南宁")
DISTRICTS = ("龙华区", "美兰区", "秀英区", "琼山区", "天涯区", "吉阳区")
FIRMS = ("鸿达", "新世纪", "海星", "锦程", "恒信", "华宇", "联创", "顺发")
INSTALLATION_YEARS_BEFORE = 3  # installations accepted up to 3 years before the first report


class Command(BaseCommand):
    help = (
        "批量生成维修单（性能测试用）: `seed_repairs --count 1000000` after seed_scale or seed_demo. "
        "PostgreSQL INSERT … SELECT generate_series (bulk_create elsewhere), NOT through the "
        "services: the rows are NOT audited. Advances the per-day number counters; may be run "
        "again to add more."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, required=True, help="number of repair orders")
        parser.add_argument("--days", type=int, default=730, help="reported over the last N days")
        parser.add_argument(
            "--customers",
            type=int,
            default=None,
            help="new customers (default: count/4 when fewer than count/8 exist, else none)",
        )
        parser.add_argument(
            "--installations", type=int, default=None, help="new installations (default count/4)"
        )
        parser.add_argument("--seed", type=int, default=20261122, help="random seed")
        parser.add_argument("--chunk", type=int, default=100_000, help="rows per INSERT (PG)")

    def handle(self, *args: Any, **o: Any) -> None:
        started = time.monotonic()
        count, days = o["count"], o["days"]
        if count < 1:
            raise CommandError("--count 必须大于 0")
        if not 1 <= days <= 3660:
            raise CommandError("--days 须在 1 到 3660 之间")
        techs = technician_ids()
        if not techs:
            raise CommandError("没有在职员工可作维修人员：请先执行 seed_scale 或 seed_demo")
        existing = Customer.objects.count()
        n_customers = o["customers"]
        if n_customers is None:
            n_customers = max(1, count // 4) if existing < count // 8 or not existing else 0
        if n_customers < 0 or (n_customers == 0 and not existing):
            raise CommandError("--customers 须大于 0（数据库中没有客户）")
        n_inst = o["installations"] if o["installations"] is not None else max(1, count // 4)
        ctx = Context(
            count=count,
            days=days,
            now=timezone.now(),
            n_customers=n_customers,
            n_inst=max(n_inst, 0),
            techs=techs,
            seed=o["seed"],
            chunk=max(o["chunk"], 1000),
        )
        gen = PgGenerator(ctx, self.log) if connection.vendor == "postgresql" else OrmGenerator(ctx)
        with transaction.atomic():
            ctx.products = ensure_products()
            gen.run()
        if connection.vendor == "postgresql":
            self.log("VACUUM (ANALYZE)")
            with connection.cursor() as cur:
                for table in (
                    "customers_customer",
                    "customers_customerphone",
                    "aftersales_installation",
                    "aftersales_repairorder",
                ):
                    # VACUUM also sets the visibility map (index-only counts); it cannot run
                    # inside a transaction (the tests' one), ANALYZE can.
                    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
                    cur.execute(f"{verb} {table}")
        self.stdout.write(
            f"已生成 {count} 张维修单、{ctx.n_inst} 条安装记录、{n_customers} 个新客户，"
            f"用时 {time.monotonic() - started:.1f} 秒 / seeded: {count} repair orders in "
            f"{time.monotonic() - started:.1f}s (not audited)"
        )

    def log(self, message: str) -> None:
        self.stderr.write(f"  seed_repairs: {message}")


class Context:
    """The run's inputs, shared by both generators."""

    def __init__(self, **kw: Any) -> None:
        self.products: list[tuple[int, int]] = []
        self.__dict__.update(kw)
        self.today: dt.date = timezone.localtime(self.now, SHANGHAI).date()
        self.policy = aftersales_policy(self.today)
        # A report "today" may not lie in the future: the latest report time is a minute ago.
        self.latest: dt.datetime = self.now - dt.timedelta(minutes=1)
        self.span = self.days + 365 * INSTALLATION_YEARS_BEFORE


def technician_ids() -> list[int]:
    """Active 售后专员, or every active employee when there are fewer than three."""
    group = Group.objects.filter(name=Role.AFTER_SALES.label).first()
    active = Employee.objects.filter(status="active")
    ids = list(active.filter(user__groups=group).values_list("pk", flat=True)) if group else []
    if len(ids) < 3:
        ids = list(active.order_by("pk").values_list("pk", flat=True)[:200])
    return ids


def ensure_products() -> list[tuple[int, int]]:
    """(id, manufacturer warranty months) of the active products; the demo catalogue if empty."""
    if not Product.objects.exists():
        Product.objects.bulk_create(
            [
                Product(
                    code=code,
                    name=name,
                    model_no=model_no,
                    category=category,
                    manufacturer=maker,
                    manufacturer_warranty_months=months,
                )
                for code, name, model_no, category, maker, months in PRODUCTS
            ]
        )
    return list(
        Product.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "manufacturer_warranty_months")
    ) or list(Product.objects.order_by("pk").values_list("pk", "manufacturer_warranty_months"))


# --- PostgreSQL: set-based ----------------------------------------------------------------------
class PgGenerator:
    def __init__(self, ctx: Context, log: Any) -> None:
        self.ctx, self.log = ctx, log

    def x(self, statement: str, params: dict[str, Any] | None = None) -> int:
        with connection.cursor() as cur:
            cur.execute(statement, params or {})
            return cur.rowcount

    def run(self) -> None:
        c = self.ctx
        t0 = time.monotonic()
        # JIT compiling these one-off statements costs more than it saves (2 s of 4.7 s at 20,000
        # rows); the sort by row number fits in memory with a larger work_mem.
        self.x("SET LOCAL jit = off")
        self.x("SET LOCAL work_mem = '256MB'")
        self.x("SELECT setseed(%s)", [((c.seed % 2_000_000) - 1_000_000) / 1_000_000])  # type: ignore[arg-type]
        if c.n_customers:
            base = self.max_id("customers_customer")
            self.x(
                sql.CUSTOMERS,
                {
                    "base": base,
                    "n": c.n_customers,
                    "now": c.now,
                    "cities": list(CITIES),
                    "n_cities": len(CITIES),
                    "districts": list(DISTRICTS),
                    "firms": list(FIRMS),
                    "surnames": list(SURNAMES),
                    "n_surnames": len(SURNAMES),
                    "given": list(GIVEN),
                    "n_given": len(GIVEN),
                },
            )
            self.x(sql.PHONES, {"base": base, "now": c.now})
            self.bump("customers_customer")
            self.log(f"{c.n_customers} customers in {time.monotonic() - t0:.1f}s")
        self.temp_table(
            "_rs_customers",
            "SELECT row_number() OVER (ORDER BY id) AS n, id, address, region "
            "FROM customers_customer",
        )
        self.x(
            "CREATE TEMP TABLE _rs_products (n int PRIMARY KEY, id int, months int) ON COMMIT DROP"
        )
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO _rs_products VALUES (%s, %s, %s)",
                [(i + 1, pk, months) for i, (pk, months) in enumerate(c.products)],
            )
        if c.n_inst:
            t1 = time.monotonic()
            base = self.max_id("aftersales_installation")
            self.x(
                sql.INSTALLATIONS,
                {
                    "base": base,
                    "n": c.n_inst,
                    "now": c.now,
                    "today": c.today,
                    "span": c.span,
                    "n_products": len(c.products),
                    "n_customers": self.count("_rs_customers"),
                    "min_months": c.policy.minimum_warranty_months,
                },
            )
            self.x(sql.INSTALLATION_COUNTERS, {"base": base})
            self.bump("aftersales_installation")
            self.log(f"{c.n_inst} installations in {time.monotonic() - t1:.1f}s")
        self.temp_table(
            "_rs_inst",
            "SELECT row_number() OVER (ORDER BY acceptance_date, id) AS n, id, customer_id, "
            "acceptance_date, warranty_end, address FROM aftersales_installation",
            extra_index="acceptance_date, n",
        )
        self.x("CREATE TEMP TABLE _rs_techs (n int PRIMARY KEY, id int) ON COMMIT DROP")
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO _rs_techs VALUES (%s, %s)", [(i + 1, t) for i, t in enumerate(c.techs)]
            )
        numbering, clocks = c.policy.numbering, c.policy.clocks
        limits = repair_hours()
        common = {"count": c.count, "days": c.days, "today": c.today, "prefix": numbering.prefix}
        with connection.cursor() as cur:
            for statement in sql.DAYS.split(";"):
                if statement.strip():
                    cur.execute(statement, common)
        params = {
            **common,
            "now": c.now,
            "latest": c.latest,
            "digits": numbering.digits,
            "seq_limit": 10**numbering.digits,
            "arrival_h": limits["arrival"],
            "fixed_h": limits["fixed"],
            "spare_h": limits["spare"],
            "warn": clocks.warn_before_hours,
            "remote_share": plan.REMOTE_SHARE,
            "spare_share": plan.SPARE_SHARE,
            "late_arrival": plan.LATE_ARRIVAL,
            "late_fix": plan.LATE_FIX,
            "stuck_arrival": plan.STUCK_BEFORE_ARRIVAL,
            "stuck_close": plan.STUCK_BEFORE_CLOSE,
            "with_inst": plan.WITH_INSTALLATION,
            "faults": list(plan.FAULTS),
            "n_faults": len(plan.FAULTS),
            "work_done": plan.WORK_DONE,
            "remote_note": plan.REMOTE_NOTE,
            "n_customers": self.count("_rs_customers"),
            "n_techs": len(c.techs),
        }
        t2 = time.monotonic()
        first_id = self.max_id("aftersales_repairorder")
        for lo in range(1, c.count + 1, c.chunk):
            hi = min(lo + c.chunk - 1, c.count)
            self.x(sql.REPAIRS, {**params, "lo": lo, "hi": hi})
            self.log(f"repair orders {hi}/{c.count} ({time.monotonic() - t2:.1f}s)")
        self.x(sql.REPAIR_COUNTERS, {"prefix": numbering.prefix})
        self.log(f"open orders: {refresh_open(c, first_id)} rechecked")

    def max_id(self, table: str) -> int:
        with connection.cursor() as cur:
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            return int(cur.fetchone()[0])

    def count(self, table: str) -> int:
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")
            return int(cur.fetchone()[0])

    def bump(self, table: str) -> None:
        self.x(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )

    def temp_table(self, name: str, query: str, extra_index: str = "") -> None:
        self.x(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {query}")
        self.x(f"CREATE UNIQUE INDEX ON {name} (n)")
        if extra_index:
            self.x(f"CREATE INDEX ON {name} ({extra_index})")
        self.x(f"ANALYZE {name}")


def refresh_open(c: Context, first_id: int) -> int:
    """The generated orders still open get the clock fields ``refresh_clock`` would store now."""
    rows = list(
        RepairOrder.objects.exclude(status="closed")
        .filter(pk__gt=first_id)
        .values_list(
            "pk",
            "status",
            "reported_at",
            "arrived_at",
            "fixed_at",
            "spare_at",
            "remote_at",
            "arrival_due",
            "fixed_due",
            "spare_due",
        )
    )
    business = c.policy.clocks.mode == "business"
    updates = []
    for pk, status, rep, arr, fix, spare, remote, a_due, f_due, s_due in rows:
        facts = RepairFacts(rep, arr, fix, spare, remote)
        dues = compute_dues(rep) if business else {"arrival": a_due, "fixed": f_due, "spare": s_due}
        fields = plan.clock_fields(
            facts, dues, status=status, closed_at=None, now=c.now, warn=warn_for(rep)
        )
        updates.append(
            RepairOrder(
                pk=pk,
                arrival_due=dues["arrival"],
                fixed_due=dues["fixed"],
                spare_due=dues["spare"],
                **fields,
            )
        )
    RepairOrder.objects.bulk_update(
        updates,
        [
            "arrival_due",
            "fixed_due",
            "spare_due",
            "arrival_breached",
            "fixed_breached",
            "spare_breached",
            "breached",
            "notified",
            "next_check_at",
        ],
        batch_size=2000,
    )
    return len(updates)


def warn_for(reported: dt.datetime) -> float:
    return aftersales_policy(timezone.localtime(reported, SHANGHAI).date()).clocks.warn_before_hours


# --- other databases: row by row ---------------------------------------------------------------
class OrmGenerator:
    """The same distribution in Python with ``bulk_create`` (SQLite; small counts)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rng = random.Random(ctx.seed)

    def run(self) -> None:
        c, rng = self.ctx, self.rng
        if c.n_customers:
            self.customers(c.n_customers)
        customers = list(Customer.objects.order_by("pk").values_list("pk", "address"))
        if c.n_inst:
            self.installations(customers)
        installs = list(
            Installation.objects.order_by("acceptance_date", "pk").values_list(
                "pk", "customer_id", "acceptance_date", "warranty_end", "address"
            )
        )
        accepted = [i[2] for i in installs]
        counters: dict[str, int] = dict(NumberCounter.objects.values_list("key", "last"))
        numbering = c.policy.numbering
        rows = []
        for g in range(1, c.count + 1):
            day = c.today - dt.timedelta(days=(c.count - g) * c.days // c.count)
            rep = plan.reported_at(rng, day, c.latest)
            upto = bisect.bisect_right(accepted, day)
            inst = installs[rng.randrange(upto)] if upto and rng.random() < 0.85 else None
            if inst is not None:
                customer_id, address = inst[1], inst[4]
            else:
                customer_id, address = customers[int(rng.random() ** 2 * len(customers))][0], ""
            at = plan.stage_times(plan.plan_stages([rng.random() for _ in range(10)]), rep, c.now)
            status = plan.status_of(at)
            dues = compute_dues(rep)
            facts = RepairFacts(
                rep, at["arrived_at"], at["fixed_at"], at["spare_at"], at["remote_at"]
            )
            fields = plan.clock_fields(
                facts, dues, status=status, closed_at=at["closed_at"], now=c.now, warn=warn_for(rep)
            )
            key = f"{numbering.prefix}{day:%Y%m%d}"
            counters[key] = counters.get(key, 0) + 1
            rows.append(
                RepairOrder(
                    number=f"{key}-{counters[key]:0{numbering.digits}d}",
                    status=status,
                    customer_id=customer_id,
                    installation_id=inst[0] if inst else None,
                    fault=rng.choice(plan.FAULTS),
                    address=address,
                    reported_at=rep,
                    in_warranty=bool(inst and inst[2] <= day <= inst[3]),
                    technician_id=rng.choice(c.techs) if at["assigned_at"] else None,
                    signed_by_name="客户" if at["signed_at"] else "",
                    work_done=plan.WORK_DONE if at["fixed_at"] else "",
                    remote_note=plan.REMOTE_NOTE if at["remote_at"] else "",
                    arrival_due=dues["arrival"],
                    fixed_due=dues["fixed"],
                    spare_due=dues["spare"],
                    **at,
                    **fields,
                )
            )
        RepairOrder.objects.bulk_create(rows, batch_size=500)
        for key, last in counters.items():
            NumberCounter.objects.update_or_create(key=key, defaults={"last": last})

    def customers(self, n: int) -> None:
        rng = self.rng
        base = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        Customer.objects.bulk_create(
            [
                Customer(
                    id=base + i,
                    code=f"C{base + i:06d}",
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    customer_type="consumer",
                    grade="normal",
                    region=(city := rng.choice(CITIES)),
                    address=f"{city}市{rng.choice(DISTRICTS)}{rng.randint(1, 999)}号",
                )
                for i in range(n)
            ],
            batch_size=500,
        )
        taken = set(CustomerPhone.objects.values_list("phone", flat=True))
        phones = []
        for i in range(n):
            phone = f"19{(base + i) % 10**9:09d}"
            if phone not in taken:
                phones.append(CustomerPhone(customer_id=base + i, phone=phone, last4=phone[-4:]))
        CustomerPhone.objects.bulk_create(phones, batch_size=500)

    def installations(self, customers: list[tuple[int, str]]) -> None:
        c, rng = self.ctx, self.rng
        counters: dict[str, int] = dict(NumberCounter.objects.values_list("key", "last"))
        base = (Installation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        rows = []
        for i in range(c.n_inst):
            acc = c.today - dt.timedelta(days=(c.n_inst - 1 - i) * c.span // c.n_inst)
            project = rng.random() < 0.10
            product_id, maker_months = rng.choice(c.products)
            customer_id, address = rng.choice(customers)
            months = warranty_months(
                c.policy.minimum_warranty_months, 0 if project else maker_months
            )
            key = f"AZ{acc:%Y%m%d}"
            counters[key] = counters.get(key, 0) + 1
            rows.append(
                Installation(
                    id=base + i,
                    number=f"{key}-{counters[key]:04d}",
                    kind="project" if project else "product",
                    customer_id=customer_id,
                    product_id=None if project else product_id,
                    project_name="智能化工程" if project else "",
                    serial_number="" if project else f"SN{base + i:09d}",
                    order_no=f"DD{acc:%Y%m%d}{(base + i) % 100000:05d}",
                    address=address,
                    acceptance_date=acc,
                    warranty_months=months,
                    warranty_end=warranty_end(acc, months),
                )
            )
        Installation.objects.bulk_create(rows, batch_size=500)
        for key, last in counters.items():
            if key.startswith("AZ"):
                NumberCounter.objects.update_or_create(key=key, defaults={"last": last})
