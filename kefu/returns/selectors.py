"""Reads of the returns app — 退换货查询, scoped to what the viewer may see (ORG-5).

A case belongs to the department and team of the person who registered it. Holders of
``returns.view_returncase`` see by their data scope: 全部 (行政人事部, 副总, 总经理) every case;
本部门 (主管, 客服部经理, 售后专员, 订单员) their department's and those below it; 本班组 (组长)
their team's; 本人 (客服代表) the cases they registered or whose service request they hold.
The two desks that take one step of somebody else's case keep what that step needs: the
warehouse (``inspect_returncase``) every case whose goods come back to it (退货/换货/破损/转件)
and those it received or inspected; the order clerk (``confirm_parcel_back``) every 拦截退回.
The 转账登记 (bank details) follows the data scope only, without those step rights.
People without the view permission see none. Pages, API, search, Excel all read from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from kefu.org.choices import Scope
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of

from . import rules
from .choices import FINAL_STAGES, CaseType, Stage, TransferStatus
from .models import ReturnCase, TransferEntry
from .policy import ReturnsPolicy
from .roles import INSPECT, PARCEL, VIEW

AGE_LEVELS = ("ok", "warn", "late")
# The case types whose goods the warehouse receives and inspects (``workflow``: 收货/验收).
WAREHOUSE_TYPES = (CaseType.RETURN, CaseType.EXCHANGE, CaseType.DAMAGED, CaseType.FORWARD)


def can_view(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW))


def returncase_scope_filter(user: Any, *, steps: bool = True, prefix: str = "") -> Q | None:
    """A Q over ReturnCase (``prefix`` for a relation to it) keeping what ``user`` may see;
    None = nothing. ``steps=False`` leaves out the warehouse's and order clerk's step rights."""
    if not can_view(user):
        return None
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Q()

    def q(**kw: Any) -> Q:
        return Q(**{f"{prefix}{k}": v for k, v in kw.items()})

    seen = q(created_by_id=user.pk)
    me = employee_of(user)
    if me is not None:
        seen |= q(ticket__owner_id=me.pk)
        if scope == Scope.DEPARTMENT:
            seen |= q(department_id__in=sorted(department_descendant_ids(me.department_id)))
        elif scope == Scope.TEAM and me.team_id:
            seen |= q(team_id=me.team_id)
    if steps and user.has_perm(INSPECT):
        seen |= q(case_type__in=WAREHOUSE_TYPES) | q(received_by_id=user.pk)
        seen |= q(inspected_by_id=user.pk)
    if steps and user.has_perm(PARCEL):
        seen |= q(case_type=CaseType.INTERCEPT) | q(parcel_back_by_id=user.pk)
    return seen


def _age_q(level: str, policy: ReturnsPolicy, today: dt.date) -> Q:
    """Open cases whose age is ``level`` (ok/warn/late) by the policy's thresholds."""
    ages = policy.ages
    query = Q()
    for stage in Stage.values:
        if stage in FINAL_STAGES:
            continue
        late = ages.by_stage.get(stage, ages.late_days)
        warn = min(ages.warn_days, late)
        late_cut = today - dt.timedelta(days=late)
        warn_cut = today - dt.timedelta(days=warn)
        if level == "late":
            cond = Q(created_on__lte=late_cut)
        elif level == "warn":
            cond = Q(created_on__lte=warn_cut, created_on__gt=late_cut)
        else:
            cond = Q(created_on__gt=warn_cut)
        query |= Q(stage=stage) & cond
    return query


def returncases_for_user(
    user: Any,
    *,
    q: str = "",
    case_type: str = "",
    stage: str = "",
    age: str = "",
    open_only: bool = False,
    policy: ReturnsPolicy | None = None,
    today: dt.date | None = None,
) -> QuerySet[ReturnCase]:
    """Cases the viewer may see, filtered (keyword: number, order, any tracking number, customer)."""
    scope = returncase_scope_filter(user)
    if scope is None:
        return ReturnCase.objects.none()
    qs = ReturnCase.objects.filter(scope).select_related("customer", "ticket")
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(order_no=q)
            | Q(return_tracking_no=q)
            | Q(reship_tracking_no=q)
            | Q(original_tracking_no=q)
            | Q(forward_tracking_no=q)
            | Q(customer__name__icontains=q)
        )
    if case_type in CaseType.values:
        qs = qs.filter(case_type=case_type)
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    if open_only or age in AGE_LEVELS:
        qs = qs.exclude(stage__in=FINAL_STAGES)
    if age in AGE_LEVELS and policy is not None and today is not None:
        qs = qs.filter(_age_q(age, policy, today))
    return qs.order_by("-id")


def returncase_get_for_user(user: Any, pk: int) -> ReturnCase:
    """One case the viewer may see (``ReturnCase.DoesNotExist`` otherwise)."""
    return (
        returncases_for_user(user)
        .select_related("created_by", "inspected_by", "early_reship_approved_by", "parcel_back_by")
        .get(pk=pk)
    )


def with_age(cases: list[ReturnCase], policy: ReturnsPolicy, today: dt.date) -> list[ReturnCase]:
    """Annotate ``days_open`` and ``age_level`` (AS-9 open-cases list)."""
    for case in cases:
        end = case.closed_at.date() if case.closed_at else today
        case.days_open = rules.days_open(case.created_on, end)  # type: ignore[attr-defined]
        case.age_level = (  # type: ignore[attr-defined]
            rules.age_level(
                days=case.days_open,  # type: ignore[attr-defined]
                stage=case.stage,
                warn_days=policy.ages.warn_days,
                late_days=policy.ages.late_days,
                by_stage=policy.ages.by_stage,
            )
            if case.is_open
            else "closed"
        )
    return cases


def open_board(user: Any, policy: ReturnsPolicy, today: dt.date) -> list[dict[str, Any]]:
    """未结退换货 by stage: count and age buckets per open stage (one grouped query each)."""
    rows = []
    base = returncases_for_user(user).exclude(stage__in=FINAL_STAGES)
    counts = {
        level: dict(_grouped(base.filter(_age_q(level, policy, today)))) for level in AGE_LEVELS
    }
    for stage in Stage:
        if stage.value in FINAL_STAGES:
            continue
        row = {level: counts[level].get(stage.value, 0) for level in AGE_LEVELS}
        row.update(stage=stage.value, label=stage.label, total=sum(row.values()))
        rows.append(row)
    return rows


def _grouped(qs: QuerySet[ReturnCase]) -> list[tuple[str, int]]:
    from django.db.models import Count

    return list(qs.order_by().values_list("stage").annotate(n=Count("id")))


def transfers_for_user(user: Any, *, status: str = "") -> QuerySet[TransferEntry]:
    """转账登记 entries of the cases in the viewer's data scope (pending first)."""
    scope = returncase_scope_filter(user, steps=False, prefix="case__")
    if scope is None:
        return TransferEntry.objects.none()
    qs = TransferEntry.objects.filter(scope).select_related("case", "case__customer")
    if status in TransferStatus.values:
        qs = qs.filter(status=status)
    pending_first = Case(
        When(status=TransferStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.order_by(pending_first, "created_at", "id")


def cases_for_customer(user: Any, customer_id: int, limit: int = 20) -> list[ReturnCase]:
    return list(returncases_for_user(user).filter(customer_id=customer_id)[:limit])


def cases_for_ticket(user: Any, ticket_id: int) -> list[tuple[int, str]]:
    """(id, 退换货单号) of the viewer's cases opened from a ticket — for the ticket page's links
    (two columns: the page is a hot path, docs/performance.md)."""
    qs = returncases_for_user(user).filter(ticket_id=ticket_id).order_by("pk")
    return list(qs.values_list("pk", "number")[:10])
