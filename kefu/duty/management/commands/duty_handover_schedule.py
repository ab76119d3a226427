"""``manage.py duty_handover_schedule`` — start the periodic handover/presence scan chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定交接班与在线检查（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="立即在本进程检查一次")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.duty.services import duty_scan
        from kefu.duty.tasks import schedule_next_scan

        if options["now"]:
            r = duty_scan()
            self.stdout.write(
                f"已检查 {r.shifts} 个班次：未交班 {r.missing_flags} 人次，"
                f"超时未接班 {r.unacknowledged_flags} 人次，当班离线 {r.violations} 次，"
                f"通知 {r.notifications} 条"
            )
            return
        if schedule_next_scan():
            self.stdout.write("已排定交接班与在线检查")
        else:
            self.stdout.write("交接班与在线检查已排定或任务立即执行，无需排定")
