"""Keyword search conditions — 工单关键字检索: the indexed form of the search box on PostgreSQL.

``selectors._keyword`` ORs a keyword over number, order/tracking number, title, description,
customer name and phone. Written naively, PostgreSQL can use no index for it: ``icontains`` is
``UPPER(col) LIKE '%…%'``, and a condition on a joined table (customer name) or a sub-query
(customer phones) inside the OR forces a scan of every request. At a million requests that is
seconds per search. On PostgreSQL these helpers return conditions with the same meaning that
the planner can combine with a BitmapOr of index scans:

- text: the bigram GIN index of migration 0002 (``kefu_bigrams``) narrows the rows to those
  containing every two-character window of the keyword; the exact ``icontains`` test stays, so
  the rows found are exactly the rows ``icontains`` would find (two-character Chinese words such
  as 漏水 are what agents type; pg_trgm cannot serve them);
- customer name and phone: ``customer_id = ANY(ARRAY(SELECT …))``, an InitPlan evaluated once
  whose result the ticket's customer index can use (``customer_id IN (SELECT …)`` cannot);
- phone tail (尾号): ``RIGHT(contact_phone, 4) = '1234'`` on its expression index, the same
  rows as ``endswith`` for a four-digit tail.

Elsewhere (SQLite) they return the plain ORM conditions. Keywords of one character keep the
plain conditions too: they have no bigram to look up.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Q, Value
from django.db.models.expressions import Func, Subquery

BIGRAM_MIN = 2  # a keyword needs two characters to have a bigram


def _postgres() -> bool:
    return connection.vendor == "postgresql"


class _Sql(Func):
    """A boolean SQL condition around compiled source expressions (``{0}``, ``{1}``, …)."""

    conditional = True
    output_field = BooleanField()
    sql = ""

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        parts, params = [], []
        for expression in self.get_source_expressions():
            part, part_params = compiler.compile(expression)
            parts.append(part)
            params.extend(part_params)
        return self.sql.format(*parts), tuple(params)


class TicketTextBigrams(_Sql):
    """Title or description may contain ``q``: it holds all of ``q``'s bigrams (index 0002)."""

    # Must stay the expression of ticket_text_bigrams_idx, or the index is not used.
    sql = "kefu_bigrams(UPPER({0}::text) || ' ' || UPPER({1}::text)) @> kefu_bigrams(UPPER({2}))"

    def __init__(self, q: str) -> None:
        super().__init__(F("title"), F("description"), Value(q))


class NameBigrams(_Sql):
    """A customer's name may contain ``q`` (customer_name_bigrams_idx)."""

    sql = "kefu_bigrams(UPPER({0}::text)) @> kefu_bigrams(UPPER({1}))"

    def __init__(self, q: str) -> None:
        super().__init__(F("name"), Value(q))


class InArray(_Sql):
    """``column = ANY(ARRAY(sub-query))``: the sub-query runs once, the column's index is used."""

    sql = "{0} = ANY(ARRAY{1})"

    def __init__(self, column: str, subquery: Any) -> None:
        super().__init__(F(column), Subquery(subquery))


class PhoneTail(_Sql):
    """The contact phone ends with these four digits (ticket_contact_last4_idx)."""

    sql = "RIGHT({0}::text, 4) = {1}"

    def __init__(self, digits: str) -> None:
        super().__init__(F("contact_phone"), Value(digits))


def text_contains(q: str) -> Q:
    """Title or description contains ``q`` (case-insensitive), as ``icontains`` finds it."""
    plain = Q(title__icontains=q) | Q(description__icontains=q)
    if not _postgres() or len(q) < BIGRAM_MIN:
        return plain
    return Q(TicketTextBigrams(q)) & plain


def customer_name_contains(q: str) -> Q:
    """The request's customer's name contains ``q``."""
    if not _postgres() or len(q) < BIGRAM_MIN:
        return Q(customer__name__icontains=q)
    from kefu.customers.models import Customer

    names = Customer.objects.filter(NameBigrams(q), name__icontains=q).values("pk")
    return Q(InArray("customer_id", names))


def phone_matches(digits: str, *, full_number_min: int) -> Q:
    """The contact phone or one of the customer's phones is ``digits`` (full number) or ends
    with them (four digits) — the meaning of ``selectors._phone``, in indexable form."""
    from kefu.customers.models import CustomerPhone

    if len(digits) >= full_number_min:
        phones = CustomerPhone.objects.filter(phone=digits)
        contact = Q(contact_phone=digits)
    else:
        phones = CustomerPhone.objects.filter(last4=digits)
        contact = Q(PhoneTail(digits)) if _postgres() else Q(contact_phone__endswith=digits)
    if not _postgres():
        return contact | Q(customer_id__in=phones.values("customer_id"))
    return contact | Q(InArray("customer_id", phones.values("customer_id")))
