"""回访任务 pages: the task lists (今日/逾期/待回访/已回访), a task's page with the 回访单 form,
reassignment, corrective actions and the plan-generation trigger."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.core.xlsx_web import xlsx_download

from . import selectors, services
from .choices import Outcome, Source, TaskStatus
from .excel import tasks_workbook
from .forms import ActionCloseForm, ReassignForm, RecordForm, visitor_queryset
from .models import CorrectiveAction, VisitTask
from .policy import visits_policy
from .services.common import MANAGE_PLANS, REASSIGN, RECORD, VIEW, VIEW_ALL, today

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 50_000
TABS = (
    ("today", "今日待回访"),
    ("overdue", "逾期未回访"),
    ("planned", "全部待回访"),
    ("done", "已回访"),
    ("all", "全部"),
)
STATUS_TAGS = {
    TaskStatus.PLANNED: "tag-blue",
    TaskStatus.DONE: "tag-green",
    TaskStatus.CANCELLED: "tag-grey",
}
EVENT_LABELS = {
    "visits.record": "登记回访单",
    "visits.reassign": "改派回访员",
    "visits.plan_after_close": "工单结案后生成回访任务",
}


def _params(request: HttpRequest) -> dict[str, str]:
    g = request.GET
    view = g.get("view") or "today"
    if view not in dict(TABS):
        view = "today"
    return {
        **{k: g.get(k, "")[:60] for k in ("q", "source", "outcome", "assignee", "from", "to")},
        "view": view,
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def task_list(request: HttpRequest) -> HttpResponse:
    """回访任务: tabs 今日/逾期/待回访/已回访, filters in the URL, htmx table, paging."""
    params = _params(request)
    qs = selectors.list_rows(
        selectors.filter_tasks(selectors.visit_tasks_for_user(request.user), params)
    )
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    for t in page.object_list:
        t.status_tag = STATUS_TAGS.get(t.status, "")
    filtered = any(params[k] for k in ("q", "source", "outcome", "assignee", "from", "to"))
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "filters": params,
        "filtered": filtered,
        "today": today(),
    }
    if request.htmx and request.htmx.target == "visit-table":  # type: ignore[attr-defined]
        return render(request, "visits/_task_table.html", context)
    context.update(
        tabs=TABS,
        sources=Source.choices,
        outcomes=Outcome.choices,
        visitors=visitor_queryset() if request.user.has_perm(VIEW_ALL) else [],
        can_generate=request.user.has_perm(MANAGE_PLANS),
        more_open=any(params[k] for k in ("assignee", "from", "to", "outcome")),
    )
    return render(request, "visits/task_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def task_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered list as Excel (at most 50,000 rows)."""
    params = _params(request)
    qs = selectors.list_rows(
        selectors.filter_tasks(selectors.visit_tasks_for_user(request.user), params)
    )
    export = tasks_workbook(qs[:EXPORT_LIMIT], today())
    return xlsx_download(export.content, export.filename)


def _visible(request: HttpRequest, pk: int) -> VisitTask:
    try:
        return selectors.visit_task_get_for_user(request.user, pk)
    except VisitTask.DoesNotExist as exc:
        raise Http404 from exc


def _timeline(task: VisitTask) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(object_type="visits.visittask", object_id=str(task.pk)).order_by(
            "seq"
        )
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        after = e.after or {}
        details = []
        if after.get("outcome"):
            details.append(
                Outcome(after["outcome"]).label
                if after["outcome"] in Outcome.values
                else after["outcome"]
            )
        if after.get("ticket"):
            details.append(f"工单 {after['ticket']}")
        e.details = details  # type: ignore[attr-defined]
    return events


def _detail(
    request: HttpRequest,
    task: VisitTask,
    *,
    record_form: RecordForm | None = None,
    reassign_form: ReassignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    employee_id = getattr(getattr(user, "employee", None), "pk", None)
    can_record = (
        task.status == TaskStatus.PLANNED
        and user.has_perm(RECORD)
        and (task.assignee_id == employee_id or user.has_perm(REASSIGN))
    )
    can_reassign = task.status == TaskStatus.PLANNED and user.has_perm(REASSIGN)
    policy = visits_policy(task.due_date)
    context = {
        "task": task,
        "status_tag": STATUS_TAGS.get(task.status, ""),
        "script": policy.script_for(task.source),
        "today": today(),
        "can_record": can_record,
        "can_reassign": can_reassign,
        "record_form": record_form or (RecordForm() if can_record else None),
        "reassign_form": reassign_form
        or (ReassignForm(initial={"assignee": task.assignee_id}) if can_reassign else None),
        "actions": list(task.actions.select_related("department").order_by("id")),
        "attempts": list(
            VisitTask.objects.filter(parent=task)
            .order_by("id")
            .only("id", "due_date", "status", "attempt")
        ),
        "timeline": _timeline(task),
        "can_close_action": user.has_perm(VIEW_ALL) and user.has_perm(RECORD),
        "max_attempts": policy.retry.max_attempts,
    }
    return render(request, "visits/task_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """回访任务 / 回访单: header, script, the record form (only for who may record), timeline."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required(RECORD, raise_exception=True)
def task_record(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible(request, pk)
    form = RecordForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_record(
                actor=request.user,
                task=task,
                outcome=d["outcome"],
                notes=d["notes"],
                follow_up=d["follow_up"],
                problem=d["problem"],
                action_department=d["action_department"],
                action_due=d["action_due"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "回访单已登记")
            return redirect("visits:task_detail", pk=task.pk)
    return _detail(request, task, record_form=form, status=422)


@login_required
@require_POST
@permission_required(REASSIGN, raise_exception=True)
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible(request, pk)
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            services.visit_reassign(
                actor=request.user,
                task=task,
                assignee=form.cleaned_data["assignee"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "已改派")
            return redirect("visits:task_detail", pk=task.pk)
    return _detail(request, task, reassign_form=form, status=422)


@login_required
@require_POST
@permission_required(VIEW_ALL, raise_exception=True)
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(CorrectiveAction, pk=pk)
    task = _visible(request, action.visit_id)
    form = ActionCloseForm(request.POST)
    if form.is_valid():
        try:
            services.corrective_action_close(
                actor=request.user, action=action, result=form.cleaned_data["result"]
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "纠正措施已完成")
    else:
        messages.error(request, "请填写整改结果")
    back = request.GET.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)  # closed from the 纠正措施 list: back to it, filters kept
    return redirect("visits:task_detail", pk=task.pk)


@login_required
@require_POST
@permission_required(MANAGE_PLANS, raise_exception=True)
def plans_generate(request: HttpRequest) -> HttpResponse:
    """重新生成回访计划 as a background job: the job page shows its progress and result."""
    from kefu.core.jobs import job_url

    try:
        job = services.visit_plans_submit(actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("visits:task_list") + "?view=planned")
    return redirect(job_url(job))
