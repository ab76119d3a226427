"""奖惩台账 pages — the ledger list (filters, htmx table, Excel), 登记 (with the amounts refreshed by
htmx from the policy of the chosen day), a line's page (确认 / 申诉 / 处理申诉 / 撤销 / 更正 and the
audit timeline), 申诉 (pending first), 奖惩条目 (the catalogue in force) and 导入 (a background job)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, call_service_for_form
from kefu.core.jobs import job_url
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download
from kefu.org.selectors import employee_of, teams_for_user

from . import selectors
from .choices import AppealStatus, IncidentCategory, IncidentSource, IncidentStatus
from .forms_ledger import AppealForm, DecideForm, ImportForm, IncidentForm, RevokeForm
from .models import Appeal, Incident
from .periods import month_start
from .services import ledger
from .services.imports import incident_import_submit
from .services.ledger import ADD_APPEAL, CONFIRM, DECIDE, IMPORT, RECORD, VIEW, VIEW_APPEAL

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 50_000
STATUS_TAGS = {
    IncidentStatus.PROPOSED: "tag-blue",
    IncidentStatus.CONFIRMED: "tag-green",
    IncidentStatus.APPEALED: "tag-orange",
    IncidentStatus.REVOKED: "tag-grey",
}
APPEAL_TAGS = {
    AppealStatus.PENDING: "tag-orange",
    AppealStatus.UPHELD: "tag-blue",
    AppealStatus.REVOKED: "tag-green",
    AppealStatus.CORRECTED: "tag-green",
}
EVENT_LABELS = {
    "performance.incident_booked": "登记奖惩事件",
    "performance.incident_confirmed": "确认",
    "performance.incident_appealed": "提出申诉",
    "performance.appeal_upheld": "申诉处理：维持原判",
    "performance.appeal_decided": "申诉已处理",
    "performance.incident_revoked": "撤销/更正（冲销）",
}


def _size(request: HttpRequest) -> int:
    size = query_id(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in selectors.FILTER_KEYS}


def _rows(request: HttpRequest, params: dict[str, str]) -> Any:
    return selectors.filter_incidents(selectors.incidents_for_user(request.user), params)


def _tag(incident: Incident) -> Incident:
    incident.status_tag = (  # type: ignore[attr-defined]
        "tag-red" if incident.reverses_id else STATUS_TAGS.get(incident.status, "")
    )
    return incident


@login_required
@permission_required(VIEW, raise_exception=True)
def incident_list(request: HttpRequest) -> HttpResponse:
    """奖惩台账: filters in the URL, htmx table swap, 共 N 条 pager, bulk 确认."""
    params = _params(request)
    size = _size(request)
    page = Paginator(_rows(request, params), size).get_page(request.GET.get("page"))
    for incident in page.object_list:
        _tag(incident)
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "filters": params,
        "filtered": any(params.values()),
        "can_confirm": request.user.has_perm(CONFIRM),
    }
    if request.htmx and request.htmx.target == "incident-table":  # type: ignore[attr-defined]
        return render(request, "performance/_incident_table.html", context)
    team_view = request.user.has_perm(selectors.VIEW_TEAM)
    context.update(
        teams=list(teams_for_user(request.user)) if team_view else [],
        team_view=team_view,
        statuses=IncidentStatus.choices,
        categories=IncidentCategory.choices,
        sources=IncidentSource.choices,
        can_record=request.user.has_perm(RECORD),
        can_import=request.user.has_perm(IMPORT),
    )
    return render(request, "performance/incident_list.html", context)


EXPORT_COLUMNS = (
    Column("day", "发生日期", 12, "date"),
    Column("month", "计入月份", 10),
    Column("employee_no", "工号", 10),
    Column("name", "姓名", 10),
    Column("team", "班组", 12),
    Column("rule", "条目", 36),
    Column("category", "类别", 8),
    Column("points", "分值", 8, "number"),
    Column("money", "金额（元）", 12, "number"),
    Column("source", "来源", 10),
    Column("status", "状态", 8),
    Column("description", "说明", 30),
)


@login_required
@permission_required(VIEW, raise_exception=True)
def incident_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered ledger as Excel (奖惩台账)."""
    today = timezone.localdate()
    rows = [
        [
            i.day,
            f"{i.month:%Y-%m}",
            i.employee.employee_no,
            i.employee.name,
            i.employee.team.name if i.employee.team else "",
            i.rule_name,
            i.get_category_display(),
            float(i.points),
            float(i.money),
            i.get_source_display(),
            "冲销" if i.reverses_id else i.get_status_display(),
            i.description,
        ]
        for i in _rows(request, _params(request))[:EXPORT_LIMIT]
    ]
    content, _ = write_workbook(
        sheet_title="奖惩台账",
        title=f"奖惩台账（{today:%Y-%m-%d}导出）",
        columns=EXPORT_COLUMNS,
        rows=rows,
        text_columns=("employee_no", "month"),
    )
    return xlsx_download(content, f"奖惩台账{today:%Y%m%d}.xlsx")


def _preview(data: Any) -> selectors.RulePreview | None:
    rule = (data.get("rule") or "")[:60]
    try:
        day = dt.date.fromisoformat((data.get("day") or "")[:10])
    except ValueError:
        day = timezone.localdate()
    if not rule:
        return None
    return selectors.rule_preview(
        rule_code=rule, day=day, employee_id=query_id(data.get("employee"))
    )


@login_required
@permission_required(RECORD, raise_exception=True)
def incident_new(request: HttpRequest) -> HttpResponse:
    """登记奖惩事件: rule from the catalogue, amounts pre-filled from the policy of the day."""
    initial = {"day": timezone.localdate(), "employee": query_id(request.GET.get("employee"))}
    form = IncidentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        incident = call_service_for_form(
            form,
            ledger.incident_record,
            actor=request.user,
            employee=d["employee"],
            day=d["day"],
            rule_code=d["rule"],
            points=d["points"],
            money=d["money"],
            quantity=d["quantity"],
            description=d["description"],
            evidence_link=d["evidence_link"],
            propose_only=d.get("propose_only") or False,
        )
        if incident is not None:
            text = (
                "已登记并确认" if incident.status == IncidentStatus.CONFIRMED else "已登记，待确认"
            )
            messages.success(request, text)
            return redirect("performance:incident_detail", pk=incident.pk)
    status = 422 if request.method == "POST" else 200
    data = request.POST if request.method == "POST" else {}
    context = {"form": form, "preview": _preview(data) if data else None}
    return render(request, "performance/incident_form.html", context, status=status)


@login_required
@permission_required(RECORD, raise_exception=True)
def incident_amounts(request: HttpRequest) -> HttpResponse:
    """htmx: the chosen rule's range, default amounts and 本月第N次 for the chosen day/person."""
    preview = _preview(request.GET)
    htmx = request.htmx  # type: ignore[attr-defined]
    context: dict[str, Any] = {"preview": preview}
    # Choosing another rule or day puts that rule's defaults into the amount fields.
    if preview is not None and htmx and htmx.trigger_name in ("rule", "day"):
        context["prefill"] = _prefill(preview)
    return render(request, "performance/_incident_amounts.html", context)


def _prefill(preview: selectors.RulePreview) -> dict[str, str]:
    """The amounts put into the form when a rule is chosen: the default of a ranged or fixed rule;
    empty (computed when booked) for per-unit and escalating amounts."""
    rule = preview.rule
    points = "" if rule.per_unit or not (rule.points or rule.points_max) else f"{rule.points}"
    money = (
        ""
        if rule.per_unit or rule.escalation or not (rule.money or rule.money_max)
        else f"{rule.money}"
    )
    return {"points": points, "money": money}


def _visible(request: HttpRequest, pk: int) -> Incident:
    try:
        return selectors.incident_get_for_user(request.user, pk)
    except Incident.DoesNotExist as exc:
        raise Http404 from exc


def _timeline(incident: Incident, appeals: list[Appeal]) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(
            Q(object_type="performance.incident", object_id=str(incident.pk))
            | Q(
                object_type="performance.appeal",
                object_id__in=[str(a.pk) for a in appeals],
                action="performance.appeal_decided",
            )
        ).order_by("seq")
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.details = []  # type: ignore[attr-defined]
    return events


def _detail(request: HttpRequest, incident: Incident, status: int = 200, **forms: Any) -> Any:
    user = request.user
    me = employee_of(user)
    own = me is not None and me.pk == incident.employee_id
    scoped = not own and ledger.in_scope(user, incident.employee_id)
    appeals = selectors.appeals_of(incident)
    for a in appeals:
        a.status_tag = APPEAL_TAGS.get(a.status, "")  # type: ignore[attr-defined]
    pending = next((a for a in appeals if a.status == AppealStatus.PENDING), None)
    deadline = ledger.appeal_deadline(incident)
    today = timezone.localdate()
    live = not incident.reverses_id
    can_decide_perm = user.has_perm(DECIDE) and scoped
    context = {
        "incident": _tag(incident),
        "appeals": appeals,
        "pending": pending,
        "deadline": deadline,
        "reversals": list(incident.reversals.order_by("id")),
        "corrections": list(
            Incident.objects.filter(
                employee_id=incident.employee_id,
                rule=incident.rule,
                day=incident.day,
                source=IncidentSource.CORRECTION,
                reverses__isnull=True,
                created_at__gte=incident.created_at,
            )
            .exclude(pk=incident.pk)
            .order_by("id")
        )
        if incident.status == IncidentStatus.REVOKED
        else [],
        "can_confirm": live
        and incident.status == IncidentStatus.PROPOSED
        and user.has_perm(CONFIRM)
        and scoped,
        "can_appeal": live
        and own
        and user.has_perm(ADD_APPEAL)
        and incident.status == IncidentStatus.CONFIRMED
        and deadline is not None
        and today <= deadline,
        "can_decide": pending is not None and can_decide_perm,
        "can_revoke": live
        and pending is None
        and incident.status in (IncidentStatus.PROPOSED, IncidentStatus.CONFIRMED)
        and can_decide_perm,
        "appeal_form": forms.get("appeal_form") or AppealForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "revoke_form": forms.get("revoke_form") or RevokeForm(),
        "timeline": _timeline(incident, appeals),
    }
    return render(request, "performance/incident_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """奖惩事件: facts, amounts, evidence, policy version, reversals, appeals, timeline, actions."""
    return _detail(request, _visible(request, pk))


def _run(request: HttpRequest, service: Any, ok: str, **kwargs: Any) -> None:
    try:
        service(actor=request.user, **kwargs)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)


@login_required
@require_POST
@permission_required(CONFIRM, raise_exception=True)
def incident_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """确认 one proposal."""
    _run(request, ledger.incident_confirm, "已确认", incident=_visible(request, pk))
    return redirect("performance:incident_detail", pk=pk)


@login_required
@require_POST
@permission_required(CONFIRM, raise_exception=True)
def incident_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """驳回 one proposal (reason required; errors come back as a message on the detail page)."""
    reason = request.POST.get("reason", "")[:1000]
    _run(request, ledger.incident_reject, "已驳回", incident=_visible(request, pk), reason=reason)
    return redirect("performance:incident_detail", pk=pk)


@login_required
@require_POST
@permission_required(CONFIRM, raise_exception=True)
def incident_confirm_bulk(request: HttpRequest) -> HttpResponse:
    """批量确认 the ticked proposals (those in scope; others are left as they are)."""
    ids = [i for i in (query_id(v) for v in request.POST.getlist("ids")[:500]) if i]
    if not ids:
        messages.error(request, "请先勾选要确认的事件")
    else:
        try:
            n = ledger.incidents_confirm_bulk(actor=request.user, incident_ids=ids)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, f"已确认 {n} 条")
    back = request.POST.get("next", "")
    return redirect(
        back if back.startswith("/performance/incidents/") else "performance:incident_list"
    )


@login_required
@require_POST
@permission_required(ADD_APPEAL, raise_exception=True)
def incident_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """申诉 — the employee's own confirmed line, within the window."""
    incident = _visible(request, pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        appeal = call_service_for_form(
            form,
            ledger.appeal_file,
            actor=request.user,
            incident=incident,
            reason=form.cleaned_data["reason"],
        )
        if appeal is not None:
            messages.success(request, "申诉已提交，等待客服部经理处理")
            return redirect("performance:incident_detail", pk=pk)
    return _detail(request, incident, status=422, appeal_form=form)


@login_required
@require_POST
@permission_required(DECIDE, raise_exception=True)
def incident_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """处理申诉 — 维持原判 / 撤销 / 更正 of the line's pending appeal."""
    incident = _visible(request, pk)
    appeal = Appeal.objects.filter(incident=incident, status=AppealStatus.PENDING).first()
    if appeal is None:
        messages.error(request, "该事件没有待处理的申诉")
        return redirect("performance:incident_detail", pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        done = call_service_for_form(
            form,
            ledger.appeal_decide,
            actor=request.user,
            appeal=appeal,
            decision=d["decision"],
            reason=d["reason"],
            corrected_points=d["corrected_points"],
            corrected_money=d["corrected_money"],
        )
        if done is not None:
            messages.success(request, f"申诉已处理：{done.get_status_display()}")
            return redirect("performance:incident_detail", pk=pk)
    return _detail(request, incident, status=422, decide_form=form)


@login_required
@require_POST
@permission_required(DECIDE, raise_exception=True)
def incident_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销 / 更正 by the manager: a reversal entry in the first open month."""
    incident = _visible(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        corrected = request.POST.get("action") == "correct"
        if corrected and d["corrected_points"] is None and d["corrected_money"] is None:
            form.add_error("corrected_money", "更正须填写更正后的分值或金额")
        else:
            done = call_service_for_form(
                form,
                ledger.incident_revoke,
                actor=request.user,
                incident=incident,
                reason=d["reason"],
                corrected_points=d["corrected_points"] if corrected else None,
                corrected_money=d["corrected_money"] if corrected else None,
            )
            if done is not None:
                messages.success(request, "已更正" if corrected else "已撤销")
                return redirect("performance:incident_detail", pk=pk)
    return _detail(request, incident, status=422, revoke_form=form)


@login_required
@permission_required(VIEW_APPEAL, raise_exception=True)
def appeal_list(request: HttpRequest) -> HttpResponse:
    """申诉: pending first; the manager opens one to decide."""
    params = {k: request.GET.get(k, "")[:20] for k in ("status", "month")}
    size = _size(request)
    qs = selectors.filter_appeals(selectors.appeals_for_user(request.user), params)
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.status_tag = APPEAL_TAGS.get(a.status, "")  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "filters": params,
        "filtered": any(params.values()),
        "can_decide": request.user.has_perm(DECIDE),
    }
    if request.htmx and request.htmx.target == "appeal-table":  # type: ignore[attr-defined]
        return render(request, "performance/_appeal_table.html", context)
    context["statuses"] = AppealStatus.choices
    return render(request, "performance/appeal_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def catalogue(request: HttpRequest) -> HttpResponse:
    """奖惩条目: the catalogue of the policy in force (or on ``?day=``)."""
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        day = timezone.localdate()
    from .policy import performance_policy

    policy = performance_policy(day)
    return render(
        request,
        "performance/catalogue.html",
        {"rows": selectors.catalogue(day), "day": day, "policy": policy},
    )


@login_required
@permission_required(IMPORT, raise_exception=True)
def incident_import(request: HttpRequest) -> HttpResponse:
    """导入各模块事件: a date range, run as a background job (progress on the job page)."""
    today = timezone.localdate()
    form = ImportForm(request.POST or None, initial={"start": month_start(today), "end": today})
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        job = call_service_for_form(
            form, incident_import_submit, actor=request.user, start=start, end=end
        )
        if job is not None:
            return redirect(job_url(job))
    status = 422 if request.method == "POST" else 200
    return render(request, "performance/incident_import.html", {"form": form}, status=status)
