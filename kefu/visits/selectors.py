"""Return-visit reads — 回访查询: tasks scoped to the viewer, the weekly summary and the rate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from kefu.core.params import query_id
from kefu.org.models import Department
from kefu.org.selectors import employee_of

from .choices import REACHED, ActionStatus, Outcome, Source, TaskStatus
from .models import CarePlan, CareTask, CorrectiveAction, VisitTask
from .plan import add_months
from .services.common import VIEW, VIEW_ALL, VIEW_CARE, today

VIEWS = ("today", "overdue", "planned", "done", "all")


def visit_tasks_for_user(user: Any) -> QuerySet[VisitTask]:
    """The visit tasks ``user`` may see: all with 查看全部回访任务, else only their own."""
    if not user.has_perm(VIEW):
        return VisitTask.objects.none()
    qs = VisitTask.objects.all()
    if user.has_perm(VIEW_ALL):
        return qs
    employee = employee_of(user)
    if employee is None:
        return VisitTask.objects.none()
    return qs.filter(assignee=employee)


def visit_task_get_for_user(user: Any, pk: int) -> VisitTask:
    return (
        visit_tasks_for_user(user)
        .select_related(
            "customer",
            "installation",
            "ticket",
            "assignee",
            "visited_by",
            "follow_up_ticket",
            "parent",
        )
        .get(pk=pk)
    )


def filter_tasks(
    qs: QuerySet[VisitTask], params: Any, *, on: dt.date | None = None
) -> QuerySet[VisitTask]:
    """Apply the list filters (``view`` tab, q, source, outcome, assignee, from, to) from a URL."""
    day = on or today()
    view = params.get("view") or "today"
    if view == "today":
        qs = qs.filter(status=TaskStatus.PLANNED, due_date=day)
    elif view == "overdue":
        qs = qs.filter(status=TaskStatus.PLANNED, due_date__lt=day)
    elif view == "planned":
        qs = qs.filter(status=TaskStatus.PLANNED)
    elif view == "done":
        qs = qs.filter(status=TaskStatus.DONE)
    source = params.get("source") or ""
    if source in Source.values:
        qs = qs.filter(source=source)
    outcome = params.get("outcome") or ""
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    assignee = query_id(params.get("assignee"))
    if assignee:
        qs = qs.filter(assignee_id=assignee)
    customer = query_id(params.get("customer"))
    if customer:
        qs = qs.filter(customer_id=customer)
    for name, lookup in (("from", "due_date__gte"), ("to", "due_date__lte")):
        value = _date(params.get(name))
        if value:
            qs = qs.filter(**{lookup: value})
    q = (params.get("q") or "").strip()[:60]
    if q:
        cond = Q(customer__name__icontains=q) | Q(customer__code__iexact=q) | Q(notes__icontains=q)
        pk = visit_number_pk(q)
        if pk is not None:
            cond |= Q(pk=pk)
        qs = qs.filter(cond)
    if view == "done":
        return qs.order_by("-visited_at", "-id")
    return qs.order_by("due_date", "id")


def visit_number_pk(q: str) -> int | None:
    """The task id of a 回访单号 ``HF00001234`` (case and leading zeros free), else None."""
    q = (q or "").strip()
    if not 3 <= len(q) <= 20 or q[:2].upper() != "HF":
        return None
    digits = q[2:]
    if not (digits.isascii() and digits.isdigit()):
        return None
    pk = int(digits)
    return pk if 0 < pk < 2**63 else None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def list_rows(qs: QuerySet[VisitTask]) -> QuerySet[VisitTask]:
    return qs.select_related("customer", "assignee", "installation", "ticket")


# --- 日结周报 -----------------------------------------------------------------------------------
def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_week(value: str | None) -> dt.date:
    """A week from ``YYYY-Www`` (the <input type=week> value) or any date in it; this week else."""
    value = (value or "").strip()
    try:
        if "-W" in value:
            year, week = value.split("-W", 1)
            return dt.date.fromisocalendar(int(year), int(week), 1)
        if value:
            return week_start(dt.date.fromisoformat(value))
    except ValueError:
        pass
    return week_start(today())


@dataclass
class SummaryRow:
    """One department's week (日结周报 row)."""

    department: str
    planned: int
    done: int
    satisfied: int
    problems: int
    no_answer: int

    @property
    def done_rate(self) -> float | None:
        return round(100 * self.done / self.planned, 1) if self.planned else None


def weekly_summary(start: dt.date) -> list[SummaryRow]:
    """日结周报: per department, visits due in the week: planned, done, satisfied, problems,
    no answer. The department is the installation's responsible one, else the request's,
    else the 回访员's — the department the results are sent to (CRM-4)."""
    end = start + dt.timedelta(days=6)
    rows = (
        VisitTask.objects.filter(due_date__range=(start, end))
        .exclude(status=TaskStatus.CANCELLED)
        .annotate(
            dept=Coalesce(
                F("installation__department_id"),
                F("ticket__department_id"),
                F("assignee__department_id"),
            )
        )
        .values("dept")
        .annotate(
            planned=Count("id"),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            satisfied=Count("id", filter=Q(outcome=Outcome.SATISFIED)),
            problems=Count("id", filter=Q(outcome__in=[Outcome.PROBLEM, Outcome.DISSATISFIED])),
            no_answer=Count("id", filter=Q(outcome=Outcome.NO_ANSWER)),
        )
        .order_by("dept")
    )
    rows = list(rows)
    names = dict(
        Department.objects.filter(pk__in=[r["dept"] for r in rows if r["dept"]]).values_list(
            "pk", "name"
        )
    )
    out = [
        SummaryRow(
            department=names.get(r["dept"], "未指定部门"),
            planned=r["planned"],
            done=r["done"],
            satisfied=r["satisfied"],
            problems=r["problems"],
            no_answer=r["no_answer"],
        )
        for r in rows
    ]
    if out:
        out.append(
            SummaryRow(
                "合计",
                sum(r.planned for r in out),
                sum(r.done for r in out),
                sum(r.satisfied for r in out),
                sum(r.problems for r in out),
                sum(r.no_answer for r in out),
            )
        )
    return out


# --- 保修期回访率 -------------------------------------------------------------------------------
@dataclass
class RateRow:
    """One month of the warranty return-visit rate (AS-4 target 100%)."""

    month: dt.date
    customers: int
    visited: int
    target: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.visited / self.customers, 1) if self.customers else None

    @property
    def met(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target


def monthly_rate(year: int, target: int) -> list[RateRow]:
    """保修期客户回访率 per month: customers with an in-warranty visit due that month, and how many
    of them were reached (满意/不满意/发现问题) by a visit due that month (retries included)."""
    start = dt.date(year, 1, 1)
    end = dt.date(year, 12, 31)
    base = VisitTask.objects.filter(in_warranty=True, due_date__range=(start, end)).exclude(
        status=TaskStatus.CANCELLED
    )
    due: dict[int, set[int]] = {}
    reached: dict[int, set[int]] = {}
    for month_due, cust, outcome in base.values_list(
        "due_date__month", "customer_id", "outcome"
    ).iterator(chunk_size=10_000):
        due.setdefault(month_due, set()).add(cust)
        if outcome in REACHED:
            reached.setdefault(month_due, set()).add(cust)
    return [
        RateRow(
            month=dt.date(year, m, 1),
            customers=len(due.get(m, ())),
            visited=len(reached.get(m, set()) & due.get(m, set())),
            target=target,
        )
        for m in range(1, 13)
    ]


# --- 重点客户关怀 -------------------------------------------------------------------------------
def care_tasks_for_user(user: Any) -> QuerySet[CareTask]:
    if not user.has_perm(VIEW_CARE):
        return CareTask.objects.none()
    return CareTask.objects.select_related("plan", "plan__customer", "plan__owner", "done_by")


def care_plans_for_user(user: Any) -> QuerySet[CarePlan]:
    if not user.has_perm(VIEW_CARE):
        return CarePlan.objects.none()
    return CarePlan.objects.select_related("customer", "owner")


def customer_visits(user: Any, customer: Any, limit: int = 10) -> list[VisitTask] | None:
    """The customer page's 回访记录 section (None hides it from people without the right)."""
    if not user.has_perm(VIEW):
        return None
    return list(
        visit_tasks_for_user(user)
        .filter(customer=customer)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("assignee")
        .order_by("-due_date", "-id")[:limit]
    )


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, add_months(first, 1) - dt.timedelta(days=1)


# --- 纠正措施 -----------------------------------------------------------------------------------
ACTION_STATES = ("open", "closed", "overdue", "all")


def corrective_actions_for_user(user: Any) -> QuerySet[CorrectiveAction]:
    """纠正措施 ``user`` may see: everyone's with 查看全部回访任务 (leads, supervisors, managers)."""
    if not (user.has_perm(VIEW) and user.has_perm(VIEW_ALL)):
        return CorrectiveAction.objects.none()
    return CorrectiveAction.objects.all()


def filter_actions(
    qs: QuerySet[CorrectiveAction], params: Any, *, on: dt.date | None = None
) -> QuerySet[CorrectiveAction]:
    """Apply the list filters (state, department, q, from, to — 登记日期) from a URL."""
    day = on or today()
    state = params.get("state") or "open"
    if state == "open":
        qs = qs.filter(status=ActionStatus.OPEN)
    elif state == "closed":
        qs = qs.filter(status=ActionStatus.CLOSED)
    elif state == "overdue":
        qs = qs.filter(status=ActionStatus.OPEN, due_date__lt=day)
    department = query_id(params.get("department"))
    if department:
        qs = qs.filter(department_id=department)
    for name, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        value = _date(params.get(name))
        if value:
            qs = qs.filter(**{lookup: value})
    q = (params.get("q") or "").strip()[:60]
    if q:
        cond = Q(description__icontains=q) | Q(visit__customer__name__icontains=q)
        pk = visit_number_pk(q)
        if pk is not None:
            cond |= Q(visit_id=pk)
        qs = qs.filter(cond)
    if state == "closed":
        return qs.order_by("-closed_at", "-id")
    return qs.order_by(F("due_date").asc(nulls_last=True), "id")


def action_rows(qs: QuerySet[CorrectiveAction]) -> QuerySet[CorrectiveAction]:
    return qs.select_related(
        "visit",
        "visit__customer",
        "visit__ticket",
        "visit__follow_up_ticket",
        "department",
        "created_by",
    )
