"""After-sales reads — 售后查询: what other modules and the pages read about installations.

Other apps (return visits, surveys) read installations through these functions, never through
the models directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from .models import Installation, Product


class PlanInput(NamedTuple):
    """One installation as the visit-plan generator (AS-4) sees it."""

    installation_id: int
    customer_id: int
    kind: str
    acceptance_date: dt.date
    warranty_end: dt.date
    customer_grade: str


def installations_for_plans(
    *, ids: Iterable[int] | None = None, chunk_size: int = 20_000
) -> Iterator[PlanInput]:
    """Every installation (or those in ``ids``) as plan inputs, read in id order by chunks.

    Keyset pagination on the primary key keeps memory flat and each query on the index, so the
    generator can walk a million installations without one giant result set.
    """
    base = Installation.objects.order_by("id")
    if ids is not None:
        base = base.filter(id__in=list(ids))
    fields = ("id", "customer_id", "kind", "acceptance_date", "warranty_end", "customer__grade")
    last = 0
    while True:
        rows = list(base.filter(id__gt=last).values_list(*fields)[:chunk_size])
        if not rows:
            return
        for row in rows:
            yield PlanInput(*row)
        last = rows[-1][0]


def product_for_ticket(ticket: Any) -> Product | None:
    """The product a service request is about, for statistics by product (CRM-3), or None.

    The installation whose order number is the request's decides; otherwise the customer's only
    product installation does. A customer with several products and no order number on the
    request gives None rather than a guess.
    """
    order_no = (getattr(ticket, "order_no", "") or "").strip()
    customer_id = getattr(ticket, "customer_id", None)
    if not customer_id:
        return None
    rows = Installation.objects.filter(customer_id=customer_id, product__isnull=False)
    if order_no:
        match = rows.filter(order_no=order_no).select_related("product").first()
        if match is not None:
            return match.product
    candidates = list(rows.values_list("product_id", flat=True).distinct()[:2])
    if len(candidates) == 1:
        return Product.objects.get(pk=candidates[0])
    return None
