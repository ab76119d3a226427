"""``manage.py jobs_schedule`` — start the periodic scan for interrupted background jobs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定中断后台任务检查（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="立即在本进程检查一次")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.core.jobs import jobs_fail_stale
        from kefu.core.tasks import schedule_next_scan

        if options["now"]:
            failed = jobs_fail_stale()
            self.stdout.write(f"已检查：{len(failed)} 个中断的后台任务标记为失败")
            return
        if schedule_next_scan():
            self.stdout.write("已排定中断后台任务检查")
        else:
            self.stdout.write("中断后台任务检查已排定或任务立即执行，无需排定")
