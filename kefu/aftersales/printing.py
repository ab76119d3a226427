"""The printed 保修卡 (AS-3): one description read by the A4 print page and the PDF."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kefu.complaints.printing import BLANK, Cell, PrintedForm

from .models import Installation, WarrantyCard
from .policy import aftersales_policy

CARD_TITLE = "保修卡"


def warranty_card(inst: Installation, card: WarrantyCard) -> PrintedForm:
    """保修卡: owner, product/serial, warranty period, principles, responsible department/people."""
    policy = aftersales_policy(inst.acceptance_date)
    subject = str(inst.product) if inst.product_id else inst.project_name
    form = PrintedForm(title=CARD_TITLE, number=card.number)
    form.printed_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    form.cells = [
        Cell("业主（客户）", inst.customer.name),
        Cell("安装编号", inst.number),
        Cell("产品/工程", subject or BLANK),
        Cell("序列号", inst.serial_number or BLANK),
        Cell("订单号", inst.order_no or BLANK),
        Cell("安装地址", inst.address or BLANK),
        Cell("验收日期", f"{inst.acceptance_date:%Y-%m-%d}"),
        Cell(
            "保修期",
            f"{inst.warranty_months}个月（{inst.acceptance_date:%Y-%m-%d} 至 "
            f"{inst.warranty_end:%Y-%m-%d}）",
        ),
        Cell("负责保修的部门", inst.department.name if inst.department_id else BLANK),
        Cell("负责保修的人员", inst.responsible.name if inst.responsible_id else BLANK),
        Cell("发放日期", f"{card.issued_on:%Y-%m-%d}"),
        Cell("发放人", _name(card.issued_by)),
        Cell("保修原则和目的", policy.warranty_principles, wide=True),
    ]
    form.signatures = ("业主签收", "经办人")
    return form


def _name(user: Any) -> str:
    if user is None:
        return BLANK
    employee = getattr(user, "employee", None)
    return (employee.name if employee else "") or user.username
