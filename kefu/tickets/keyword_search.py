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
from django.db.models import BooleanField, Case, F, Q, Value, When
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
    """Title or description may contain ``q``: their bigrams include ``q``'s (index 0002).

    ``position`` (1-based) names one bigram of ``q`` to look up instead of all of them, for the
    planner's sake: PostgreSQL estimates ``@>`` of several elements as if they were
    independent, and the bigrams of a word never are (扫地/地机/机器/器人 always come together), so
    with all four it expected 1 row where 20,000 matched and chose a plan that read them all.
    With the keyword's rarest bigram the estimate is that bigram's own frequency — right when
    the statistics list it. A keyword whose every bigram is too rare to be listed is rare: all
    its bigrams are asked for, the low estimate is then true, and the index answers exactly.
    """

    # Must stay the expression of ticket_text_bigrams_idx, or the index is not used.
    sql = "kefu_bigrams(UPPER({0}::text) || ' ' || UPPER({1}::text)) @> %s"

    def __init__(self, q: str, position: int | None) -> None:
        super().__init__(F("title"), F("description"), Value(q))
        needle = "kefu_bigrams(UPPER({2}))"
        if position is not None:
            needle = f"ARRAY[substr(UPPER({{2}}), {int(position)}, 2)]"
        self.sql = self.sql % needle


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

    On PostgreSQL, for a keyword of two or more characters, it is written as two clauses with
    the same meaning together (text implies bigram)::

        CASE WHEN (others OR text) THEN true ELSE false END  AND  (others OR bigram)

    - ``others OR bigram`` is made of indexed conditions only: the planner reads it from a
      BitmapOr of index scans and does not evaluate it again row by row.
    - ``others OR text`` is the exact icontains test, a cheap per-row filter. Wrapped in CASE
      only for the planner's estimate: PostgreSQL would multiply its own guess for
      ``LIKE '%…%'`` with the bigram's frequency as if they were independent (20,000 requests
      mention 扫地机器人, it expected 6) and then fetch and sort every match instead of walking
      the received_at index; a CASE is estimated at one half.
    - When the planner does walk the received_at index (a common word in a wide scope), the
      cheap clause comes first and ``kefu_bigrams`` (about 20 µs a row) runs only on the rows
      that match.

    Written as ``others OR (bigram AND text)``, PostgreSQL would recompute ``kefu_bigrams``
    for every candidate row: 140 ms for the 12,000 requests that mention 漏水 among a million.
    """
    text = Q(title__icontains=q) | Q(description__icontains=q)
    if not _postgres() or len(q) < BIGRAM_MIN:
        return others | text
    exact = Case(When(others | text, then=Value(True)), default=Value(False))
    return Q(exact) & (others | Q(TicketTextBigrams(q, rarest_bigram(q))))


def rarest_bigram(q: str) -> int | None:
    """1-based position of ``q``'s least frequent bigram among those the index's statistics
    list (ANALYZE keeps the most common ones); None when none is listed (``q`` is rare)."""
    upper = q.upper()
    if len(upper) != len(q):  # a case mapping that changes length: positions would not match
        return None
    frequencies = _bigram_frequencies()
    listed = [i for i in range(1, len(q)) if upper[i - 1 : i + 1] in frequencies]
    if len(listed) < len(q) - 1:
        return None  # one bigram is rarer than anything listed: ask for all of them
    return min(listed, key=lambda i: frequencies[upper[i - 1 : i + 1]])


_STATS_TTL = 600.0  # seconds; statistics change with ANALYZE, slowly
_stats: tuple[float, dict[str, float]] | None = None


def _bigram_frequencies() -> dict[str, float]:
    """Frequency of the most common bigrams by the index's statistics, per process."""
    global _stats
    if _stats is not None and _stats[0] > time.monotonic():
        return _stats[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'ticket_text_bigrams_idx'"
        )
        row = cursor.fetchone()
    elements, freqs = (row[0] or [], row[1] or []) if row else ([], [])
    # zip stops at the elements: the frequencies end with three summary numbers.
    _stats = (time.monotonic() + _STATS_TTL, dict(zip(elements, freqs, strict=False)))
    return _stats[1]


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
