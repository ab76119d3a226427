"""``manage.py sales_schedule`` — start the daily 检查超时未催付 chain (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定每日检查超时未催付的未付款订单（已排定则不重复）。Run at worker start-up; safe any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="立即在本进程检查一次")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.sales.services_unpaid import unpaid_check
        from kefu.sales.tasks import schedule_unpaid_check

        if options["now"]:
            self.stdout.write(unpaid_check(actor=None).summary)
            return
        run_after = schedule_unpaid_check()
        if run_after is not None:
            self.stdout.write(f"已排定每日检查超时未催付：{run_after:%Y-%m-%d %H:%M}")
        else:
            self.stdout.write("每日检查超时未催付已排定或任务立即执行，无需排定")
