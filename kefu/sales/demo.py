"""Demo sales — 演示销售日报与询单数 for ``manage.py seed_demo``.

The previous month and the current one (up to today) for up to 14 customer-service agents and the
回访员: a few orders on each working day, imported as an order export would be (one
``sales_import`` call, 工号 in the remarks), and the chat tool's inquiry counts (``inquiries_record``)
at a conversion that differs per person, so the 提成 page shows both rates, a top seller and the
回访部 ranking. Idempotent: nothing is written when demo orders exist. Months already locked by a
close are left out.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.core.xlsx import ImportRow
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Employee
from kefu.performance.periods import locked_months, month_start, previous_month

from . import services
from .models import SalesLine

logger = logging.getLogger(__name__)
PREFIX = "DEMO"
MAX_AGENTS = 14
PRODUCTS = (
    ("家用净水器 RO-500", Decimal("2599.00")),
    ("前置过滤器", Decimal("899.00")),
    ("PP棉滤芯（3支装）", Decimal("129.00")),
    ("活性炭滤芯", Decimal("159.00")),
    ("管线机", Decimal("1299.00")),
    ("上门安装服务", Decimal("200.00")),
)


def _people(role: Role, limit: int) -> list[Employee]:
    return list(
        Employee.objects.filter(
            status=EmployeeStatus.ACTIVE,
            user__groups__name=role.label,
            department__code__in=("CS", "AS"),
        )
        .order_by("employee_no")
        .distinct()[:limit]
    )


def seed_demo_sales(actor: Any) -> None:
    """Seed demo sales lines and inquiry counts (idempotent)."""
    if SalesLine.objects.filter(order_no__startswith=PREFIX).exists():
        return
    people = _people(Role.AGENT, MAX_AGENTS) + _people(Role.RETURN_VISITOR, 4)
    if not people:
        logger.info("sales demo: no agents, nothing made")
        return
    today = timezone.localdate()
    locked = locked_months()
    start = previous_month(month_start(today))
    rng = random.Random(6)
    rows: list[ImportRow] = []
    counts: list[services.InquiryIn] = []
    line = 1
    for n, person in enumerate(people):
        conversion = Decimal(rng.choice(("0.55", "0.62", "0.68", "0.72", "0.80", "0.90")))
        day = start
        while day <= today:
            if day.weekday() < 6 and month_start(day) not in locked:
                orders = rng.randint(0, 3)
                for o in range(orders):
                    order_no = f"{PREFIX}{day:%Y%m%d}{n:02d}{o}"
                    for item, price in rng.sample(PRODUCTS, rng.randint(1, 2)):
                        line += 1
                        rows.append(
                            ImportRow(
                                line=line,
                                values={
                                    "order_no": order_no,
                                    "item": item,
                                    "quantity": Decimal(rng.randint(1, 2)),
                                    "unit_price": price,
                                    "amount": None,
                                    "customer_name": f"买家{rng.randint(100, 999)}",
                                    "paid_at": day,
                                    "remarks": f"{person.employee_no} 已核对",
                                },
                            )
                        )
                if orders:
                    inquiries = int((Decimal(orders) / conversion).to_integral_value())
                    counts.append(services.InquiryIn(person.employee_no, day, inquiries))
            day += dt.timedelta(days=1)
    if not rows:
        return
    result = services.sales_import(actor=actor, rows=rows)
    if result.errors:
        logger.warning("sales demo: import refused: %s", result.errors[:3])
        return
    if counts:
        services.inquiries_record(actor=actor, items=counts)
