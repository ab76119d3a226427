"""``manage.py month_close_schedule`` — start the daily 月结提醒 chain (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定每日月结提醒（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="立即在本进程发送一次提醒，而不是交给 worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.performance.services.closing import month_close_reminders
        from kefu.performance.tasks_closing import schedule_next_reminder_run

        if options["now"]:
            sent = month_close_reminders()
            self.stdout.write(f"已发送月结提醒 {sent} 条")
            return
        at = schedule_next_reminder_run()
        if at is None:
            self.stdout.write("每日月结提醒已在队列中")
        else:
            self.stdout.write(f"已排定每日月结提醒：{at:%Y-%m-%d %H:%M}（北京时间）")
