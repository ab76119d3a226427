"""``manage.py attendance_classify_schedule`` — start the daily 考勤计算 run chain (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "排定每日考勤计算（已排定则不重复）。Run at worker start-up; safe to run any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="立即在本进程计算一次，而不是交给 worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.attendance.services import attendance_classify_daily
        from kefu.attendance.tasks import schedule_next_daily_run

        if options["now"]:
            result = attendance_classify_daily()
            self.stdout.write(
                f"已计算 {result.days} 个人天：新增 {result.created}，更新 {result.updated}，"
                f"删除 {result.deleted}"
            )
            return
        at = schedule_next_daily_run()
        if at is None:
            self.stdout.write("每日考勤计算已在队列中（或任务立即执行），无需排定")
        else:
            self.stdout.write(f"已排定每日考勤计算：{at:%Y-%m-%d %H:%M}（北京时间）")
