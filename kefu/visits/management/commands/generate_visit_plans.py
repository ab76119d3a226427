"""``manage.py generate_visit_plans`` — 生成回访计划 for every installation, now (the benchmark
and manual runs; the worker's daily run is ``visit_plan_schedule``)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand

from kefu.visits.services import generate_visit_plans
from kefu.visits.services.plans import CHUNK, PLAN_WORKERS


class Command(BaseCommand):
    help = "生成回访计划（幂等，可每日运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK, help="每个事务处理的安装记录编号范围"
        )
        parser.add_argument(
            "--workers", type=int, default=PLAN_WORKERS, help="PostgreSQL 上并行的数据库连接数"
        )
        parser.add_argument(
            "--on",
            type=dt.date.fromisoformat,
            default=None,
            help="按该日生成（YYYY-MM-DD，默认今天）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = generate_visit_plans(
            chunk_size=max(options["chunk_size"], 1),
            workers=max(options["workers"], 1),
            on=options["on"],
        )
        seconds = time.perf_counter() - started
        counts = " ".join(f"{k}={v}" for k, v in result.as_dict().items())
        self.stdout.write(f"{counts} seconds={seconds:.2f}")
