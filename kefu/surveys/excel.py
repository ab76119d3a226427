"""满意度统计 Excel export — one workbook: 汇总 and a sheet per breakdown (kefu.core.xlsx layout)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from kefu.core.xlsx import Column, ExportFile, workbook_bytes, write_sheet

from .rules import Stats

GROUP_COLUMNS = (
    Column("name", "名称", 24),
    Column("count", "答卷数", 10, "number"),
    Column("satisfied", "满意数", 10, "number"),
    Column("rate", "满意率（%）", 12, "number"),
)


def export_stats(
    stats: Stats, rows: dict[str, list[dict[str, Any]]], target: float, filters: dict[str, Any]
) -> ExportFile:
    wb = Workbook()
    span = "至".join(
        d.isoformat() if d else "—" for d in (filters.get("date_from"), filters.get("date_to"))
    )
    write_sheet(
        wb.active,
        sheet_title="汇总",
        title=f"满意度统计（{span}）",
        columns=(Column("item", "项目", 20), Column("value", "数值", 14, "number")),
        rows=[
            ["答卷数", stats.count],
            ["满意数", stats.satisfied],
            ["满意率（%）", stats.rate],
            ["目标满意率（%）", target],
            *[[f"评分{r}", c] for r, c in sorted(stats.distribution.items(), reverse=True)],
        ],
        number_formats={"value": "0.0"},
    )
    for key, label in (
        ("agent", "按坐席"),
        ("department", "按部门"),
        ("product", "按产品"),
        ("month", "按月"),
    ):
        write_sheet(
            wb.create_sheet(),
            sheet_title=label,
            title=f"满意度统计 — {label}",
            columns=GROUP_COLUMNS,
            rows=([r["name"], r["count"], r["satisfied"], r["rate"]] for r in rows[key]),
            number_formats={"rate": "0.0", "count": "0", "satisfied": "0"},
        )
    day = timezone.localdate().strftime("%Y%m%d")
    return ExportFile(workbook_bytes(wb), stats.count, f"满意度统计_{day}.xlsx")
