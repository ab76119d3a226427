"""``manage.py sla_schedule`` — start the periodic SLA scan chain (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定工单时限扫描（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="立即在本进程扫描一次，而不是交给 worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.tickets.services import tickets_sla_scan
        from kefu.tickets.tasks import schedule_next_scan

        if options["now"]:
            result = tickets_sla_scan()
            self.stdout.write(
                f"已检查 {result.checked} 张工单，{result.steps} 次预警/升级，"
                f"{result.notifications} 条通知"
            )
            return
        if schedule_next_scan():
            self.stdout.write("已排定时限扫描")
        else:
            self.stdout.write("时限扫描已在队列中")
