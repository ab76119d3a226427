"""退换货单 as Excel — the list page's export (kefu.core.xlsx layout: title, frozen header)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kefu.core.xlsx import Column, ExportFile, write_workbook

from . import selectors
from .policy import ReturnsPolicy

COLUMNS = (
    Column("number", "退换货单号", 18),
    Column("type", "类型", 10),
    Column("stage", "处理环节", 10),
    Column("customer", "客户", 18),
    Column("order_no", "订单号", 18),
    Column("reason", "退换原因", 12),
    Column("quality", "质量问题", 8),
    Column("return_tracking", "退回快递单号", 18),
    Column("reship_tracking", "发出快递单号", 18),
    Column("refund", "退款金额", 12, "number"),
    Column("created_on", "登记日期", 12, "date"),
    Column("days", "已开天数", 10, "number"),
)
EXPORT_LIMIT = 100_000


def cases_export(qs: Any, policy: ReturnsPolicy, today: dt.date) -> ExportFile:
    def rows() -> Any:
        batch: list[Any] = []
        for case in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            batch = selectors.with_age([case], policy, today)
            c = batch[0]
            yield [
                c.number,
                c.get_case_type_display(),
                c.get_stage_display(),
                c.customer.name,
                c.order_no,
                policy.reason_label(c.reason),
                "是" if c.quality_fault else "否",
                c.return_tracking_no,
                c.reship_tracking_no,
                c.refund_amount,
                c.created_on,
                c.days_open,
            ]

    title = f"退换货单（导出于{timezone.localtime():%Y-%m-%d %H:%M}）"
    content, count = write_workbook(
        sheet_title="退换货单",
        title=title,
        columns=COLUMNS,
        rows=rows(),
        number_formats={"refund": "#,##0.00", "days": "0"},
        text_columns=("order_no", "return_tracking", "reship_tracking"),
    )
    return ExportFile(content=content, count=count, filename=f"退换货单-{today:%Y%m%d}.xlsx")
