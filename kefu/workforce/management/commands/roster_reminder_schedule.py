"""``manage.py roster_reminder_schedule`` — start the daily 排班表发布提醒 chain (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定每日排班表发布提醒（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="立即在本进程发送一次提醒，而不是交给 worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.workforce.services.reminders import roster_reminders_send
        from kefu.workforce.tasks import schedule_next_reminder_run

        if options["now"]:
            sent = roster_reminders_send()
            self.stdout.write(f"已发送排班表发布提醒 {sent} 条")
            return
        at = schedule_next_reminder_run()
        if at is None:
            self.stdout.write("每日排班表发布提醒已在队列中")
        else:
            self.stdout.write(f"已排定每日排班表发布提醒：{at:%Y-%m-%d %H:%M}（北京时间）")
