"""纠正措施 pages: the list of corrective actions (open / overdue / closed), filters in the URL, an
htmx table with paging, the Excel export, and closing an action from the list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.params import query_id
from kefu.core.xlsx_web import xlsx_download
from kefu.org.models import Department

from . import selectors
from .choices import ActionStatus
from .excel import actions_workbook
from .services.common import RECORD, VIEW, VIEW_ALL, today

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 50_000
STATES = (
    ("open", "整改中"),
    ("overdue", "已逾期"),
    ("closed", "已完成"),
    ("all", "全部"),
)
STATUS_TAGS = {ActionStatus.OPEN: "tag-orange", ActionStatus.CLOSED: "tag-green"}
FILTERS = ("q", "department", "from", "to")


def _params(request: HttpRequest) -> dict[str, str]:
    g = request.GET
    state = g.get("state") or "open"
    if state not in dict(STATES):
        state = "open"
    return {**{k: g.get(k, "")[:60] for k in FILTERS}, "state": state}


def _rows(request: HttpRequest, params: dict[str, str]) -> Any:
    qs = selectors.corrective_actions_for_user(request.user)
    return selectors.action_rows(selectors.filter_actions(qs, params))


@login_required
@permission_required(VIEW, raise_exception=True)
@permission_required(VIEW_ALL, raise_exception=True)
def action_list(request: HttpRequest) -> HttpResponse:
    """纠正措施: tabs 整改中/已逾期/已完成/全部, filters, htmx table, paging, close inline."""
    params = _params(request)
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(_rows(request, params), size).get_page(request.GET.get("page"))
    day = today()
    for a in page.object_list:
        a.status_tag = STATUS_TAGS.get(a.status, "")
        a.overdue = a.status == ActionStatus.OPEN and a.due_date is not None and a.due_date < day
        visit = a.visit
        a.linked_ticket = visit.follow_up_ticket or visit.ticket
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "filters": params,
        "filtered": any(params[k] for k in FILTERS),
        "can_close": request.user.has_perm(RECORD),
        "today": day,
    }
    if request.htmx and request.htmx.target == "action-table":  # type: ignore[attr-defined]
        return render(request, "visits/_action_table.html", context)
    context.update(
        states=STATES,
        departments=Department.objects.order_by("name").only("id", "name"),
        more_open=any(params[k] for k in ("from", "to")),
    )
    return render(request, "visits/action_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
@permission_required(VIEW_ALL, raise_exception=True)
def action_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered corrective actions as Excel (at most 50,000 rows)."""
    params = _params(request)
    export = actions_workbook(_rows(request, params)[:EXPORT_LIMIT], today())
    return xlsx_download(export.content, export.filename)
