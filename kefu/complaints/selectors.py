"""Complaint reads — 投诉查询 (CMP, RPT-1, ORG-5): always scoped to what the reader may see.

Who sees which complaints:

* 行政人事部, 副总经理, 总经理 (data scope 全部): every complaint;
* 客服主管 / 客服部经理 (本部门): the complaints whose ticket lives in their department tree;
* 组长 (本班组): their team's; 客服代表 (本人): those whose ticket they hold or are 首问负责人 of;
* anybody employed in the investigating department (or below it), whatever their role: the
  complaints their department investigates — the department writes the report and its head
  approves it (CMP-5), so they must be able to open it.

Roles without ``complaints.view_complaint`` see only the last kind. The pages, the API and the
exports all read through these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.org.choices import Scope
from kefu.org.models import Department
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of

from .choices import OPEN_STATUSES
from .models import Complaint, ComplaintStep, ResponsibilityFinding, ResponsibilityShare
from .stats import ComplaintRecord, Responsible, compute_stats

VIEW_PERMISSION = "complaints.view_complaint"
STATS_PERMISSION = "complaints.view_statistics"
FINDINGS_PERMISSION = "complaints.view_findings"
LIST_RELATED = (
    "ticket",
    "ticket__customer",
    "ticket__owner",
    "investigating_department",
)


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def department_ancestor_ids(department_id: int) -> set[int]:
    """``department_id`` and every department above it."""
    parents = dict(Department.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    current: int | None = department_id
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def complaint_scope_filter(user: Any) -> Q | None:
    """A Q over Complaint keeping what ``user`` may see; None = nothing at all."""
    if not _signed_in(user):
        return None
    me = employee_of(user)
    conditions: list[Q] = []
    if user.has_perm(VIEW_PERMISSION):
        scope = scope_of(user)
        if scope == Scope.ALL:
            return Q()
        if me is not None:
            mine = Q(ticket__owner_id=me.pk) | Q(ticket__first_responsible_id=me.pk)
            if scope == Scope.DEPARTMENT:
                mine |= Q(ticket__department_id__in=department_descendant_ids(me.department_id))
            elif scope == Scope.TEAM and me.team_id:
                mine |= Q(ticket__team_id=me.team_id)
            conditions.append(mine)
    if me is not None and me.is_active:
        conditions.append(
            Q(investigating_department_id__in=department_ancestor_ids(me.department_id))
        )
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def complaints_for_user(
    user: Any,
    *,
    q: str = "",
    status: str = "",
    ground: str = "",
    route: str = "",
    accepted: bool | None = None,
    open_only: bool = False,
    investigating_department_id: int | None = None,
    received_from: dt.datetime | None = None,
    received_to: dt.datetime | None = None,
) -> QuerySet[Complaint]:
    """Complaints ``user`` may see, filtered, newest first, ticket/customer/department joined.

    ``q`` matches the 受理编号 or ticket number (exact, any case), the complainant or customer
    name (contains).
    """
    scope = complaint_scope_filter(user)
    if scope is None:
        return Complaint.objects.none()
    qs = Complaint.objects.filter(scope).select_related(*LIST_RELATED)
    text = (q or "").strip()
    if text:
        qs = qs.filter(
            Q(number=text.upper())
            | Q(ticket__number=text.upper())
            | Q(complainant_name__icontains=text)
            | Q(ticket__customer__name__icontains=text)
        )
    if status:
        qs = qs.filter(status=status)
    if ground:
        qs = qs.filter(ground=ground)
    if route:
        qs = qs.filter(route=route)
    if accepted is not None:
        qs = qs.filter(accepted=accepted)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if investigating_department_id:
        qs = qs.filter(investigating_department_id=investigating_department_id)
    if received_from:
        qs = qs.filter(ticket__received_at__gte=received_from)
    if received_to:
        qs = qs.filter(ticket__received_at__lt=received_to)
    return qs.order_by("-ticket__received_at", "-id")


def complaint_get_for_user(user: Any, pk: int) -> Complaint:
    """One complaint with what its page shows (report, shares, steps, findings), or
    ``Complaint.DoesNotExist`` when missing or outside the reader's scope."""
    return (
        complaints_for_user(user)
        .select_related("report", "decided_by", "replied_by", "created_by")
        .prefetch_related(
            Prefetch(
                "report__shares",
                queryset=ResponsibilityShare.objects.select_related(
                    "department", "team", "employee"
                ),
            ),
            Prefetch("steps", queryset=ComplaintStep.objects.order_by("id")),
            Prefetch(
                "findings",
                queryset=ResponsibilityFinding.objects.select_related(
                    "department", "team", "employee"
                ).order_by("id"),
            ),
        )
        .get(pk=pk)
    )


def overdue_complaints_for_user(
    user: Any, *, now: dt.datetime | None = None
) -> QuerySet[Complaint]:
    """Open complaints past their 7-day deadline (CMP-6) — the ticket's ``resolution_due``.

    A ticket whose clock is paused (待客户) is not overdue while it waits: its deadline moves by
    the pause when the clock resumes.
    """
    return (
        complaints_for_user(user, open_only=True)
        .filter(ticket__resolution_due__lt=now or timezone.now(), ticket__paused_since__isnull=True)
        .order_by("ticket__resolution_due", "id")
    )


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``month`` and of the next one, in Asia/Shanghai."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=SHANGHAI)
    end = dt.datetime.combine(following, dt.time(), tzinfo=SHANGHAI)
    return start, end


def _finding_scope(user: Any) -> Q | None:
    if not _signed_in(user):
        return None
    me = employee_of(user)
    if user.has_perm(FINDINGS_PERMISSION):
        scope = scope_of(user)
        if scope == Scope.ALL:
            return Q()
        if me is not None and scope in (Scope.DEPARTMENT, Scope.TEAM):
            tree = department_descendant_ids(me.department_id)
            return (
                Q(department_id__in=tree)
                | Q(employee__department_id__in=tree)
                | Q(employee_id=me.pk)
            )
    # Everyone may see the findings against themselves.
    return Q(employee_id=me.pk) if me is not None else None


def responsibility_findings_for_user(
    user: Any,
    *,
    month: dt.date | None = None,
    department_id: int | None = None,
    employee_id: int | None = None,
    service_only: bool = False,
) -> QuerySet[ResponsibilityFinding]:
    """投诉责任认定 ``user`` may see: 行政人事部/领导 all; 主管/经理 their department tree's;
    everyone their own. ``month`` is the closing month (any day of it)."""
    scope = _finding_scope(user)
    if scope is None:
        return ResponsibilityFinding.objects.none()
    qs = ResponsibilityFinding.objects.filter(scope).select_related(
        "complaint", "complaint__ticket", "department", "team", "employee"
    )
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    if department_id:
        qs = qs.filter(department_id=department_id)
    if employee_id:
        qs = qs.filter(employee_id=employee_id)
    if service_only:
        qs = qs.filter(is_service_attitude=True)
    return qs.order_by("-month", "complaint_id", "id")


def responsibility_findings_for_month(month: dt.date) -> QuerySet[ResponsibilityFinding]:
    """Every finding of a closing month — for the month-end jobs (performance, 奖罚通知单).

    Not scoped: it is called by system jobs, never with a reader's request. Pages use
    ``responsibility_findings_for_user``.
    """
    return (
        ResponsibilityFinding.objects.filter(month=month.replace(day=1))
        .select_related("complaint", "complaint__ticket", "department", "team", "employee")
        .order_by("department_id", "employee_id", "id")
    )


def can_view_stats(user: Any) -> bool:
    return _signed_in(user) and user.has_perm(STATS_PERMISSION)


def complaint_stats(user: Any, month: dt.date) -> dict[str, Any]:
    """投诉统计表 (CMP-7, RPT-1) of the complaints received in ``month`` that ``user`` may see.

    Returns ``stats.compute_stats``' figures plus ``month``. Readers without the statistics
    right get the figures of nothing (zeros), never an error that tells what exists. A fixed
    number of queries whatever the month's size.
    """
    from kefu.core.policy import sla_policy

    first = month.replace(day=1)
    close_days = sla_policy(first).complaint_close_days
    records: list[ComplaintRecord] = []
    if can_view_stats(user):
        start, end = month_bounds(first)
        complaints = (
            complaints_for_user(user, received_from=start, received_to=end)
            .select_related(None)
            .select_related("ticket")
            .prefetch_related(
                Prefetch(
                    "findings",
                    queryset=ResponsibilityFinding.objects.select_related("department", "employee"),
                )
            )
        )
        for c in complaints:
            records.append(
                ComplaintRecord(
                    complaint_id=c.pk,
                    label=c.number or c.ticket.number,
                    ground=c.ground,
                    accepted=c.accepted,
                    received_at=c.ticket.received_at,
                    closed_at=c.closed_at,
                    due_at=c.ticket.resolution_due,
                    responsible=tuple(
                        Responsible(
                            department=f.department.name,
                            person=f.employee.name if f.employee_id else "",
                            loss_share=f.loss_share,
                            fine=f.fine_amount,
                        )
                        for f in c.findings.all()
                    ),
                )
            )
    return {"month": first, **compute_stats(records, close_days=close_days)}


def step_history(complaint: Complaint) -> list[ComplaintStep]:
    """The complaint's steps in order (for the timeline and the printed 记录卡)."""
    return list(complaint.steps.order_by("id"))


__all__ = [
    "FINDINGS_PERMISSION",
    "STATS_PERMISSION",
    "VIEW_PERMISSION",
    "can_view_stats",
    "complaint_get_for_user",
    "complaint_scope_filter",
    "complaint_stats",
    "complaints_for_user",
    "month_bounds",
    "overdue_complaints_for_user",
    "responsibility_findings_for_month",
    "responsibility_findings_for_user",
    "step_history",
]
