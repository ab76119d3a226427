"""Unpaid-order reads — 未付款订单查询, scoped to the actor: agents their own orders, 组长 their
team, 客服主管 / 客服部经理 the department, the leadership everything (the role's data scope)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.org.choices import Role
from kefu.org.models import Employee
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import RosterEntry
from kefu.workforce.rostering.problem import OFF_CODES
from kefu.workforce.shifts import shift_window

from . import chasing
from .choices import ChaseState, UnpaidStatus
from .models import UnpaidOrder
from .selectors import _date, filter_agent_team, visible_employees

VIEW_UNPAID = "sales.view_unpaidorder"
ADD_UNPAID = "sales.add_unpaidorder"
CHASE_UNPAID = "sales.chase_unpaidorder"
CHECK_UNPAID = "sales.check_unpaidorder"
STATES = tuple(ChaseState)


def unpaid_for_user(user: Any) -> QuerySet[UnpaidOrder]:
    """未付款订单 ``user`` may see, with the agent, the team and the ledger proposal joined."""
    return UnpaidOrder.objects.filter(
        agent__in=visible_employees(user, VIEW_UNPAID)
    ).select_related("agent", "agent__team", "incident")


def late_q(now: dt.datetime) -> Q:
    """超时未催付 as a filter — the database form of ``chasing.missed_chase``."""
    in_time = Q()
    for moment in ("chased_at", "paid_at", "closed_at"):
        in_time |= Q(**{f"{moment}__isnull": False, f"{moment}__lte": F("deadline")})
    return Q(deadline__lt=now) & ~in_time


def state_q(state: str, now: dt.datetime) -> Q | None:
    """The filter of one state of the page (None for an unknown state: no filtering)."""
    if state == ChaseState.PENDING:
        return Q(status=UnpaidStatus.WAITING, chased_at__isnull=True, deadline__gte=now)
    if state == ChaseState.CHASED:
        return Q(chased_at__isnull=False)
    if state == ChaseState.PAID:
        return Q(status=UnpaidStatus.PAID)
    if state == ChaseState.CLOSED:
        return Q(status=UnpaidStatus.CLOSED)
    if state == ChaseState.LATE:
        return late_q(now)
    return None


def filter_unpaid(
    qs: QuerySet[UnpaidOrder], params: dict[str, str], now: dt.datetime | None = None
) -> QuerySet[UnpaidOrder]:
    """Filters of the page and the API: state, from/to (拍下日期), agent, team, q (订单号/买家)."""
    now = now or timezone.now()
    if (q := state_q(params.get("state", ""), now)) is not None:
        qs = qs.filter(q)
    start, end = _date(params.get("from", "")), _date(params.get("to", ""))
    if start:
        qs = qs.filter(placed_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=SHANGHAI))
    if end:
        after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
        qs = qs.filter(placed_at__lt=after)
    qs = filter_agent_team(qs, params)
    if text := (params.get("q") or "").strip():
        qs = qs.filter(Q(order_no__icontains=text) | Q(customer_name__icontains=text))
    return qs


def with_states(orders: Iterable[UnpaidOrder], now: dt.datetime | None = None) -> list[Any]:
    """Set ``state`` and ``late`` (missed the first hour) on each order for display."""
    now = now or timezone.now()
    rows = list(orders)
    for o in rows:
        o.state = chasing.chase_state(
            status=o.status,
            deadline=o.deadline,
            chased_at=o.chased_at,
            paid_at=o.paid_at,
            closed_at=o.closed_at,
            now=now,
        )
        o.late = chasing.missed_chase(
            deadline=o.deadline, handled=(o.chased_at, o.paid_at, o.closed_at), now=now
        )
    return rows


# --- 当班客服 ----------------------------------------------------------------------------------
class DutyIndex:
    """Who was on duty when: the customer-service agents of ``people`` rostered (published
    rosters) on the given days, with their shift windows — one query for any number of orders."""

    def __init__(self, people: QuerySet[Employee], days: Iterable[dt.date]) -> None:
        wanted = set(days) | {d - dt.timedelta(days=1) for d in days}  # night shifts
        self.windows: dict[dt.date, list[tuple[Employee, dt.datetime, dt.datetime]]] = defaultdict(
            list
        )
        if not wanted:
            return
        entries = (
            RosterEntry.objects.filter(
                day__in=wanted,
                roster__status=RosterStatus.PUBLISHED,
                employee__in=people.filter(user__groups__name=Role.AGENT.label),
            )
            .exclude(code__in=OFF_CODES)
            .select_related("employee")
        )
        for e in entries:
            window = shift_window(e.code, e.day)
            if window is not None:
                self.windows[e.day].append((e.employee, *window))

    def agents_at(self, moment: dt.datetime) -> list[Employee]:
        """The agents whose shift covers ``moment`` (aware), by 工号."""
        day = moment.astimezone(SHANGHAI).date()
        found = {
            emp.pk: emp
            for d in (day - dt.timedelta(days=1), day)
            for emp, start, end in self.windows.get(d, [])
            if start <= moment < end
        }
        return sorted(found.values(), key=lambda e: e.employee_no)
