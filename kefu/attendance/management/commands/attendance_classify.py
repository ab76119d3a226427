"""``manage.py attendance_classify --from YYYY-MM-DD --to YYYY-MM-DD`` — judge a date range again
as the system (after a policy or roster correction); idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "重新计算一段日期的考勤（按当日生效的制度参数）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.attendance.services import classify_range

        try:
            start = dt.date.fromisoformat(options["start"])
            end = dt.date.fromisoformat(options["end"])
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        if end < start:
            raise CommandError("结束日期不能早于开始日期")
        result = classify_range(start=start, end=end)
        self.stdout.write(
            f"已计算 {result.days} 个人天：新增 {result.created}，更新 {result.updated}，"
            f"删除 {result.deleted}"
        )
