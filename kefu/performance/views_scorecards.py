"""考核计分卡 pages (PERF-4): the month's cards of the people in scope, one card with every point
behind it (print-friendly), and the Excel export of the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kefu.core.params import query_id
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download
from kefu.org.models import Employee
from kefu.org.selectors import departments_for_user, teams_for_user

from . import selectors_scorecards as sel
from .choices import Scheme
from .periods import next_month, previous_month
from .selectors_carddetail import card_detail, list_standings

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 20_000
SCHEMES = dict(Scheme.choices)


def _params(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    month = sel.month_or_current(g.get("month"))
    return {
        "month": month,
        "month_text": f"{month:%Y-%m}",
        "team": query_id(g.get("team")),
        "department": query_id(g.get("department")),
        "q": (g.get("q") or "").strip()[:40],
    }


def _people(request: HttpRequest, params: dict[str, Any]) -> Any:
    return sel.scorecard_people_for_user(
        request.user,
        month=params["month"],
        team_id=params["team"],
        department_id=params["department"],
        q=params["q"],
    ).order_by("employee_no")


def _rows(month: dt.date, employees: list[Employee], cache: sel.Memo) -> list[dict[str, Any]]:
    cards = sel.cards_for(month, [sel.Person.of(e) for e in employees], cache=cache)
    return [
        {
            "employee": e,
            "pc": cards.get(e.pk),
            "scheme": SCHEMES.get(cards[e.pk].card.scheme, "") if e.pk in cards else "",
        }
        for e in employees
    ]


@login_required
@permission_required(sel.VIEW_OWN, raise_exception=True)
def scorecard_list(request: HttpRequest) -> HttpResponse:
    """考核计分卡: the month's cards of everyone the viewer may see."""
    params = _params(request)
    month = params["month"]
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    people = _people(request, params)
    page = Paginator(people, size).get_page(request.GET.get("page"))
    cache = sel.Memo()
    rows = _rows(month, list(page.object_list), cache)
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "filters": params,
        "closed": month in cache.closed_months([month]),
        "standings": list_standings(month, people, cache)
        if request.user.has_perm(sel.VIEW_TEAM)
        else [],
        "filtered": bool(params["team"] or params["department"] or params["q"]),
    }
    if request.htmx and request.htmx.target == "scorecard-table":  # type: ignore[attr-defined]
        return render(request, "performance/_scorecard_table.html", context)
    team_scope = request.user.has_perm(sel.VIEW_TEAM)
    context.update(
        teams=teams_for_user(request.user) if team_scope else [],
        departments=departments_for_user(request.user) if team_scope else [],
        prev_month=f"{previous_month(month):%Y-%m}",
        next_month=f"{next_month(month):%Y-%m}",
    )
    return render(request, "performance/scorecard_list.html", context)


@login_required
@permission_required(sel.VIEW_OWN, raise_exception=True)
def scorecard_export(request: HttpRequest) -> HttpResponse:
    """导出 the month's cards (the list's filters) as Excel."""
    params = _params(request)
    month = params["month"]
    employees = list(_people(request, params).select_related("team")[:EXPORT_LIMIT])
    rows = _rows(month, employees, sel.Memo())
    columns = (
        Column("employee_no", "工号", width=10),
        Column("name", "姓名", width=10),
        Column("department", "部门", width=14),
        Column("team", "班组", width=12),
        Column("scheme", "考核方案", width=10),
        Column("score", "考核分", width=9, kind="number"),
        Column("band_deduction", "分段扣款", width=11, kind="number"),
        Column("full_attendance_bonus", "全勤奖", width=9, kind="number"),
        Column("performance_bonus", "工作表现奖", width=11, kind="number"),
        Column("high_score_bonus", "高分奖", width=9, kind="number"),
        Column("supervisor_adjust", "主管奖惩", width=10, kind="number"),
        Column("total", "合计", width=10, kind="number"),
        Column("flags", "提示", width=18),
    )
    money_keys = (
        "band_deduction",
        "full_attendance_bonus",
        "performance_bonus",
        "high_score_bonus",
        "supervisor_adjust",
        "total",
    )

    def cells():  # type: ignore[no-untyped-def]
        for row in rows:
            e, pc = row["employee"], row["pc"]
            card = pc.card if pc else None
            yield [
                e.employee_no,
                e.name,
                e.department.name,
                e.team.name if e.team_id else "",
                row["scheme"],
                float(card.score) if card else None,
                float(card.band_deduction) if card else None,
                float(card.full_attendance_bonus) if card else None,
                float(card.performance_bonus) if card else None,
                float(card.high_score_bonus) if card else None,
                float(card.supervisor_adjust) if card else None,
                float(card.total) if card else None,
                "、".join(card.flags) if card else "",
            ]

    title = f"考核计分卡 {month:%Y年%m月}"
    content, _ = write_workbook(
        sheet_title="考核计分卡",
        title=title,
        columns=columns,
        rows=cells(),
        number_formats={"score": "0.00", **dict.fromkeys(money_keys, "#,##0.00")},
        text_columns=("employee_no",),
    )
    return xlsx_download(content, f"考核计分卡_{month:%Y%m}_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@permission_required(sel.VIEW_OWN, raise_exception=True)
def scorecard_detail(request: HttpRequest, employee_id: int) -> HttpResponse:
    """One card: every line behind the score, the money, the flags and the last months' scores.
    Someone else's card outside the viewer's scope is a 404."""
    try:
        employee = sel.scorecard_employee_for_user(request.user, employee_id)
    except Employee.DoesNotExist as exc:
        raise Http404("记录不存在或无权查看") from exc
    month = sel.month_or_current(request.GET.get("month"))
    detail = card_detail(employee, month)
    context = {
        "d": detail,
        "pc": detail.person,
        "card": detail.person.card if detail.person else None,
        "scheme": SCHEMES.get(detail.rules.scheme, ""),
        "month": month,
        "month_text": f"{month:%Y-%m}",
        "prev_month": f"{previous_month(month):%Y-%m}",
        "next_month": f"{next_month(month):%Y-%m}",
        "schemes": SCHEMES,
        "can_list": True,
    }
    return render(request, "performance/scorecard_detail.html", context)
