"""Writing the 客户档案 workbook — 导出 (the list's filters, masked as on screen)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from kefu.core import xlsx
from kefu.core.access import shown
from kefu.core.xlsx import ExportFile

from .. import selectors
from ..choices import CustomerType
from ..models import Customer
from ..policy import CustomerPolicy, customer_policy
from .layout import COLUMNS, SHEET_TITLE, TEXT_COLUMNS


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the Shanghai wall-clock time people see on the pages.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _export_row(actor: Any, c: Customer, policy: CustomerPolicy) -> list[Any]:
    return [
        c.code,
        c.name,
        CustomerType(c.customer_type).label,
        policy.grade_name(c.grade),
        c.region,
        c.address,
        "、".join(shown(actor, "phone", p.phone) for p in c.phones.all()),
        c.contact_person,
        c.notes,
        _local(c.created_at),
        _local(c.updated_at),
    ]


def export_customers(
    *, actor: Any, filters: dict[str, Any], now: dt.datetime | None = None
) -> ExportFile:
    """The 客户档案 workbook of the customers ``actor`` may see, filtered like the list page.

    Phones are masked unless the actor may reveal them (SEC-1): a file leaves the system, so it
    never carries more than the screen shows. Re-importing the file leaves masked numbers alone.
    """
    now = timezone.localtime(now or timezone.now())
    policy = customer_policy()
    customers = selectors.customers_for_user(actor, **filters)
    content, count = xlsx.write_workbook(
        sheet_title=SHEET_TITLE,
        title=f"{SHEET_TITLE}（导出时间 {now:%Y-%m-%d %H:%M}）",
        columns=COLUMNS,
        # iterator(chunk_size) keeps prefetch_related working, one phone query per chunk.
        rows=(_export_row(actor, c, policy) for c in customers.iterator(chunk_size=1000)),
        text_columns=TEXT_COLUMNS,
    )
    return ExportFile(
        content=content, count=count, filename=f"{SHEET_TITLE}_{now:%Y%m%d_%H%M}.xlsx"
    )
