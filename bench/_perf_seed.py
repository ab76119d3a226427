"""Shared set-up of the performance benchmarks — 绩效基准公共部分 (``bench_scorecard.py``,
``bench_month_close.py``): Django on a throw-away database, a company of N employees in 客服部
(make_org + bulk_create, a login each) and M ledger lines per employee in one month.

Database: ``DATABASE_URL`` when given (use an empty database: it is migrated and seeded), else a
fresh SQLite file in /tmp that ``drop_sqlite`` deletes at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000
FLUSH = 5000

# (rule code, rule name, category, points, money) — category as IncidentCategory values.
Kind = tuple[str, str, str, str, str]


def setup_django(name: str) -> str:
    """Settings and a migrated database; returns the SQLite file made (``""`` with DATABASE_URL)."""
    sqlite_file = ""
    if not os.environ.get("DATABASE_URL"):
        sqlite_file = str(Path(tempfile.gettempdir()) / f"kefu_bench_{name}_{os.getpid()}.sqlite3")
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return sqlite_file


def drop_sqlite(sqlite_file: str) -> None:
    """Close the connection and delete the SQLite file (and its journal files), if one was made."""
    if not sqlite_file:
        return
    from django.db import connection

    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(sqlite_file + suffix).unlink(missing_ok=True)


def seed_company(n: int, prefix: str) -> tuple[dict[str, Any], list[Any]]:
    """make_org() plus ``n`` employees ``<prefix>00000``… in 客服部 (two teams), a login each."""
    from django.contrib.auth import get_user_model

    from kefu.org.models import Employee
    from kefu.org.tests.factories import make_org

    org = make_org()
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"{prefix}{i:05d}", password="!") for i in range(n)],
        batch_size=BATCH,
    )
    teams = [org["team_a"], org["team_b"]]
    employees = Employee.objects.bulk_create(
        [
            Employee(
                user=u,
                employee_no=u.username,
                name=f"基准员工{i}",
                hire_date=dt.date(2024, 1, 2),
                department=org["cs"],
                team=teams[i % 2],
                position=org["agent_position"],
            )
            for i, u in enumerate(users)
        ],
        batch_size=BATCH,
    )
    return org, employees


def seed_ledger(
    employees: Sequence[Any],
    month: dt.date,
    per_employee: int,
    kinds: Sequence[Kind],
    statuses: Sequence[str],
    rng: random.Random,
) -> int:
    """``per_employee`` ledger lines for each employee in ``month`` (random kind, day 1–28 and
    status — a single status draws nothing), bulk-inserted; returns how many."""
    from django.utils import timezone

    from kefu.performance.models import Incident

    now = timezone.now()
    batch: list[Incident] = []
    total = 0
    for emp in employees:
        for _ in range(per_employee):
            code, name, category, points, money = rng.choice(kinds)
            batch.append(
                Incident(
                    employee_id=emp.pk,
                    day=month.replace(day=rng.randint(1, 28)),
                    month=month,
                    rule=code,
                    rule_name=name,
                    category=category,
                    points=Decimal(points),
                    money=Decimal(money),
                    status=statuses[0] if len(statuses) == 1 else rng.choice(statuses),
                    source="manual",
                    description=f"基准数据 {name}",
                    created_at=now,
                )
            )
        if len(batch) >= FLUSH:
            Incident.objects.bulk_create(batch, batch_size=BATCH)
            total += len(batch)
            batch = []
    Incident.objects.bulk_create(batch, batch_size=BATCH)
    return total + len(batch)
