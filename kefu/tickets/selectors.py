"""Ticket reads — 工单查询 (TKT-3, ORG-5): always scoped to what the reader may see.

Scope follows the reporting line: an agent sees the requests they hold, are 首问负责人 of, are
asked to take over (转交), and the unassigned requests of their own department (to claim them);
a 组长 their team's; 主管 and 客服部经理 their department's (sub-departments included);
行政人事部, 副总 and 总经理 everything. Roles without ``tickets.view_ticket`` see nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from kefu.customers.phones import digits_only
from kefu.customers.selectors import FULL_NUMBER_MIN
from kefu.org.choices import Scope
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of

from .choices import OPEN_STATUSES
from .models import Ticket

VIEW_PERMISSION = "tickets.view_ticket"
LIST_RELATED = ("customer", "owner", "first_responsible")


def can_view_tickets(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.has_perm(VIEW_PERMISSION)
    )


ScopeTerm = dict[str, Any]


def ticket_scope_terms(user: Any) -> list[ScopeTerm] | None:
    """数据范围 of service requests: the requests ``user`` may see, as an OR of AND-terms over
    Ticket's own columns (``field: value`` equal, ``field__in: set``). None = nothing at all;
    ``[{}]`` = everything.

    One description read two ways, so they cannot drift apart: ``scope_q`` (a Q for the
    database, through ``tickets_for_user``) and ``ticket_in_scope`` (for one request already
    read — the detail page). A value of None means "is empty" in both (the ORM turns
    ``field=None`` into ``IS NULL``).
    """
    if not can_view_tickets(user):
        return None
    scope = scope_of(user)
    if scope == Scope.ALL:
        return [{}]
    me = employee_of(user)
    if scope is None or me is None:
        return None
    terms: list[ScopeTerm] = [
        {"owner_id": me.pk},
        {"first_responsible_id": me.pk},
        {"pending_owner_id": me.pk},
        {"pending_department_id": me.department_id},
        # 首问负责制: the department's unassigned requests wait for someone to claim them.
        {"owner_id": None, "department_id": me.department_id},
    ]
    if scope == Scope.DEPARTMENT:
        terms.append({"department_id__in": department_descendant_ids(me.department_id)})
    elif scope == Scope.TEAM and me.team_id:
        terms.append({"team_id": me.team_id})
    return terms


ScopeKey = tuple[tuple[tuple[str, Any], ...], ...]


def ticket_scope_key(user: Any) -> ScopeKey | None:
    """``ticket_scope_terms`` in a hashable form (sets frozen, fields sorted): an argument of
    the console's lists compiled once (``kefu.core.compiled``). None = nothing at all."""
    terms = ticket_scope_terms(user)
    if terms is None:
        return None
    return tuple(
        tuple(sorted((k, frozenset(v) if isinstance(v, set) else v) for k, v in term.items()))
        for term in terms
    )


def scope_q(terms: Any) -> Q:
    """The Q of scope terms (``ticket_scope_terms``, or a ``ticket_scope_key``)."""
    condition = Q()
    for term in terms:
        if not term:
            return Q()  # everything
        condition |= Q(**dict(term))
    return condition


def ticket_in_scope(terms: list[ScopeTerm] | None, ticket: Any) -> bool:
    """Whether ``ticket`` (anything with Ticket's column attributes) is inside ``terms``.

    Matches as SQL would: ``field__in`` never matches an empty (NULL) column.
    """
    if terms is None:
        return False
    for term in terms:
        for key, wanted in term.items():
            if key.endswith("__in"):
                value = getattr(ticket, key[:-4])
                if value is None or value not in wanted:
                    break
            elif getattr(ticket, key) != wanted:
                break
        else:
            return True
    return False


def _keyword(q: str) -> Q:
    """One search box (TKT 工作台): number, order/tracking number, phone, customer, Chinese text.

    The text, customer-name and phone parts come from ``keyword_search``: the same meaning as
    icontains/``_phone``, in a form PostgreSQL serves from indexes (migration 0002).
    """
    from .keyword_search import customer_name_contains, phone_matches, text_search

    q = q.strip()
    others = Q(number=q.upper()) | Q(order_no=q) | Q(tracking_no=q) | customer_name_contains(q)
    digits = digits_only(q)
    if digits == q.replace(" ", "").replace("-", "") and (
        len(digits) == 4 or len(digits) >= FULL_NUMBER_MIN
    ):
        others |= phone_matches(digits, full_number_min=FULL_NUMBER_MIN)
    return text_search(q, others)  # others OR title/description icontains q


def _phone(digits: str) -> Q:
    from kefu.customers.models import CustomerPhone

    phones = CustomerPhone.objects.all()
    if len(digits) >= FULL_NUMBER_MIN:
        phones = phones.filter(phone=digits)
        contact = Q(contact_phone=digits)
    else:
        phones = phones.filter(last4=digits)
        contact = Q(contact_phone__endswith=digits)
    return contact | Q(customer_id__in=phones.values("customer_id"))


def tickets_for_user(user: Any, **filters: Any) -> QuerySet[Ticket]:
    """Tickets ``user`` may see, filtered (``tickets_in_scope``'s filters), newest first,
    customer and people joined."""
    scope = ticket_scope_key(user)
    if scope is None:
        return Ticket.objects.none()
    return tickets_in_scope(scope, **filters)


def tickets_in_scope_of(scope: ScopeKey, filters: tuple[tuple[str, Any], ...]) -> QuerySet[Ticket]:
    """``tickets_in_scope(scope, **dict(filters))`` — positional, for ``kefu.core.compiled``."""
    return tickets_in_scope(scope, **dict(filters))


def tickets_in_scope(
    scope: ScopeKey,
    *,
    q: str = "",
    status: str = "",
    open_only: bool = False,
    kind: str = "",
    channel: str = "",
    priority: str = "",
    owner_id: int | None = None,
    team_id: int | None = None,
    customer_id: int | None = None,
    phone: str = "",
    order_no: str = "",
    tracking_no: str = "",
    overdue: bool = False,
    major_fault: bool = False,
    received_from: dt.datetime | None = None,
    received_to: dt.datetime | None = None,
    now: dt.datetime | None = None,
    service_mode: str = "",
    red_flag: bool = False,
) -> QuerySet[Ticket]:
    """The requests inside ``scope`` (a ``ticket_scope_key``), filtered, newest first, customer
    and people joined. A function of its arguments alone — except ``overdue`` without ``now``,
    which reads the clock."""
    qs = Ticket.objects.filter(scope_q(scope)).select_related(*LIST_RELATED)
    if q and q.strip():
        qs = qs.filter(_keyword(q))
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    if priority:
        qs = qs.filter(priority=priority)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if phone and phone.strip():
        digits = digits_only(phone)
        qs = qs.filter(_phone(digits)) if len(digits) >= 4 else qs.none()
    if order_no.strip():
        qs = qs.filter(order_no=order_no.strip())
    if tracking_no.strip():
        qs = qs.filter(tracking_no=tracking_no.strip())
    if overdue:
        from django.utils import timezone

        qs = qs.filter(
            status__in=OPEN_STATUSES,
            paused_since__isnull=True,
            resolution_due__lt=now or timezone.now(),
        )
    if major_fault:
        qs = qs.filter(major_fault=True)
    if received_from:
        qs = qs.filter(received_at__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__lt=received_to)
    if service_mode:
        qs = qs.filter(service_mode=service_mode)
    if red_flag:
        qs = qs.filter(red_flag=True)
    return qs.order_by("-received_at", "-id")


def ticket_get_for_user(user: Any, pk: int) -> Ticket:
    """One ticket with what its page shows, or Ticket.DoesNotExist (missing or out of scope).

    Only the relations every page shows are joined. Joining all eight made PostgreSQL spend
    ~6 ms *planning* a query that runs in 0.3 ms (1M tickets, docs/performance.md); the rest
    (登记人, a pending transfer's target, the department) are one primary-key read each, and
    only when the page needs them.
    """
    return (
        tickets_for_user(user)
        .select_related("customer", "owner", "first_responsible", "team")
        .get(pk=pk)
    )


def ticket_page_for_user(user: Any, pk: int) -> Ticket:
    """``ticket_get_for_user`` for the detail page: the request with its customer, owner, first
    responsible and team, whether it has any attachment or tag (``has_attachments``,
    ``has_tags``: most have neither, and then the page skips those two reads) and the 登记人's
    name and login (``received_by_name``, ``received_by_username``). Ticket.DoesNotExist when
    missing or out of scope.

    Read by one statement built once per process (``kefu.tickets.page_query``) and checked
    against the viewer's scope in Python (``ticket_in_scope``, the same terms the lists filter
    by): compiling the scoped ORM query cost more CPU than the rest of the read.
    """
    from .page_query import ticket_page_row

    terms = ticket_scope_terms(user)
    if terms is None:
        raise Ticket.DoesNotExist
    ticket = ticket_page_row(pk)
    if ticket is None or not ticket_in_scope(terms, ticket):
        raise Ticket.DoesNotExist
    return ticket


def unanswered_message_first() -> Case:
    """TKT-10 留言优先: 0 for a 留言 not yet answered, 1 for everything else (sort key).

    The console lists are the start of every shift; the messages customers left while nobody
    answered come before the rest, then the most urgent deadline.
    """
    return Case(
        When(offline_message=True, responded=False, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def my_open_tickets(user: Any) -> QuerySet[Ticket]:
    """工作台 · 我的工单: open requests I hold; unanswered 留言 first (TKT-10), then the most
    urgent deadline."""
    me = employee_of(user)
    if me is None or not can_view_tickets(user):
        return Ticket.objects.none()
    return open_tickets_held_by(me.pk)


def open_tickets_held_by(employee_id: int) -> QuerySet[Ticket]:
    """``my_open_tickets`` of the employee ``employee_id`` — a function of its argument alone
    (the console compiles it once per person, ``kefu.core.compiled``)."""
    return (
        Ticket.objects.filter(owner_id=employee_id, status__in=OPEN_STATUSES)
        .select_related("customer")
        .order_by(unanswered_message_first(), "resolution_due", "id")
    )


def team_queue(user: Any) -> QuerySet[Ticket]:
    """工作台 · 待处理队列: transfers waiting for me or my department, and my department's
    unassigned requests (to claim, 首问负责制); unanswered 留言 first (TKT-10)."""
    me = employee_of(user)
    if me is None or not can_view_tickets(user):
        return Ticket.objects.none()
    return queue_of(me.pk, me.department_id)


def queue_of(employee_id: int, department_id: int | None) -> QuerySet[Ticket]:
    """``team_queue`` of the employee ``employee_id`` of ``department_id`` — a function of its
    arguments alone (compiled once per person by the console)."""
    condition = (
        Q(pending_owner_id=employee_id)
        | Q(pending_department_id=department_id)
        | Q(owner__isnull=True, department_id=department_id)
    )
    return (
        Ticket.objects.filter(condition, status__in=OPEN_STATUSES)
        .select_related("customer", "owner")
        .order_by(unanswered_message_first(), "resolution_due", "id")
    )


def open_tickets_in_scope(scope: ScopeKey, team_id: int | None) -> QuerySet[Ticket]:
    """Open requests inside ``scope`` (a ``ticket_scope_key``), of ``team_id`` if given;
    unanswered 留言 first, then the deadline — the console's 本组/管辖范围 list, a function of its
    arguments alone (compiled once per scope by the console)."""
    qs = Ticket.objects.filter(scope_q(scope), status__in=OPEN_STATUSES)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs.order_by(unanswered_message_first(), "resolution_due", "id")


def tickets_for_customer(user: Any, customer_id: int, *, limit: int = 50) -> list[Ticket]:
    """A customer's requests the reader may see (客户档案 · 服务记录), newest first."""
    return list(tickets_for_user(user, customer_id=customer_id)[:limit])
