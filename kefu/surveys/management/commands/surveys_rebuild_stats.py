"""``manage.py surveys_rebuild_stats`` — 重建满意度月汇总 from the answers (audited).

Run it after loading answers in bulk (outside the services), or to make sure the summaries the
statistics read agree with the answers. Safe at any time: one transaction, new answers wait.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from kefu.surveys.services import stats_rebuild


class Command(BaseCommand):
    help = "重建满意度月汇总（满意度统计读取的汇总表）"

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        result = stats_rebuild()
        self.stdout.write(
            f"满意度月汇总已重建：{result['answers']} 份答卷 → 坐席汇总 {result['agent_rows']} 行，"
            f"产品汇总 {result['product_rows']} 行（{time.perf_counter() - start:.1f} 秒）"
        )
