"""休息申请 page (WFM-2 soft rule): an agent asks to rest on days of a coming month and withdraws
a request until that month's roster is published; a team lead sees the team's requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.org.selectors import employee_of

from . import selectors
from .forms import RestRequestForm
from .models import RestRequest
from .services.coverage import (
    ADD_REST_REQUEST,
    REST_MONTHS_AHEAD,
    rest_request_create,
    rest_request_withdraw,
)


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def rest_requests(request: HttpRequest) -> HttpResponse:
    """休息申请: my requests for the coming months (ask, withdraw); the team's for the lead."""
    me = employee_of(request.user)
    today = timezone.localdate()
    first = selectors.add_months(today, 1)
    last = selectors.month_end(selectors.add_months(today, REST_MONTHS_AHEAD))
    can_ask = me is not None and request.user.has_perm(ADD_REST_REQUEST)
    form = RestRequestForm(request.POST or None, initial={"day": first})
    if request.method == "POST":
        if not can_ask:
            raise PermissionDenied
        if form.is_valid():
            try:
                rest_request_create(
                    actor=request.user,
                    day=form.cleaned_data["day"],
                    reason=form.cleaned_data["reason"],
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                apply_to_form(form, exc)
            else:
                messages.success(request, "休息申请已提交，编排下月排班时会尽量满足")
                return redirect("workforce:rest_requests")
    mine = list(
        RestRequest.objects.filter(employee=me, day__gte=first, day__lte=last).order_by("day")
        if me is not None
        else []
    )
    published = set()
    if me is not None and me.team_id:
        published = set(
            selectors.rosters_for_user(request.user)
            .filter(team_id=me.team_id, status="published", month__gte=first, month__lte=last)
            .values_list("month", flat=True)
        )
    for r in mine:
        r.locked = r.day.replace(day=1) in published
    team_requests = []
    if me is not None and me.team_id and selectors.can_edit_team(request.user, me.team_id):
        team_requests = list(selectors.rest_requests_of_team(me.team_id, first))
    return render(
        request,
        "workforce/rest_requests.html",
        {
            "form": form,
            "mine": mine,
            "can_ask": can_ask,
            "first": first,
            "last": last,
            "team_requests": team_requests,
            "team_month": first,
        },
        status=422 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
@permission_required(ADD_REST_REQUEST, raise_exception=True)
def rest_request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回休息申请."""
    try:
        rest_request_withdraw(actor=request.user, request_id=pk)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "休息申请已撤回")
    return redirect("workforce:rest_requests")
