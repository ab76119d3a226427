"""满意度统计 page and its Excel export (CRM-3, RPT-4).

The figures come from ``selectors.survey_stats`` (grouped in the database); the charts are inline
SVG with the policy's target line. The export is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kefu.core import audit
from kefu.core.xlsx_web import xlsx_download

from . import selectors
from .chart import distribution_chart, month_rate_chart
from .choices import Channel
from .excel import export_stats
from .forms import stats_filters
from .policy import surveys_policy
from .rules import Stats


def breakdowns(stats: Stats, names: dict[str, dict[Any, str]]) -> dict[str, list[dict[str, Any]]]:
    """Display rows of the four breakdowns (名称, 份数, 满意, 满意率)."""

    def rows(dim: str, groups: list[Any]) -> list[dict[str, Any]]:
        out = []
        for g in groups:
            if dim == "month":
                name = g.key.strftime("%Y-%m") if g.key else "未指定"
            else:
                name = names[dim].get(g.key, "未指定") if g.key is not None else "未指定"
            out.append({"name": name, "count": g.count, "satisfied": g.satisfied, "rate": g.rate})
        return out

    return {
        "agent": rows("agent", stats.by_agent),
        "department": rows("department", stats.by_department),
        "product": rows("product", stats.by_product),
        "month": rows("month", stats.by_month),
    }


@login_required
@permission_required("surveys.view_statistics", raise_exception=True)
def stats(request: HttpRequest) -> HttpResponse:
    """满意度统计: rate vs the 98% target, distribution, by agent / department / product / month."""
    filters = stats_filters(request.GET)
    result = selectors.survey_stats(request.user, **filters)
    names = selectors.names_for(result)
    policy = surveys_policy()
    rows = breakdowns(result, names)
    months = [{"label": r["name"], "rate": r["rate"], "count": r["count"]} for r in rows["month"]]
    context = {
        "stats": result,
        "rows": rows,
        "target": policy.target_rate_percent,
        "min_rating": policy.satisfied_min_rating,
        "below_target": result.rate is not None and result.rate < policy.target_rate_percent,
        "month_chart": month_rate_chart(months, policy.target_rate_percent),
        "distribution_chart": distribution_chart(result.distribution),
        "filters": request.GET,
        "channels": Channel.choices,
        "questionnaires": list(selectors.questionnaires_for_user_or_all(request.user)),
        "query": request.GET.urlencode(),
    }
    return render(request, "surveys/stats.html", context)


@login_required
@permission_required("surveys.view_statistics", raise_exception=True)
def stats_export(request: HttpRequest) -> HttpResponse:
    """导出满意度统计 (Excel: 汇总, 评分分布, 按坐席, 按部门, 按产品, 按月), audited."""
    filters = stats_filters(request.GET)
    result = selectors.survey_stats(request.user, **filters)
    names = selectors.names_for(result)
    policy = surveys_policy()
    exported = export_stats(result, breakdowns(result, names), policy.target_rate_percent, filters)
    audit.record(
        actor=request.user,
        action="survey.stats_export",
        object_type="surveys.statistics",
        object_id=timezone.localdate().isoformat(),
        after={k: str(v) if v else "" for k, v in filters.items()} | {"count": result.count},
    )
    return xlsx_download(exported.content, exported.filename)
