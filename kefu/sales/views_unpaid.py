"""未付款订单 pages — the list (filters 待催付 / 已催付 / 已付款 / 超时未催付 in the URL, htmx table),
登记 by hand, 催付 and 已付款 per row through htmx, and the on-demand 超时未催付 check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, call_service_for_form, raise_if_refused

from . import selectors_unpaid as sel
from . import services_unpaid
from .choices import ChaseState
from .forms import ChaseForm, UnpaidOrderForm
from .models import UnpaidOrder
from .selectors import VIEW_TEAM
from .views import _agents, _page_size, _teams

FILTER_KEYS = ("state", "from", "to", "agent", "team", "q")


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in FILTER_KEYS}


def _row_context(request: HttpRequest, order: UnpaidOrder, error: str = "") -> dict[str, Any]:
    sel.with_states([order])
    return {
        "o": order,
        "can_chase": request.user.has_perm(sel.CHASE_UNPAID),
        "channels": ChaseForm.base_fields["channel"].choices,
        "row_error": error,
    }


@login_required
@permission_required(sel.VIEW_UNPAID, raise_exception=True)
def unpaid_list(request: HttpRequest) -> HttpResponse:
    """未付款订单: agents their own, 组长 the team, 主管/经理 the department; state filters."""
    params = _params(request)
    qs = sel.filter_unpaid(sel.unpaid_for_user(request.user), params)
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    page.object_list = sel.with_states(page.object_list)
    context: dict[str, Any] = {
        "page": page,
        "filters": params,
        "filtered": any(params.values()),
        "states": ChaseState.choices,
        "can_chase": request.user.has_perm(sel.CHASE_UNPAID),
        "channels": ChaseForm.base_fields["channel"].choices,
    }
    if request.htmx and request.htmx.target == "unpaid-table":  # type: ignore[attr-defined]
        return render(request, "sales/_unpaid_table.html", context)
    context.update(
        teams=_teams(request),
        agents=_agents(request, sel.VIEW_UNPAID) if request.user.has_perm(VIEW_TEAM) else [],
        can_add=request.user.has_perm(sel.ADD_UNPAID),
        can_check=request.user.has_perm(sel.CHECK_UNPAID),
    )
    return render(request, "sales/unpaid_list.html", context)


@login_required
@permission_required(sel.ADD_UNPAID, raise_exception=True)
def unpaid_new(request: HttpRequest) -> HttpResponse:
    """登记未付款订单 by hand."""
    from kefu.org.selectors import employee_of

    me = employee_of(request.user)
    data = request.POST if request.method == "POST" else None
    form = UnpaidOrderForm(
        data, agents=_agents(request, sel.VIEW_UNPAID), initial={"agent": me.pk if me else None}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        order = call_service_for_form(
            form,
            services_unpaid.unpaid_order_enter,
            actor=request.user,
            agent=d["agent"],
            order_no=d["order_no"],
            placed_at=d["placed_at"],
            amount=d["amount"] or Decimal(0),
            items=d["items"],
            customer_name=d["customer_name"],
        )
        if order is not None:
            messages.success(request, f"已登记未付款订单 {order.order_no}，请在一小时内催付")
            return redirect(f"{reverse('sales:unpaid_list')}?q={order.order_no}")
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/unpaid_form.html", {"form": form}, status=status)


def _order(request: HttpRequest, pk: int) -> UnpaidOrder:
    order = sel.unpaid_for_user(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def _respond(request: HttpRequest, order: UnpaidOrder, error: str, done: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        order.refresh_from_db()
        return render(request, "sales/_unpaid_row.html", _row_context(request, order, error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(f"{reverse('sales:unpaid_list')}?q={order.order_no}")


@login_required
@require_POST
@permission_required(sel.CHASE_UNPAID, raise_exception=True)
def unpaid_chase(request: HttpRequest, pk: int) -> HttpResponse:
    """催付 — record a chasing of one order (htmx swaps the row)."""
    order = _order(request, pk)
    form = ChaseForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _respond(request, order, f"催付未登记：{first}", "")
    d = form.cleaned_data
    try:
        services_unpaid.unpaid_chase(
            actor=request.user,
            order=order,
            channel=d["channel"],
            chased_at=d["chased_at"],
            note=d["note"],
        )
    except DomainError as exc:
        raise_if_refused(exc)
        return _respond(request, order, exc.message, "")
    return _respond(request, order, "", f"已登记订单 {order.order_no} 的催付")


@login_required
@require_POST
@permission_required(sel.CHASE_UNPAID, raise_exception=True)
def unpaid_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """标记已付款 (htmx swaps the row)."""
    order = _order(request, pk)
    try:
        services_unpaid.unpaid_mark_paid(actor=request.user, order=order)
    except DomainError as exc:
        raise_if_refused(exc)
        return _respond(request, order, exc.message, "")
    return _respond(request, order, "", f"订单 {order.order_no} 已标记为已付款")


@login_required
@require_POST
def unpaid_check(request: HttpRequest) -> HttpResponse:
    """检查超时未催付 now (客服主管 / 客服部经理): proposals go to 奖惩台账 for the 组长."""
    if not request.user.has_perm(sel.CHECK_UNPAID):
        raise PermissionDenied
    result = services_unpaid.unpaid_check(actor=request.user, now=timezone.now())
    messages.success(request, result.summary)
    return redirect(f"{reverse('sales:unpaid_list')}?state={ChaseState.LATE}")
