"""Writing the 工单 workbook — 工单导出 (TKT-5): the list's filters, phones masked as on screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kefu.core import xlsx
from kefu.core.access import shown
from kefu.core.errors import DomainError
from kefu.core.xlsx import Column, ExportFile

from . import selectors
from .choices import Channel, Kind, Priority, ServiceMode, Status, Subkind
from .models import Ticket

SHEET_TITLE = "工单"
# A technical bound of one synchronous download (memory and time of one request), not a rule:
# a larger list is narrowed with the filters (e.g. one month at a time).
MAX_ROWS = 20_000
COLUMNS: tuple[Column, ...] = (
    Column("number", "工单编号", 17),
    Column("received_at", "受理时间", 17, "datetime"),
    Column("channel", "受理渠道", 12),
    Column("kind", "工单类型", 10),
    Column("subkind", "子类", 8),
    Column("priority", "优先级", 7),
    Column("status", "状态", 8),
    Column("title", "标题", 30),
    Column("customer", "客户", 20),
    Column("contact_phone", "联系电话", 14),
    Column("order_no", "订单号", 16),
    Column("tracking_no", "快递单号", 16),
    Column("first_responsible", "首问负责人", 10),
    Column("owner", "处理人", 10),
    Column("resolution_due", "解决期限", 17, "datetime"),
    Column("resolved_at", "解决时间", 17, "datetime"),
    Column("closed_at", "结案时间", 17, "datetime"),
    Column("first_contact_resolution", "一次办结", 8),
    Column("overdue", "超时", 6),
    Column("service_mode", "服务方式", 9),
    Column("contact_form_no", "工作联络单号", 14),
    Column("red_flag_note", "小红旗（特殊要求）", 24),
)
TEXT_COLUMNS = {"number", "contact_phone", "order_no", "tracking_no", "contact_form_no"}


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the Shanghai wall-clock time people see on the pages.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _label(choices: Any, value: str) -> str:
    return choices(value).label if value in choices.values else value


def _row(actor: Any, t: Ticket) -> list[Any]:
    return [
        t.number,
        _local(t.received_at),
        _label(Channel, t.channel),
        _label(Kind, t.kind),
        _label(Subkind, t.subkind) if t.subkind else "",
        _label(Priority, t.priority),
        _label(Status, t.status),
        t.title,
        f"{t.customer.code} {t.customer.name}",
        shown(actor, "phone", t.contact_phone) if t.contact_phone else "",
        t.order_no,
        t.tracking_no,
        t.first_responsible.name if t.first_responsible_id else "",
        t.owner.name if t.owner_id else "",
        _local(t.resolution_due),
        _local(t.resolved_at),
        _local(t.closed_at),
        "是" if t.first_contact_resolution else "",
        "是" if (t.first_response_breached or t.resolution_breached) else "",
        _label(ServiceMode, t.service_mode),
        t.contact_form_no,
        (t.red_flag_note or "是") if t.red_flag else "",
    ]


def export_tickets(
    *, actor: Any, filters: dict[str, Any], now: dt.datetime | None = None
) -> ExportFile:
    """The 工单 workbook of the requests ``actor`` may see, filtered like the list page.

    Refused (``ticket_export_too_large``) above ``MAX_ROWS`` rows, with the count, so the user
    narrows the filters instead of waiting for a file nobody can open.
    """
    now = timezone.localtime(now or timezone.now())
    tickets = selectors.tickets_for_user(actor, **filters)
    total = tickets.count()
    if total > MAX_ROWS:
        raise DomainError(
            "ticket_export_too_large",
            f"共 {total} 条，超过单次导出上限 {MAX_ROWS} 条，请缩小查询条件（如按月导出）",
        )
    content, count = xlsx.write_workbook(
        sheet_title=SHEET_TITLE,
        title=f"工单明细（导出时间 {now:%Y-%m-%d %H:%M}）",
        columns=COLUMNS,
        rows=(_row(actor, t) for t in tickets.iterator(chunk_size=1000)),
        text_columns=TEXT_COLUMNS,
    )
    return ExportFile(content=content, count=count, filename=f"工单_{now:%Y%m%d_%H%M}.xlsx")
