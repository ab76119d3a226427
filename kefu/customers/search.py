"""Customers in the top-bar search — 客户 (名称 / 电话 / 尾号 / 客户编号)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kefu.core.access import shown
from kefu.core.search import SearchHit

from .selectors import customers_for_user


def search_customers(user: Any, q: str, limit: int) -> list[SearchHit]:
    hits = []
    for customer in customers_for_user(user, q=q)[:limit]:
        phones = [shown(user, "phone", p.phone) for p in customer.phones.all()][:2]
        subtitle = " · ".join(part for part in (customer.region, *phones) if part)
        hits.append(
            SearchHit(
                title=f"{customer.code} {customer.name}",
                subtitle=subtitle,
                url=reverse("customers:customer_detail", args=[customer.pk]),
            )
        )
    return hits
