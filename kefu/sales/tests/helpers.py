"""Test helpers: sales lines and inquiry counts written directly (the services are tested on
their own)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from kefu.sales.choices import InquirySource, LineSource
from kefu.sales.models import InquiryCount, SalesLine

_orders = itertools.count(1)


def line(
    agent: Any, day: dt.date, amount: str | Decimal, *, order_no: str = "", item: str = "净水器"
) -> SalesLine:
    return SalesLine.objects.create(
        agent=agent,
        day=day,
        order_no=order_no or f"T{next(_orders):08d}",
        item=item,
        quantity=1,
        unit_price=Decimal(amount),
        amount=Decimal(amount),
        source=LineSource.MANUAL,
    )


def inquiries(
    agent: Any, day: dt.date, count: int, source: str = InquirySource.IMPORT
) -> InquiryCount:
    return InquiryCount.objects.create(agent=agent, day=day, count=count, source=source)
