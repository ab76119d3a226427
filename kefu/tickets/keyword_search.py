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
  as 漏水 are what agents type; pg_trgm cannot serve them, see ``text_search`` for the shape);
- customer name and phone: ``customer_id = ANY(ARRAY(SELECT …))``, an InitPlan evaluated once
  whose result the ticket's customer index can use (``customer_id IN (SELECT …)`` cannot);
- phone tail (尾号): ``RIGHT(contact_phone, 4) = '1234'`` on its expression index, the same
  rows as ``endswith`` for a four-digit tail.

Elsewhere (SQLite) they return the plain ORM conditions. Keywords of one character keep the
plain conditions too: they have no bigram to look up.
"""

from __future__ import annotations

import time
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
    """Title or description may contain ``q``: it holds ``q``'s bigram at ``position`` (index 0002).

    One bigram, not all of them: PostgreSQL estimates ``@>`` of several elements as if they were
    independent, and the bigrams of a word never are (扫地/地机/机器/器人 always come together), so
    with all four it expected 1 row where 20,000 matched and chose a plan that read them all.
    With the keyword's rarest bigram the estimate is that bigram's own frequency — right — and
    the exact icontains test does the rest.
    """

    # Must stay the expression of ticket_text_bigrams_idx, or the index is not used.
    sql = (
        "kefu_bigrams(UPPER({0}::text) || ' ' || UPPER({1}::text)) "
        "@> ARRAY[substr(UPPER({2}), %d, 2)]"
    )

    def __init__(self, q: str, position: int) -> None:
        super().__init__(F("title"), F("description"), Value(q))
        self.sql = self.sql % int(position)


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


def text_search(q: str, others: Q) -> Q:
    """``others`` OR the title or description contains ``q`` (case-insensitive, as icontains).

    On PostgreSQL, for a keyword of two or more characters, the answer is written as
    ``(others OR text) AND (others OR bigram)``: the same rows, since text implies bigram. The
    second clause is made of indexed conditions only, so the planner reads it from a BitmapOr of
    index scans and does not evaluate it again row by row; the exact ``icontains`` test (cheap)
    is the only per-row filter (and for a two-character keyword not even that). Written as ``others OR (bigram AND text)``, PostgreSQL would
    recompute ``kefu_bigrams`` for every candidate row (about 11 µs each): 140 ms for the 12,000
    requests that mention 漏水 among a million.
    """
    text = Q(title__icontains=q) | Q(description__icontains=q)
    if not _postgres() or len(q) < BIGRAM_MIN:
        return others | text
    bigram = Q(TicketTextBigrams(q, rarest_bigram(q)))
    if len(q) == BIGRAM_MIN and " " not in q:
        # Exact on its own: a two-character keyword (漏水, 退货) occurs in the title or the
        # description exactly when it is one of their bigrams (the ' ' that joins them is not in
        # the keyword, so no pair across the join can match). No per-row test at all, and the
        # planner's estimate is the keyword's own frequency.
        return others | bigram
    return (others | text) & (others | bigram)


def rarest_bigram(q: str) -> int:
    """1-based position of ``q``'s least frequent bigram by the index's statistics (ANALYZE)."""
    upper = q.upper()
    if len(upper) != len(q):  # a case mapping that changes length: positions would not match
        return 1
    frequencies, floor = _bigram_frequencies()
    positions = range(1, len(q))
    return min(positions, key=lambda i: frequencies.get(upper[i - 1 : i + 1], floor))


_STATS_TTL = 600.0  # seconds; statistics change with ANALYZE, slowly
_stats: tuple[float, dict[str, float], float] | None = None


def _bigram_frequencies() -> tuple[dict[str, float], float]:
    """(frequency by bigram, frequency assumed for bigrams too rare to be listed), per process."""
    global _stats
    if _stats is not None and _stats[0] > time.monotonic():
        return _stats[1], _stats[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'ticket_text_bigrams_idx'"
        )
        row = cursor.fetchone()
    elements, freqs = (row[0] or [], row[1] or []) if row else ([], [])
    # most_common_elem_freqs ends with the minimum, the maximum and the null frequency.
    floor = freqs[-3] / 2 if len(freqs) >= 3 else 0.0
    _stats = (time.monotonic() + _STATS_TTL, dict(zip(elements, freqs, strict=False)), floor)
    return _stats[1], _stats[2]


def customer_name_contains(q: str) -> Q:
    """The request's customer's name contains ``q``."""
    if not _postgres() or len(q) < BIGRAM_MIN:
        return Q(customer__name__icontains=q)
    from kefu.customers.models import Customer

    names = Customer.objects.filter(NameBigrams(q), name__icontains=q).order_by().values("pk")
    return Q(InArray("customer_id", names))


def phone_matches(digits: str, *, full_number_min: int) -> Q:
    """The contact phone or one of the customer's phones is ``digits`` (full number) or ends
    with them (four digits) — the meaning of ``selectors._phone``, in indexable form."""
    from kefu.customers.models import CustomerPhone

    if len(digits) >= full_number_min:
        phones = CustomerPhone.objects.filter(phone=digits).order_by()
        contact = Q(contact_phone=digits)
    else:
        phones = CustomerPhone.objects.filter(last4=digits).order_by()
        contact = Q(PhoneTail(digits)) if _postgres() else Q(contact_phone__endswith=digits)
    if not _postgres():
        return contact | Q(customer_id__in=phones.values("customer_id"))
    return contact | Q(InArray("customer_id", phones.values("customer_id")))
