"""Survey reads — 满意度调查查询, scoped to what the viewer may see.

Invitations and responses follow the viewer's data scope (ORG-5): 全部; 本部门 (the department
and those below it); 本班组 / 本人 (the invitations of the viewer's team's agents or their own, and
those they sent). The statistics (``survey_stats``) read the month summaries (满意度月汇总) for
whole months and group the answers only for the partial months at the ends of the range
(``aggregate``: on PostgreSQL one scan with GROUPING SETS, elsewhere one GROUP BY per dimension).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Cast

from kefu.org.choices import Scope
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of

from .choices import VersionStatus
from .models import (
    NONE_ID,
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    SurveyMonthByAgent,
    SurveyMonthByProduct,
    SurveyResponse,
)
from .rules import (
    DIMENSIONS,
    Stats,
    assemble_stats,
    build_stats,
    merge_stats,
    month_end,
    split_range,
)


# --- questionnaires -------------------------------------------------------------------------------
def questionnaires_for_user(user: Any) -> QuerySet[Questionnaire]:
    if not user.has_perm("surveys.view_questionnaire"):
        return Questionnaire.objects.none()
    return Questionnaire.objects.all().order_by("-is_default", "-id")


def published_versions() -> QuerySet[QuestionnaireVersion]:
    return QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "questionnaire"
    )


# --- scope ----------------------------------------------------------------------------------------
def _scope_q(user: Any, *, agent: str, department: str, creator: str | None) -> Q | None:
    """The Q restricting rows to the viewer's scope (None = nothing; Q() = everything)."""
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Q()
    me = employee_of(user)
    if scope is None or me is None:
        return None
    own = Q(**{agent: me.pk})
    if creator:
        own |= Q(**{creator: user.pk})
    if scope == Scope.DEPARTMENT:
        return Q(**{f"{department}__in": department_descendant_ids(me.department_id)}) | own
    if scope == Scope.TEAM and me.team_id:
        return Q(**{f"{agent}__team_id": me.team_id}) | own
    return own


def invitations_for_user(user: Any, **filters: Any) -> QuerySet[Invitation]:
    """调查邀请 the user may see (needs ``view_invitation``), newest first, filtered."""
    if not user.has_perm("surveys.view_invitation"):
        return Invitation.objects.none()
    cond = _scope_q(user, agent="agent_id", department="department_id", creator="created_by_id")
    if cond is None:
        return Invitation.objects.none()
    qs = Invitation.objects.filter(cond).select_related(
        "customer", "version", "version__questionnaire", "agent", "department", "ticket"
    )
    now = filters.get("now")
    status = filters.get("status") or ""
    if status == "pending":
        qs = qs.filter(answered_at__isnull=True, token_hash__isnull=True)
    elif status == "sent":
        qs = qs.filter(answered_at__isnull=True, token_hash__isnull=False, expires_at__gt=now)
    elif status == "answered":
        qs = qs.filter(answered_at__isnull=False)
    elif status == "expired":
        qs = qs.filter(answered_at__isnull=True, token_hash__isnull=False, expires_at__lte=now)
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("customer_id"):
        qs = qs.filter(customer_id=filters["customer_id"])
    if filters.get("campaign_id"):
        qs = qs.filter(campaign_id=filters["campaign_id"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(customer__name__icontains=q)
            | Q(customer__code=q.upper())
            | Q(ticket__number=q.upper())
        )
    return qs.order_by("-id")


def invitation_get_for_user(user: Any, pk: int) -> Invitation:
    return invitations_for_user(user).get(pk=pk)


def responses_for_customer(user: Any, customer_id: int, limit: int = 20) -> list[SurveyResponse]:
    """A customer's answered surveys for the customer page (scoped like invitations)."""
    if not user.has_perm("surveys.view_invitation"):
        return []
    cond = _scope_q(
        user, agent="agent_id", department="department_id", creator="invitation__created_by_id"
    )
    if cond is None:
        return []
    return list(
        SurveyResponse.objects.filter(cond, customer_id=customer_id)
        .select_related("questionnaire", "agent")
        .prefetch_related("answers__question")
        .order_by("-submitted_at")[:limit]
    )


# --- statistics -----------------------------------------------------------------------------------
def stats_scope(user: Any) -> QuerySet[SurveyResponse]:
    """Responses whose statistics the user may see (``view_statistics``; 本部门 for supervisors)."""
    if not user.has_perm("surveys.view_statistics"):
        return SurveyResponse.objects.none()
    cond = _scope_q(user, agent="agent_id", department="department_id", creator=None)
    if cond is None:
        return SurveyResponse.objects.none()
    return SurveyResponse.objects.filter(cond)


def filtered_responses(
    qs: QuerySet[SurveyResponse],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str = "",
    questionnaire_id: int | None = None,
) -> QuerySet[SurveyResponse]:
    if date_from:
        qs = qs.filter(submitted_on__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_on__lte=date_to)
    if channel:
        qs = qs.filter(channel=channel)
    if questionnaire_id:
        qs = qs.filter(questionnaire_id=questionnaire_id)
    return qs


_COLUMNS = {
    "agent": "agent_id",
    "department": "department_id",
    "product": "product_id",
    "month": "month",
}


def aggregate(qs: QuerySet[SurveyResponse], *, grouping_sets: bool | None = None) -> Stats:
    """满意率, distribution and the four breakdowns of ``qs`` — computed in the database.

    PostgreSQL: one scan, ``GROUP BY GROUPING SETS`` (rating, agent, department, product, month).
    Other databases: five GROUP BY queries. Both read only the response table's columns.
    """
    if grouping_sets is None:
        grouping_sets = connection.vendor == "postgresql"
    if grouping_sets:
        return _aggregate_grouping_sets(qs)
    sat = Sum(Cast("satisfied", IntegerField()))
    dist = {
        r: (c, s)
        for r, c, s in qs.order_by()
        .values("overall_rating")
        .annotate(c=Count("id"), s=sat)
        .values_list("overall_rating", "c", "s")
    }
    groups = {
        dim: list(
            qs.order_by()
            .values(_COLUMNS[dim])
            .annotate(c=Count("id"), s=sat)
            .values_list(_COLUMNS[dim], "c", "s")
        )
        for dim in DIMENSIONS
    }
    return assemble_stats(distribution=dist, groups=groups)


def _aggregate_grouping_sets(qs: QuerySet[SurveyResponse]) -> Stats:
    inner, params = (
        qs.order_by()
        .values("overall_rating", "satisfied", "agent_id", "department_id", "product_id", "month")
        .query.sql_with_params()
    )
    sql = f"""
        SELECT overall_rating, agent_id, department_id, product_id, month,
               GROUPING(overall_rating, agent_id, department_id, product_id, month) AS g,
               COUNT(*), COUNT(*) FILTER (WHERE satisfied)
        FROM ({inner}) r
        GROUP BY GROUPING SETS ((overall_rating), (agent_id), (department_id), (product_id), (month))
    """
    dist: dict[int, tuple[int, int]] = {}
    groups: dict[str, list[tuple[Any, int, int]]] = {d: [] for d in DIMENSIONS}
    # GROUPING(...) bit set = column NOT in this set; bits from the right: month=1, product=2,
    # department=4, agent=8, rating=16.
    which = {
        0b01111: "rating",
        0b10111: "agent",
        0b11011: "department",
        0b11101: "product",
        0b11110: "month",
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for rating, agent_id, dept_id, product_id, month, g, c, s in cursor.fetchall():
            dim = which[g]
            if dim == "rating":
                dist[rating] = (c, s)
            else:
                key = {
                    "agent": agent_id,
                    "department": dept_id,
                    "product": product_id,
                    "month": month,
                }[dim]
                groups[dim].append((key, c, s))
    return assemble_stats(distribution=dist, groups=groups)


def survey_stats(
    user: Any,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str = "",
    questionnaire_id: int | None = None,
) -> Stats:
    """满意度统计 for the viewer (their scope), with the page's filters.

    全部 and 本部门 read the month summaries for the whole months of the range and the answers
    only for the days at its ends (``rules.split_range``); the narrower scopes (本班组 / 本人,
    which no default role reading statistics has) group their own answers directly. Both give
    exactly the figures ``aggregate`` computes from the answers (tested, also with hypothesis).
    """
    filters = {"channel": channel, "questionnaire_id": questionnaire_id}
    raw = stats_scope(user)
    scope = scope_of(user) if user.has_perm("surveys.view_statistics") else None
    me = employee_of(user) if scope == Scope.DEPARTMENT else None
    if scope == Scope.ALL:
        dept_ids, me_id = None, None
    elif scope == Scope.DEPARTMENT and me is not None:
        dept_ids, me_id = list(department_descendant_ids(me.department_id)), me.pk
    else:
        return aggregate(filtered_responses(raw, date_from=date_from, date_to=date_to, **filters))
    split = split_range(date_from, date_to)
    parts = [
        aggregate(filtered_responses(raw, date_from=lo, date_to=hi, **filters))
        for lo, hi in split.edges
    ]
    if split.months:
        parts.append(
            _summary_stats(
                first=split.first,
                last=split.last,
                dept_ids=dept_ids,
                me_id=me_id,
                **filters,
            )
        )
    return merge_stats(parts)


def _none(key: Any) -> Any:
    return None if key == NONE_ID else key


def _summary_stats(
    *,
    first: dt.date | None,
    last: dt.date | None,
    channel: str,
    questionnaire_id: int | None,
    dept_ids: list[int] | None,
    me_id: int | None,
) -> Stats:
    """The statistics of the whole months [first, last] from the month summaries.

    本部门 (``dept_ids``): the department's rows, plus the viewer's own answers credited to
    another department (or none). The product summary has no agent column, so those few own
    answers are grouped by product from the answers themselves (an index on agent + day).
    """
    cond = Q()
    if first is not None:
        cond &= Q(month__gte=first)
    if last is not None:
        cond &= Q(month__lte=last)
    if channel:
        cond &= Q(channel=channel)
    if questionnaire_id:
        cond &= Q(questionnaire_id=questionnaire_id)
    by_agent = SurveyMonthByAgent.objects.filter(cond).order_by()
    by_product = SurveyMonthByProduct.objects.filter(cond).order_by()
    extra_products: list[tuple[Any, int, int]] = []
    if dept_ids is not None:
        by_agent = by_agent.filter(Q(department_id__in=dept_ids) | Q(agent_id=me_id))
        by_product = by_product.filter(department_id__in=dept_ids)
        own = filtered_responses(
            SurveyResponse.objects.filter(agent_id=me_id).exclude(department_id__in=dept_ids),
            date_from=first,
            date_to=month_end(last) if last is not None else None,
            channel=channel,
            questionnaire_id=questionnaire_id,
        )
        extra_products = list(
            own.order_by()
            .values("product_id")
            .annotate(c=Count("id"), s=Sum(Cast("satisfied", IntegerField())))
            .values_list("product_id", "c", "s")
        )
    totals = by_agent.aggregate(
        n=Sum("answers"), s=Sum("satisfied"), **{f"r{r}": Sum(f"r{r}") for r in range(1, 6)}
    )

    def grouped(qs: QuerySet[Any], column: str) -> list[tuple[Any, int, int]]:
        rows = qs.values(column).annotate(c=Sum("answers"), s=Sum("satisfied"))
        return [(_none(k), c, s) for k, c, s in rows.values_list(column, "c", "s")]

    return build_stats(
        count=totals["n"] or 0,
        satisfied=totals["s"] or 0,
        distribution={r: totals[f"r{r}"] or 0 for r in range(1, 6)},
        groups={
            "agent": grouped(by_agent, "agent_id"),
            "department": grouped(by_agent, "department_id"),
            "month": grouped(by_agent, "month"),
            "product": grouped(by_product, "product_id") + extra_products,
        },
    )


def names_for(stats: Stats) -> dict[str, dict[Any, str]]:
    """Display names of the ids in a Stats' breakdowns (three small queries)."""
    from kefu.aftersales.models import Product
    from kefu.org.models import Department, Employee

    def ids(groups: list[Any]) -> list[int]:
        return [g.key for g in groups if g.key is not None]

    return {
        "agent": dict(
            Employee.objects.filter(pk__in=ids(stats.by_agent)).values_list("pk", "name")
        ),
        "department": dict(
            Department.objects.filter(pk__in=ids(stats.by_department)).values_list("pk", "name")
        ),
        "product": dict(
            Product.objects.filter(pk__in=ids(stats.by_product)).values_list("pk", "name")
        ),
    }


def questionnaires_for_user_or_all(user: Any) -> QuerySet[Questionnaire]:
    """Questionnaires for the statistics filter (statistics readers need not build them)."""
    if not user.has_perm("surveys.view_statistics"):
        return Questionnaire.objects.none()
    return Questionnaire.objects.order_by("-is_default", "-id")
