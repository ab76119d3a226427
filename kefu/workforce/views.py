"""排班 pages: the roster list and a roster's grid (people × days)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .shifts import shift_names


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def roster_list(request: HttpRequest) -> HttpResponse:
    """排班表: the rosters the user may see, newest month first."""
    rosters = selectors.rosters_for_user(request.user)[:200]
    return render(request, "workforce/roster_list.html", {"rosters": rosters})


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One roster as a grid: a row per person, a column per day."""
    roster = selectors.rosters_for_user(request.user).filter(pk=pk).first()
    if roster is None:
        raise Http404
    days = selectors.month_days(roster.month)
    cells: dict[int, dict] = {}
    people: dict[int, str] = {}
    for e in roster.entries.select_related("employee").order_by("employee__employee_no", "day"):
        people[e.employee_id] = e.employee.name
        cells.setdefault(e.employee_id, {})[e.day] = e.code
    names = shift_names(roster.month)
    rows = [
        {"name": people[pid], "cells": [names.get(cells[pid].get(d, ""), "") for d in days]}
        for pid in people
    ]
    return render(
        request, "workforce/roster_detail.html", {"roster": roster, "days": days, "rows": rows}
    )
