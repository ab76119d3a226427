"""Customer reads — 客户查询 (CRM-1, SEC-1).

Customer information is need-to-know (SEC-1): only roles holding ``customers.view_customer`` see
any customer, and those that do see the whole archive, because a customer may call any agent of
the company (首问负责制) and must be recognised by whoever answers. Roles without the permission
(warehouse) get an empty queryset, never an error that would tell them a record exists.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from kefu.core import rowsql

from .models import Customer, CustomerPhone
from .phones import digits_only

VIEW_PERMISSION = "customers.view_customer"
# A number this long or longer is looked up whole; 4 digits are the 尾号; anything between is
# matched as the end of a number (no index, but rare: people read out a whole number or 尾号).
FULL_NUMBER_MIN = 7


def can_view_customers(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.has_perm(VIEW_PERMISSION)
    )


def customer_record_for_user(user: Any, customer_id: int) -> Customer | None:
    """The customer record ``customer_id`` alone if ``user`` may see it, else None — 客户档案.

    ``customer_get_for_user`` without the phones and the 建档人, for the API's create path: one
    prepared statement built once per process (kefu/core/rowsql.py), no queryset to compile.
    """
    if not can_view_customers(user):
        return None
    sql, customer = _by_id_query()
    with rowsql.cursor() as cursor:
        cursor.execute(sql, [customer_id])
        row = cursor.fetchone()
    return None if row is None else customer.instance(row, 0)


@cache
def _by_id_query() -> tuple[str, rowsql.Columns]:
    customer = rowsql.columns(Customer, "c")
    q = connection.ops.quote_name
    sql = f"SELECT {customer.sql} FROM {q(Customer._meta.db_table)} {q('c')} WHERE {q('c')}.{q('id')} = %s"
    return sql, customer


def _phone_owner_ids(digits: str) -> QuerySet[CustomerPhone]:
    """Customer ids owning a number matching ``digits`` (full number, 尾号 or number end)."""
    phones = CustomerPhone.objects.all()
    if len(digits) >= FULL_NUMBER_MIN:
        phones = phones.filter(phone=digits)
    elif len(digits) == 4:
        phones = phones.filter(last4=digits)
    else:
        phones = phones.filter(phone__endswith=digits)
    return phones.values("customer_id")


def customers_for_user(
    user: Any,
    *,
    q: str = "",
    phone: str = "",
    region: str = "",
    grade: str = "",
    customer_type: str = "",
) -> QuerySet[Customer]:
    """Customers ``user`` may see, filtered, newest first, with their phones prefetched.

    ``q`` matches the name or contact person (contains), the 客户编号 (exact) and, when it is a
    number, the phones: a whole number exactly, 4 digits as the 尾号. ``phone`` matches phones only
    (whole number or 尾号). ``region`` matches contains; ``grade`` and ``customer_type`` exactly.
    Phone matches use a subquery rather than a join, so a customer with two matching phones is
    listed once and the count stays exact without DISTINCT.
    """
    if not can_view_customers(user):
        return Customer.objects.none()
    qs = Customer.objects.prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.order_by("id"))
    )
    q = (q or "").strip()
    if q:
        # Codes are stored upper-case ("C000123"): an exact match uses the unique index.
        condition = Q(name__icontains=q) | Q(contact_person__icontains=q) | Q(code=q.upper())
        digits = digits_only(q)
        if len(digits) == 4 or len(digits) >= FULL_NUMBER_MIN:
            condition |= Q(pk__in=_phone_owner_ids(digits))
        qs = qs.filter(condition)
    phone = (phone or "").strip()
    if phone:
        digits = digits_only(phone)
        qs = qs.filter(pk__in=_phone_owner_ids(digits)) if digits else qs.none()
    if region.strip():
        qs = qs.filter(region__icontains=region.strip())
    if grade:
        qs = qs.filter(grade=grade)
    if customer_type:
        qs = qs.filter(customer_type=customer_type)
    return qs.order_by("-id")


def customer_get_for_user(user: Any, pk: int) -> Customer:
    """One customer, or Customer.DoesNotExist when missing or the user may not see customers."""
    return customers_for_user(user).select_related("created_by").get(pk=pk)


def customer_by_phone(user: Any, phone: str) -> Customer | None:
    """The customer owning ``phone`` (any written form), if ``user`` may see customers.

    The lookup a phone call starts with: the caller's number, normalised, matched exactly.
    """
    digits = digits_only(phone)
    if not digits or not can_view_customers(user):
        return None
    return customers_for_user(user).filter(phones__phone=digits).first()


def regions_for_user(user: Any) -> list[str]:
    """The regions in use, for the list filter's suggestions (one query)."""
    if not can_view_customers(user):
        return []
    return list(
        Customer.objects.exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()[:200]
    )
