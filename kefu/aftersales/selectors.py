"""After-sales reads — 售后查询: what other modules and the pages read about installations.

Other apps (return visits, surveys) read installations through these functions, never through
the models directly.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import IntegerField, Subquery
from django.db.models.expressions import RawSQL

from .models import Installation, Product


def product_for_ticket(ticket: Any) -> Product | None:
    """The product a service request is about, for statistics by product (CRM-3), or None.

    The installation of a repair order raised from the request decides first; then the
    installation whose order number is the request's decides; otherwise the customer's only
    product installation does. A customer with several products and no order number on the
    request gives None rather than a guess.
    """
    if getattr(ticket, "pk", None) is not None:
        # A repair order raised from the request names its installation: the surest answer.
        from_repair = product_for_repair_or_ticket(ticket)
        if from_repair is not None:
            return from_repair
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


# --- pages and API ------------------------------------------------------------------------------
def products_for_user(user: Any, *, q: str = "", active: bool | None = None) -> Any:
    from .services.common import VIEW_PRODUCT

    if not user.has_perm(VIEW_PRODUCT):
        return Product.objects.none()
    qs = Product.objects.all()
    q = (q or "").strip()
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(model_no__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


def price_items_for_user(user: Any, *, product_id: int | None = None, q: str = "") -> Any:
    from django.db.models import Q

    from .models import PriceItem
    from .services.common import VIEW_PRODUCT

    if not user.has_perm(VIEW_PRODUCT):
        return PriceItem.objects.none()
    qs = PriceItem.objects.select_related("product")
    if product_id is not None:
        qs = qs.filter(Q(product_id=product_id) | Q(product__isnull=True))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return qs.order_by("code")


def installations_for_user(
    user: Any,
    *,
    q: str = "",
    customer_id: int | None = None,
    in_warranty: bool | None = None,
    on: dt.date | None = None,
) -> Any:
    """Installations ``user`` may see (after-sales data is company-wide), newest first.

    ``q`` matches the 安装编号, serial number and order number exactly, or the customer's name.
    """
    from django.db.models import Q

    from .services.common import VIEW_INSTALLATION

    if not user.has_perm(VIEW_INSTALLATION):
        return Installation.objects.none()
    qs = Installation.objects.select_related("customer", "product", "card")
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(
            Q(number=q.upper())
            | Q(serial_number=q)
            | Q(order_no=q)
            | Q(customer__name__icontains=q)
        )
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if in_warranty is not None:
        day = on or dt.date.today()
        cond = Q(acceptance_date__lte=day, warranty_end__gte=day)
        qs = qs.filter(cond) if in_warranty else qs.exclude(cond)
    return qs.order_by("-id")


def product_for_repair_or_ticket(ticket: Any) -> Product | None:
    """The product of the ticket's repair order's installation, if one names it."""
    from .models import RepairOrder

    row = (
        RepairOrder.objects.filter(
            ticket_id=getattr(ticket, "pk", None), installation__product__isnull=False
        )
        .select_related("installation__product")
        .order_by("-id")
        .first()
    )
    return row.installation.product if row else None


# --- repair orders ------------------------------------------------------------------------------
# Counting a million rows for "共 N 条" would cost more than the page itself; the list counts at
# most this many (an index-only walk) and says so beyond. 10,000 cost 1.2 ms of PostgreSQL CPU
# per list request at 220,000 orders, 1,000 costs 0.13 ms: 50 pages of 20 is more than anyone
# pages through — beyond that the filters narrow the list.
COUNT_CAP = 1_000


def repairs_for_user(
    user: Any,
    *,
    q: str = "",
    status: str = "",
    breached: bool | None = None,
    technician_id: int | None = None,
    customer_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Any:
    """Repair orders ``user`` may see (company-wide for after-sales roles), newest first.

    ``q``: the 维修单号 or serial number exactly, or the customer's name (contains). Dates are
    report dates in Asia/Shanghai, both inclusive.
    """

    from kefu.core.calendar import SHANGHAI

    from .models import RepairOrder
    from .services.common import VIEW_REPAIR

    if not user.has_perm(VIEW_REPAIR):
        return RepairOrder.objects.none()
    qs = RepairOrder.objects.select_related("customer", "technician", "installation__product")
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(_repair_keyword(q))
    if status:
        qs = qs.filter(status=status)
    if breached is not None:
        qs = qs.filter(breached=breached)
    if technician_id is not None:
        qs = qs.filter(technician_id=technician_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if date_from is not None:
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=SHANGHAI)
        qs = qs.filter(reported_at__gte=start)
    if date_to is not None:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
        qs = qs.filter(reported_at__lt=end)
    return qs.order_by("-id")


def repair_list_values(qs: Any, fields: tuple[str, ...]) -> Any:
    """``qs`` as values of ``fields``, the names shown as scalar sub-queries, not joins.

    With the customer, installation, product and technician joined PostgreSQL spent 1.6 ms
    *planning* the page query (every join order against the table's ten indexes) to run it in
    0.5 ms; a single-table scan with one primary-key probe per shown name plans in 0.13 ms and
    runs in 0.13 ms (EXPLAIN ANALYZE, median of 25, docs/performance.md). The sub-queries are
    plain SQL: built as querysets with ``OuterRef`` they cost more Python per request than the
    rest of the query. Names available: ``customer_name``, ``technician_name``,
    ``serial_number``, ``product_name`` (the product, or the project of a project installation),
    and ``list_sql.row_sql``'s timestamps as text and the current clock.
    """
    from .list_sql import row_sql

    wanted = {k: RawSQL(sql, ()) for k, sql in row_sql(connection.vendor).items() if k in fields}
    return qs.annotate(**wanted).values(*fields)


@functools.cache
def _name_sql() -> dict[str, str]:

    from kefu.customers.models import Customer
    from kefu.org.models import Employee

    from .models import RepairOrder

    q = connection.ops.quote_name
    order = q(RepairOrder._meta.db_table)
    customer, employee = q(Customer._meta.db_table), q(Employee._meta.db_table)
    inst, product = q(Installation._meta.db_table), q(Product._meta.db_table)
    return {
        "customer_name": f"SELECT c.name FROM {customer} c WHERE c.id = {order}.customer_id",
        "technician_name": f"SELECT e.name FROM {employee} e WHERE e.id = {order}.technician_id",
        "serial_number": f"SELECT i.serial_number FROM {inst} i WHERE i.id = {order}.installation_id",
        "product_name": (
            f"SELECT coalesce(p.name, i.project_name) FROM {inst} i "
            f"LEFT JOIN {product} p ON p.id = i.product_id WHERE i.id = {order}.installation_id"
        ),
    }


def _repair_keyword(q: str) -> Any:
    """维修单号 or serial number exactly, or the customer's name contains ``q``.

    Written so that every arm is an index condition (PostgreSQL combines them in a BitmapOr):
    the number on its unique index, the serial's installations and the matching customers as
    ``column = ANY(ARRAY(sub-query))`` (run once) on the foreign-key indexes, the customer name
    through its bigram index (``kefu.tickets.keyword_search``). A join to either table inside an
    OR made PostgreSQL read every order.
    """
    from django.db.models import Q

    from kefu.tickets.keyword_search import InArray, customer_name_contains

    serials = Installation.objects.filter(serial_number=q).order_by().values("pk")
    if connection.vendor == "postgresql":
        serial = Q(InArray("installation_id", serials))
    else:
        serial = Q(installation_id__in=serials)
    return Q(number=q.upper()) | serial | customer_name_contains(q)


class CappedCount(Subquery):
    """``(SELECT count(*) FROM (… LIMIT cap + 1))`` as a column: the page's rows carry the capped
    count, so a list page is one round trip (PostgreSQL runs the uncorrelated count once)."""

    template = "(SELECT count(*) FROM (%(subquery)s) _capped)"
    output_field = IntegerField()


class ListPage(NamedTuple):
    rows: list[dict[str, Any]]
    count: int  # at most the cap
    capped: bool  # there are more than ``count``
    number: int  # the page shown (clamped to the last one)
    size: int


def repair_list_page(
    qs: Any, fields: tuple[str, ...], *, page: int, size: int, cap: int | None = None
) -> ListPage:
    """One page of ``qs`` as values of ``fields`` (``repair_list_values``) and the capped count,
    in one query. A page past the end (or past the cap) falls back to a separate count and the
    last page, as a paginator would clamp it."""
    cap = COUNT_CAP if cap is None else cap
    number = max(page, 1)
    counted = CappedCount(qs.order_by().values("pk")[: cap + 1])
    rows_qs = repair_list_values(qs, fields).annotate(_count=counted)
    start = (number - 1) * size
    rows = list(rows_qs[start : start + size])
    # Up to cap + 1 either way: one more than the cap means "more than the cap".
    n = rows[0]["_count"] if rows else qs.order_by().values("pk")[: cap + 1].count()
    capped = n > cap
    n = min(n, cap)
    last = max((n + size - 1) // size, 1)
    if number > last:
        number = last
        rows = list(rows_qs[(last - 1) * size : last * size])
    for row in rows:
        del row["_count"]
    return ListPage(rows, n, capped, number, size)


def repair_page_for_user(
    user: Any, fields: tuple[str, ...], *, page: int, size: int, **filters: Any
) -> ListPage:
    """One page of the repair list as ``repair_list_page`` reads it, for ``repairs_for_user``'s
    filters — without building a queryset unless the keyword is set (``list_sql``: the SQL text
    of each filter shape is written once; ~1.3 ms of Python less per request)."""
    from . import list_sql
    from .services.common import VIEW_REPAIR

    keyword = (filters.get("q") or "").strip()
    # Ids out of any column's range (an API client's 10**20): the ORM answers "none" for them.
    odd_id = any(
        filters.get(k) is not None and not 0 < filters[k] < 2**31
        for k in ("technician_id", "customer_id")
    )
    if keyword or odd_id or not list_sql.supported() or not user.has_perm(VIEW_REPAIR):
        qs = repairs_for_user(user, **filters)
        return repair_list_page(qs, fields, page=page, size=size)
    cap = COUNT_CAP
    number = max(page, 1)
    shape = list_sql.shape_of(filters)
    where = list_sql.where_params(filters)
    sql = list_sql.page_sql(connection.vendor, fields, shape)
    head = [*where, cap + 1, *where]
    rows = list_sql.fetch(sql, [*head, size, (number - 1) * size], fields)
    # Up to cap + 1 either way: one more than the cap means "more than the cap".
    n = rows[0]["_count"] if rows else list_sql.count(shape, where, cap)
    capped = n > cap
    n = min(n, cap)
    last = max((n + size - 1) // size, 1)
    if number > last:
        number = last
        rows = list_sql.fetch(sql, [*head, size, (last - 1) * size], fields)
    for row in rows:
        del row["_count"]
    return ListPage(rows, n, capped, number, size)


def repair_get_for_user(user: Any, pk: int) -> Any:
    """One repair order with what its detail page shows, or RepairOrder.DoesNotExist."""
    return repairs_for_user(user).select_related("ticket", "created_by").get(pk=pk)


def open_repairs_for_installations(ids: list[int]) -> dict[int, list]:
    from .choices import RepairStatus
    from .models import RepairOrder

    out: dict[int, list] = {}
    rows = RepairOrder.objects.filter(installation_id__in=ids).exclude(status=RepairStatus.CLOSED)
    for row in rows.order_by("-id"):
        out.setdefault(row.installation_id, []).append(row)
    return out


def warranty_lookup(user: Any, *, serial: str = "", phone: str = "", order_no: str = "") -> Any:
    """保修查询 by serial number, the customer's phone or the order number (one of them)."""
    from kefu.customers.selectors import customers_for_user

    qs = installations_for_user(user)
    serial, phone, order_no = (
        (serial or "").strip(),
        (phone or "").strip(),
        (order_no or "").strip(),
    )
    if serial:
        return qs.filter(serial_number=serial[:60])
    if order_no:
        return qs.filter(order_no=order_no[:40])
    if phone:
        owners = customers_for_user(user, phone=phone[:30]).values("pk")
        return qs.filter(customer_id__in=owners)
    return qs.none()


def cards_pending(user: Any, *, today: dt.date, deadline_months: int, soon_days: int) -> Any:
    """Installations without a 保修卡 whose deadline passed or falls within ``soon_days``.

    The deadline is acceptance + N months; "deadline <= today + soon" ⇔ acceptance <= the day N
    months before (today + soon), which uses the acceptance index.
    """
    import calendar as _cal

    limit = today + dt.timedelta(days=soon_days)
    # acceptance + N months <= limit  ⇔  acceptance <= limit − N months (month-end clamping
    # makes this slightly generous at month ends; the page shows each row's exact state).
    year, month = limit.year, limit.month - deadline_months
    while month < 1:
        month += 12
        year -= 1
    latest = dt.date(year, month, min(limit.day, _cal.monthrange(year, month)[1]))
    return (
        installations_for_user(user)
        .filter(card__isnull=True, acceptance_date__lte=latest)
        .order_by("acceptance_date", "id")
    )
