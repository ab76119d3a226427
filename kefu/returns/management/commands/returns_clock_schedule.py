"""``manage.py returns_clock_schedule`` — start the periodic shipping-clock scan chain (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定退换货发货时限扫描（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="立即在本进程扫描一次")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.returns.services import returns_ship_clock_scan
        from kefu.returns.tasks import schedule_next_scan

        if options["now"]:
            result = returns_ship_clock_scan()
            self.stdout.write(
                f"已检查 {result.checked} 张退换货单，{result.breaches} 次超时，"
                f"{result.notifications} 条通知"
            )
            return
        if schedule_next_scan():
            self.stdout.write("已排定退换货发货时限扫描")
        else:
            self.stdout.write("退换货发货时限扫描已排定或任务立即执行，无需排定")
