"""calendar_seed — 导入节假日日历 from the chinese-calendar package (run by `make run`)."""

from typing import Any

from django.core.management.base import BaseCommand

from kefu.core.calendar import calendar_seed_from_package


class Command(BaseCommand):
    help = (
        "Create the CalendarDay rows (法定节假日, 调休上班日) chinese-calendar knows and the "
        "table lacks. Idempotent; never changes a row that already exists."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = calendar_seed_from_package()
        years = f"{result.first_year}–{result.last_year}"
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"节假日日历：覆盖 {years} 年，新增 {result.created} 天，"
                    f"已有 {result.existing} 天保持不变"
                )
            )
        else:
            self.stdout.write(f"节假日日历：覆盖 {years} 年，新增 0 天（均已存在）")
        self.stdout.write(
            f"{result.last_year} 年之后的节假日请在管理后台“节假日日历”中按国务院办公厅通知录入"
        )
