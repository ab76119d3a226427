"""回访 API — mounted at /api/v1/visits/: tasks, outcome, reassignment, plans, reports, care."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm

from . import selectors, services
from .choices import CareStatus
from .models import CareTask, VisitTask
from .policy import visits_policy
from .services.common import (
    ADD_CARE,
    CHANGE_CARE,
    MANAGE_PLANS,
    REASSIGN,
    RECORD,
    REPORTS,
    VIEW,
    VIEW_CARE,
)

router = Router(tags=["回访"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class VisitTaskOut(Schema):
    id: int
    receipt_no: str
    customer_id: int
    customer_name: str
    installation_id: int | None
    ticket_id: int | None
    source: str
    due_date: dt.date
    in_warranty: bool
    attempt: int
    parent_id: int | None
    assignee_id: int | None
    assignee_name: str
    status: str
    outcome: str
    notes: str
    follow_up: str
    follow_up_ticket_id: int | None
    visited_at: dt.datetime | None

    @staticmethod
    def resolve_customer_name(obj: VisitTask) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_assignee_name(obj: VisitTask) -> str:
        return obj.assignee.name if obj.assignee else ""


class TaskFilters(Schema):
    view: str = "all"
    q: str = ""
    source: str = ""
    outcome: str = ""
    assignee: str = ""
    customer: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1
    page_size: int = 20


class RecordIn(Schema):
    outcome: str
    notes: str = ""
    follow_up: str = ""
    problem: str = ""
    action_department_id: int | None = None
    action_due: dt.date | None = None


class ReassignIn(Schema):
    assignee_id: int
    reason: str = ""


class QueuedOut(Schema):
    queued: bool
    message: str
    job_id: int
    job_url: str


class WeeklyRowOut(Schema):
    department: str
    planned: int
    done: int
    satisfied: int
    problems: int
    no_answer: int
    done_rate: float | None


class WeeklyOut(Schema):
    week_start: dt.date
    week_end: dt.date
    rows: list[WeeklyRowOut]


class RateRowOut(Schema):
    month: dt.date
    customers: int
    visited: int
    rate: float | None
    met: bool | None


class RateOut(Schema):
    year: int
    target: int
    rows: list[RateRowOut]


class CareTaskOut(Schema):
    id: int
    year: int
    customer_id: int
    customer_name: str
    grade: str
    owner_id: int | None
    gift: str
    due_date: dt.date
    gift_sent_on: dt.date | None
    demand: str
    status: str

    @staticmethod
    def resolve_year(obj: CareTask) -> int:
        return obj.plan.year

    @staticmethod
    def resolve_customer_id(obj: CareTask) -> int:
        return obj.plan.customer_id

    @staticmethod
    def resolve_customer_name(obj: CareTask) -> str:
        return obj.plan.customer.name

    @staticmethod
    def resolve_grade(obj: CareTask) -> str:
        return obj.plan.grade

    @staticmethod
    def resolve_owner_id(obj: CareTask) -> int | None:
        return obj.plan.owner_id


class CareGenerateIn(Schema):
    year: int


class CareGenerateOut(Schema):
    plans: int
    tasks: int


class CareRecordIn(Schema):
    gift_sent_on: dt.date | None = None
    demand: str = ""


def _task(request: HttpRequest, pk: int) -> VisitTask:
    return selectors.visit_task_get_for_user(request.user, pk)


@router.get("/tasks", response={200: Page[VisitTaskOut], 403: ErrorOut})
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> dict:
    """回访任务列表: view = today | overdue | planned | done | all, plus filters."""
    require_perm(request, VIEW)
    params = {
        "view": filters.view if filters.view in selectors.VIEWS else "all",
        "q": filters.q,
        "source": filters.source,
        "outcome": filters.outcome,
        "assignee": filters.assignee,
        "customer": filters.customer,
        "from": filters.date_from,
        "to": filters.date_to,
    }
    qs = selectors.filter_tasks(selectors.visit_tasks_for_user(request.user), params)
    return paginate(selectors.list_rows(qs), filters.page, filters.page_size)


@router.get("/tasks/{int:pk}", response={200: VisitTaskOut, **ERRORS})
def task_detail(request: HttpRequest, pk: int) -> VisitTask:
    require_perm(request, VIEW)
    return _task(request, pk)


@router.post("/tasks/{int:pk}/outcome", response={200: VisitTaskOut, **ERRORS})
def task_record(request: HttpRequest, pk: int, body: RecordIn) -> VisitTask:
    """登记回访单 (outcome code, notes, follow-up for a problem found)."""
    require_perm(request, RECORD)
    task = services.visit_record(
        actor=request.user,
        task=_task(request, pk),
        outcome=body.outcome,
        notes=body.notes,
        follow_up=body.follow_up,
        problem=body.problem,
        action_department=body.action_department_id,
        action_due=body.action_due,
    )
    return _task(request, task.pk)


@router.post("/tasks/{int:pk}/reassign", response={200: VisitTaskOut, **ERRORS})
def task_reassign(request: HttpRequest, pk: int, body: ReassignIn) -> VisitTask:
    """改派回访任务 (supervisors)."""
    require_perm(request, REASSIGN)
    task = services.visit_reassign(
        actor=request.user, task=_task(request, pk), assignee=body.assignee_id, reason=body.reason
    )
    return _task(request, task.pk)


@router.post("/plans/regenerate", response={202: QueuedOut, 403: ErrorOut, 409: ErrorOut})
def plans_regenerate(request: HttpRequest) -> Status:
    """重新生成回访计划 — a background job; poll ``job_url`` (the job page) for its progress.

    409 while another plan job is queued or running.
    """
    require_perm(request, MANAGE_PLANS)
    from kefu.core.jobs import job_url

    job = services.visit_plans_submit(actor=request.user)
    return Status(
        202,
        {
            "queued": True,
            "message": "已提交后台生成回访计划",
            "job_id": job.pk,
            "job_url": job_url(job),
        },
    )


@router.get("/reports/weekly", response={200: WeeklyOut, 403: ErrorOut})
def report_weekly(request: HttpRequest, week: str = "") -> dict:
    """日结周报: ``week`` = YYYY-Www or any date of the week (this week by default)."""
    require_perm(request, REPORTS)
    start = selectors.parse_week(week)
    rows = selectors.weekly_summary(start)
    return {
        "week_start": start,
        "week_end": start + dt.timedelta(days=6),
        "rows": [{**r.__dict__, "done_rate": r.done_rate} for r in rows],
    }


@router.get("/reports/rate", response={200: RateOut, 403: ErrorOut})
def report_rate(request: HttpRequest, year: str = "") -> dict:
    """保修期客户回访率 per month against the policy target."""
    require_perm(request, REPORTS)
    try:
        y = int(year) if year else selectors.today().year
    except ValueError:
        y = selectors.today().year
    if not 2000 <= y <= 2100:
        y = selectors.today().year
    target = visits_policy().target_rate_percent
    rows = selectors.monthly_rate(y, target)
    return {
        "year": y,
        "target": target,
        "rows": [
            {
                "month": r.month,
                "customers": r.customers,
                "visited": r.visited,
                "rate": r.rate,
                "met": r.met,
            }
            for r in rows
        ],
    }


@router.get("/care/tasks", response={200: Page[CareTaskOut], 403: ErrorOut})
def care_tasks(
    request: HttpRequest,
    year: int | None = None,
    status: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict:
    """新年关怀任务 of a year (CRM-2)."""
    require_perm(request, VIEW_CARE)
    qs = selectors.care_tasks_for_user(request.user)
    if year is not None:
        qs = qs.filter(plan__year=year)
    if status in CareStatus.values:
        qs = qs.filter(status=status)
    return paginate(qs.order_by("due_date", "id"), page, page_size)


@router.post("/care/campaign", response={200: CareGenerateOut, **ERRORS})
def care_generate(request: HttpRequest, body: CareGenerateIn) -> dict:
    """Generate the year's care plans and December campaign tasks (idempotent)."""
    require_perm(request, ADD_CARE)
    return services.care_campaign_generate(actor=request.user, year=body.year)


@router.post("/care/tasks/{int:pk}/record", response={200: CareTaskOut, **ERRORS})
def care_record(request: HttpRequest, pk: int, body: CareRecordIn) -> CareTask:
    """登记新年关怀: gift sent and next-year demand."""
    require_perm(request, CHANGE_CARE)
    task = selectors.care_tasks_for_user(request.user).get(pk=pk)
    services.care_task_record(
        actor=request.user, task=task, gift_sent_on=body.gift_sent_on, demand=body.demand
    )
    return selectors.care_tasks_for_user(request.user).get(pk=pk)
