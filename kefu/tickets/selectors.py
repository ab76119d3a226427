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
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from kefu.customers.phones import digits_only
from kefu.customers.selectors import FULL_NUMBER_MIN
from kefu.org.choices import Scope
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of

from .choices import OPEN_STATUSES
from .models import Ticket, TicketAttachment

VIEW_PERMISSION = "tickets.view_ticket"
LIST_RELATED = ("customer", "owner", "first_responsible")


def can_view_tickets(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.has_perm(VIEW_PERMISSION)
    )


def ticket_scope_filter(user: Any) -> Q | None:
    """A Q over Ticket keeping what ``user`` may see; None = nothing at all."""
    if not can_view_tickets(user):
        return None
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Q()
    me = employee_of(user)
    if scope is None or me is None:
        return None
    mine = (
        Q(owner_id=me.pk)
        | Q(first_responsible_id=me.pk)
        | Q(pending_owner_id=me.pk)
        | Q(pending_department_id=me.department_id)
        | Q(owner__isnull=True, department_id=me.department_id)
    )
    if scope == Scope.DEPARTMENT:
        return mine | Q(department_id__in=department_descendant_ids(me.department_id))
    if scope == Scope.TEAM and me.team_id:
        return mine | Q(team_id=me.team_id)
    return mine


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


def tickets_for_user(
    user: Any,
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
    """Tickets ``user`` may see, filtered, newest first, customer and people joined."""
    scope = ticket_scope_filter(user)
    if scope is None:
        return Ticket.objects.none()
    qs = Ticket.objects.filter(scope).select_related(*LIST_RELATED)
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
    """``ticket_get_for_user`` for the detail page, also telling whether the request has any
    attachment or tag (``has_attachments``, ``has_tags``): most have neither, and then the page
    skips those two reads; and the 登记人's name and login. Ticket.DoesNotExist when missing or
    out of scope.
    """
    from django.contrib.auth import get_user_model

    from kefu.org.models import Employee

    tag_links = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"))
    recorder = OuterRef("received_by_id")
    return (
        tickets_for_user(user)
        .select_related("customer", "owner", "first_responsible", "team")
        .annotate(
            has_attachments=Exists(TicketAttachment.objects.filter(ticket_id=OuterRef("pk"))),
            has_tags=Exists(tag_links),
            # 登记人 as the page names them (employee name, else login), without two more reads.
            received_by_name=Subquery(Employee.objects.filter(user_id=recorder).values("name")[:1]),
            received_by_username=Subquery(
                get_user_model().objects.filter(pk=recorder).values("username")[:1]
            ),
        )
        .get(pk=pk)
    )


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
    return (
        Ticket.objects.filter(owner_id=me.pk, status__in=OPEN_STATUSES)
        .select_related("customer")
        .order_by(unanswered_message_first(), "resolution_due", "id")
    )


def team_queue(user: Any) -> QuerySet[Ticket]:
    """工作台 · 待处理队列: transfers waiting for me or my department, and my department's
    unassigned requests (to claim, 首问负责制); unanswered 留言 first (TKT-10)."""
    me = employee_of(user)
    if me is None or not can_view_tickets(user):
        return Ticket.objects.none()
    condition = (
        Q(pending_owner_id=me.pk)
        | Q(pending_department_id=me.department_id)
        | Q(owner__isnull=True, department_id=me.department_id)
    )
    return (
        Ticket.objects.filter(condition, status__in=OPEN_STATUSES)
        .select_related("customer", "owner")
        .order_by(unanswered_message_first(), "resolution_due", "id")
    )


def team_open_tickets(user: Any) -> QuerySet[Ticket]:
    """工作台 · 本组工单: open requests of my team (for 组长 and above)."""
    me = employee_of(user)
    if me is None or me.team_id is None or not can_view_tickets(user):
        return Ticket.objects.none()
    return (
        tickets_for_user(user)
        .filter(team_id=me.team_id, status__in=OPEN_STATUSES)
        .order_by("resolution_due", "id")
    )


def tickets_for_customer(user: Any, customer_id: int, *, limit: int = 50) -> list[Ticket]:
    """A customer's requests the reader may see (客户档案 · 服务记录), newest first."""
    return list(tickets_for_user(user, customer_id=customer_id)[:limit])
