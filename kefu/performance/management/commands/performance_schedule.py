"""``manage.py performance_schedule`` — start the daily 汇总各模块奖惩事件 chain (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定每日汇总各模块奖惩事件（已排定则不重复）。Run at worker start-up; safe any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="立即在本进程导入一次（昨日及之前几天）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        from kefu.performance.services.imports import import_workforce_incidents
        from kefu.performance.tasks import daily_window, schedule_next_daily_run

        if options["now"]:
            start, end = daily_window(timezone.localdate())
            result = import_workforce_incidents(actor=None, start=start, end=end)
            self.stdout.write(result.summary)
            return
        run_after = schedule_next_daily_run()
        if run_after is not None:
            self.stdout.write(f"已排定每日汇总奖惩事件：{run_after:%Y-%m-%d %H:%M}")
        else:
            self.stdout.write("每日汇总奖惩事件已排定或任务立即执行，无需排定")
