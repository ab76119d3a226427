"""补卡 pages (WFM-5): the list (我的 / 待我审批 / 全部), the request form, the request's page where
the approver decides (reached from 待我审批 at /org/approvals/), withdrawing."""

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

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.params import query_id
from kefu.core.policy import workforce_policy
from kefu.org.approval_flow import approval_can_decide, approval_steps
from kefu.org.selectors import employee_of

from . import selectors, services
from .choices import CORRECTION_TAGS, CorrectionStatus
from .forms import CorrectionForm, DecisionForm
from .models import ClockCorrection
from .services.common import ADD_CORRECTION, VIEW_CORRECTIONS

PAGE_SIZES = (20, 50, 100)
TABS = (("mine", "我的补卡"), ("todo", "待我审批"), ("all", "全部"))


def _params(request: HttpRequest) -> dict[str, str]:
    tab = request.GET.get("tab") or "mine"
    return {
        "tab": tab if tab in dict(TABS) else "mine",
        "status": request.GET.get("status", "")[:20],
        "month": request.GET.get("month", "")[:7],
        "q": request.GET.get("q", "")[:40],
    }


@login_required
@permission_required(VIEW_CORRECTIONS, raise_exception=True)
def correction_list(request: HttpRequest) -> HttpResponse:
    """补卡: tabs, filters in the URL, htmx table, paging."""
    params = _params(request)
    me = employee_of(request.user)
    qs = selectors.corrections_for_user(request.user).select_related("employee", "employee__team")
    if params["tab"] == "mine":
        qs = qs.filter(employee=me) if me else qs.none()
    elif params["tab"] == "todo":
        qs = qs.filter(pk__in=selectors.awaiting_my_decision(request.user))
    if params["status"] in CorrectionStatus.values:
        qs = qs.filter(status=params["status"])
    if params["month"]:
        start, end = selectors.month_bounds(selectors.parse_month(params["month"]))
        qs = qs.filter(day__gte=start, day__lte=end)
    if params["q"]:
        qs = qs.filter(
            Q(employee__name__icontains=params["q"]) | Q(employee__employee_no=params["q"])
        )
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs.order_by("-created_at", "-id"), size).get_page(request.GET.get("page"))
    for c in page.object_list:
        c.status_tag = CORRECTION_TAGS.get(c.status, "")
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "filters": params,
        "filtered": any(params[k] for k in ("status", "month", "q")),
    }
    if request.htmx and request.htmx.target == "correction-table":  # type: ignore[attr-defined]
        return render(request, "attendance/_correction_table.html", context)
    policy = workforce_policy()
    context.update(
        tabs=TABS,
        statuses=CorrectionStatus.choices,
        can_add=request.user.has_perm(ADD_CORRECTION) and me is not None,
        within_days=policy.clock_fix_within_days,
        max_per_month=policy.clock_fix_max_per_month,
    )
    return render(request, "attendance/correction_list.html", context)


@login_required
@permission_required(ADD_CORRECTION, raise_exception=True)
def correction_new(request: HttpRequest) -> HttpResponse:
    """申请补卡: everything typed stays in the form; each rule's message shows under its field."""
    initial: dict[str, Any] = {}
    day = selectors.parse_date(request.GET.get("day"))
    if day:
        initial["day"] = day
    if request.GET.get("direction") in ("in", "out"):
        initial["direction"] = request.GET["direction"]
    form = CorrectionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            me = employee_of(request.user)
            try:
                frame = services.day_frame(me.pk, d["day"]) if me else None
                correction = services.correction_create(
                    actor=request.user,
                    day=d["day"],
                    direction=d["direction"],
                    at=services.correction_time(d["day"], d["time"], frame),
                    reason=d["reason"],
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                apply_to_form(form, _map_fields(exc))
            else:
                messages.success(request, "补卡申请已提交，等待上级审批")
                return redirect("attendance:correction_detail", pk=correction.pk)
        status = 422
    policy = workforce_policy()
    return render(
        request,
        "attendance/correction_form.html",
        {
            "form": form,
            "within_days": policy.clock_fix_within_days,
            "max_per_month": policy.clock_fix_max_per_month,
            "today": timezone.localdate(),
            "earliest": timezone.localdate() - dt.timedelta(days=policy.clock_fix_within_days),
        },
        status=status,
    )


def _map_fields(exc: DomainError) -> DomainError:
    """The service names the time ``at``; the form calls it ``time``."""
    if "at" in exc.fields:
        fields = {("time" if k == "at" else k): v for k, v in exc.fields.items()}
        return DomainError(exc.code, exc.message, fields=fields, status=exc.status)
    return exc


def _visible(request: HttpRequest, pk: int) -> ClockCorrection:
    try:
        return selectors.correction_get_for_user(request.user, pk)
    except ClockCorrection.DoesNotExist as exc:
        raise Http404 from exc


def _detail(
    request: HttpRequest,
    correction: ClockCorrection,
    *,
    form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_decide = correction.status == CorrectionStatus.PENDING and approval_can_decide(
        request.user, correction
    )
    me = employee_of(request.user)
    return render(
        request,
        "attendance/correction_detail.html",
        {
            "c": correction,
            "status_tag": CORRECTION_TAGS.get(correction.status, ""),
            "steps": approval_steps(correction),
            "can_decide": can_decide,
            "form": form or (DecisionForm() if can_decide else None),
            "can_cancel": correction.status == CorrectionStatus.PENDING
            and me is not None
            and me.pk == correction.employee_id,
            "day_row": selectors.days_for_user(request.user)
            .filter(employee_id=correction.employee_id, day=correction.day)
            .first(),
        },
        status=status,
    )


@login_required
@permission_required(VIEW_CORRECTIONS, raise_exception=True)
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """补卡申请: the request, the approval steps, and for the approver whose turn it is the form."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required(VIEW_CORRECTIONS, raise_exception=True)
def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    correction = _visible(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_decide(
                actor=request.user,
                correction=correction,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "已审批")
            return redirect("attendance:correction_detail", pk=correction.pk)
    return _detail(request, _visible(request, pk), form=form, status=422)


@login_required
@require_POST
@permission_required(VIEW_CORRECTIONS, raise_exception=True)
def correction_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    correction = _visible(request, pk)
    try:
        services.correction_cancel(actor=request.user, correction=correction)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "补卡申请已撤回")
    return redirect("attendance:correction_detail", pk=correction.pk)
