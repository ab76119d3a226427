"""Excel exports — 维修单导出 / 维修超时报表 (kefu.core.xlsx layout)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kefu.core.xlsx import Column, write_workbook

REPAIR_COLUMNS = (
    Column("number", "维修单号", 18),
    Column("status", "状态", 10),
    Column("customer", "客户", 20),
    Column("serial", "序列号", 18),
    Column("technician", "维修人员", 10),
    Column("reported_at", "报修时间", 17, "datetime"),
    Column("arrived_at", "到场时间", 17, "datetime"),
    Column("fixed_at", "修复时间", 17, "datetime"),
    Column("spare_at", "备用机到位", 17, "datetime"),
    Column("in_warranty", "保修期内", 8),
    Column("breached", "超时", 8),
    Column("charge_total", "收费合计", 12, "number"),
)


def _naive(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def export_repairs(qs: Any) -> tuple[bytes, int]:
    rows = (
        [
            o.number,
            o.get_status_display(),
            o.customer.name,
            o.installation.serial_number if o.installation_id else "",
            o.technician.name if o.technician_id else "",
            _naive(o.reported_at),
            _naive(o.arrived_at),
            _naive(o.fixed_at),
            _naive(o.spare_at),
            "是" if o.in_warranty else "否",
            "是" if o.breached else "否",
            float(o.charge_total),
        ]
        for o in qs.iterator(chunk_size=2000)
    )
    return write_workbook(
        sheet_title="维修单",
        title="维修单",
        columns=REPAIR_COLUMNS,
        rows=rows,
        number_formats={"charge_total": "#,##0.00"},
        text_columns=("number", "serial"),
    )


def breach_rows(qs: Any) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Each order of the month with its three breach flags, and the totals."""
    rows = [
        {
            "id": o.pk,
            "number": o.number,
            "customer": o.customer.name,
            "technician": o.technician.name if o.technician_id else "",
            "reported_at": o.reported_at,
            "status": o.get_status_display(),
            "arrival": o.arrival_breached,
            "fixed": o.fixed_breached,
            "spare": o.spare_breached,
            "breached": o.breached,
        }
        for o in qs
    ]
    totals = {
        "orders": len(rows),
        "arrival": sum(r["arrival"] for r in rows),
        "fixed": sum(r["fixed"] for r in rows),
        "spare": sum(r["spare"] for r in rows),
        "breached": sum(r["breached"] for r in rows),
    }
    return rows, totals


def export_breaches(rows: list[dict[str, Any]], month: str) -> bytes:
    columns = (
        Column("number", "维修单号", 18),
        Column("customer", "客户", 20),
        Column("technician", "维修人员", 10),
        Column("reported_at", "报修时间", 17, "datetime"),
        Column("status", "状态", 10),
        Column("arrival", "到场超时", 9),
        Column("fixed", "修复超时", 9),
        Column("spare", "备品替代超时", 11),
    )
    yes = {True: "是", False: "否"}
    content, _ = write_workbook(
        sheet_title="维修超时",
        title=f"维修超时报表 {month}",
        columns=columns,
        rows=(
            [
                r["number"],
                r["customer"],
                r["technician"],
                _naive(r["reported_at"]),
                r["status"],
                yes[r["arrival"]],
                yes[r["fixed"]],
                yes[r["spare"]],
            ]
            for r in rows
            if r["breached"]
        ),
        text_columns=("number",),
    )
    return content
