"""Test helpers: installations made directly (the after-sales services are another app's)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from kefu.aftersales.models import Installation, Product
from kefu.customers.tests.factories import CustomerFactory

_seq = itertools.count(1)


def make_installation(
    *,
    customer: Any = None,
    kind: str = "product",
    acceptance: dt.date,
    warranty_months: int = 12,
    warranty_end: dt.date | None = None,
    grade: str = "normal",
    department: Any = None,
) -> Installation:
    from kefu.visits.plan import add_months

    n = next(_seq)
    customer = customer or CustomerFactory(grade=grade)
    product = None
    if kind == "product":
        product, _ = Product.objects.get_or_create(code="P-TEST", defaults={"name": "空气净化器"})
    return Installation.objects.create(
        number=f"AZ{n:06d}",
        kind=kind,
        customer=customer,
        product=product,
        project_name="" if kind == "product" else f"项目{n}",
        acceptance_date=acceptance,
        warranty_months=warranty_months,
        warranty_end=warranty_end or add_months(acceptance, warranty_months),
        department=department,
    )
