"""``manage.py visit_plan_schedule`` — start the daily 回访计划 run chain (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "排定每日自动生成回访计划（已排定则不重复）。Run at worker start-up; safe to run any time."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="立即在本进程生成一次，而不是交给 worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.visits.services import generate_visit_plans
        from kefu.visits.tasks import schedule_next_daily_run

        if options["now"]:
            started = time.perf_counter()
            result = generate_visit_plans()
            self.stdout.write(f"{result.summary}，用时 {time.perf_counter() - started:.1f} 秒")
            return
        at = schedule_next_daily_run()
        if at is None:
            self.stdout.write("每日回访计划生成已在队列中")
        else:
            self.stdout.write(f"已排定每日回访计划生成：{at:%Y-%m-%d %H:%M}（北京时间）")
