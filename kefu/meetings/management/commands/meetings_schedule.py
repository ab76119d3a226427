"""``manage.py meetings_schedule`` — start the periodic meeting-occurrence generation chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定会议场次生成（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="立即在本进程生成一次")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.meetings.services import occurrences_generate
        from kefu.meetings.tasks import schedule_next_run

        if options["now"]:
            self.stdout.write(f"已生成 {occurrences_generate()} 个会议场次")
            return
        if schedule_next_run():
            self.stdout.write("已排定会议场次生成")
        else:
            self.stdout.write("会议场次生成已排定或任务立即执行，无需排定")
