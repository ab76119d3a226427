"""Agent console — 坐席工作台: my open requests with their SLA countdown, the team queue, the
team's open requests for leads, quick entry for a phone call, and the search box.

Each list puts the 留言 not yet answered first, tagged 留言 (TKT-10: offline messages are handled
first at the start of every shift), and shows the 小红旗 of requests with special demands (TKT-9).

The lists refresh themselves every 30 s (htmx); a quick entry answers with the form again and,
out of band, the 我的工单 list with the new request in it, so the page never reloads.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.org.roles import roles_of
from kefu.org.selectors import employee_of

from . import selectors, services
from .console_rows import console_rows
from .forms import QuickEntryForm
from .statemachine import LEAD_ROLES

LIST_LIMIT = 50
# The lead's overview of the team (or scope) shows the most urgent few; the whole list is one
# click away (工单列表, filtered). Rendering 50 more rows cost a lead ~10 ms per console view.
TEAM_LIMIT = 20


def console_lists(user: Any) -> dict[str, Any]:
    """The three lists of the console, each at most ``LIST_LIMIT`` rows, SLA computed once.

    Rows are dicts (``console_rows``): one query per list, only the columns shown.
    """
    me = employee_of(user)
    lead = bool(set(roles_of(user)) & LEAD_ROLES)
    now = timezone.now()
    team_rows: list[dict[str, Any]] | None = None
    team_title = ""
    if me is None or not selectors.can_view_tickets(user):
        mine: list[dict[str, Any]] = []
        queue: list[dict[str, Any]] = []
    else:
        mine = console_rows(selectors.open_tickets_held_by, (me.pk,), limit=LIST_LIMIT, now=now)
        queue = console_rows(
            selectors.queue_of,
            (me.pk, me.department_id),
            limit=LIST_LIMIT,
            now=now,
            with_owner=True,
        )
        scope = selectors.ticket_scope_key(user)
        if lead and scope is not None:
            # 组长: their team's open requests; 主管 and above lead no single team: their data
            # scope's open requests.
            team_title = "本组未结工单" if me.team_id else "管辖范围未结工单"
            team_rows = console_rows(
                selectors.open_tickets_in_scope,
                (scope, me.team_id),
                limit=TEAM_LIMIT,
                now=now,
                with_owner=True,
            )
    return {
        "me": me,
        "mine": mine,
        "queue": queue,
        "team_rows": team_rows,
        "team_title": team_title,
        "limit": LIST_LIMIT,
        "team_limit": TEAM_LIMIT,
    }


# The fields of an empty 来电快速建单 form never change (fixed choices, ids and attributes): they
# are rendered once per language and process instead of on every console view.
_BLANK_QUICK_FIELDS: dict[str, str] = {}


def blank_quick_fields() -> str:
    """The HTML of an empty quick-entry form's fields (cached per language)."""
    language = get_language() or ""
    html = _BLANK_QUICK_FIELDS.get(language)
    if html is None:
        html = render_to_string(
            "tickets/_quick_entry_fields.html", {"quick_form": QuickEntryForm()}
        )
        _BLANK_QUICK_FIELDS[language] = html
    return mark_safe(html)


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
def console(request: HttpRequest) -> HttpResponse:
    """坐席工作台."""
    context = console_lists(request.user)
    context["quick_form"] = QuickEntryForm()
    context["quick_fields"] = blank_quick_fields()
    context["can_add"] = request.user.has_perm("tickets.add_ticket")
    return render(request, "tickets/console.html", context)


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
def console_refresh(request: HttpRequest) -> HttpResponse:
    """The lists alone, for the periodic htmx refresh."""
    return render(request, "tickets/_console_lists.html", console_lists(request.user))


@login_required
@require_POST
@permission_required("tickets.add_ticket", raise_exception=True)
def quick_create(request: HttpRequest) -> HttpResponse:
    """来电快速建单 → the form again (cleared, or with its errors) + 我的工单 out of band."""
    form = QuickEntryForm(request.POST)
    created = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.ticket_quick_create(
                actor=request.user,
                phone=data["phone"],
                kind=data["kind"],
                subkind=data.get("subkind") or "",
                title=data["title"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
    context: dict[str, Any] = {"quick_form": form if created is None else QuickEntryForm()}
    if created is not None:
        context["quick_fields"] = blank_quick_fields()  # cleared for the next call
    context["created"] = created
    if created is not None:
        context.update(console_lists(request.user))
    if not request.htmx:  # type: ignore[attr-defined]
        from django.contrib import messages
        from django.shortcuts import redirect

        if created is not None:
            messages.success(request, f"已新增工单 {created.number}")
            return redirect("workbench:console")
        context.update(console_lists(request.user), can_add=True)
        return render(request, "tickets/console.html", context, status=422)
    return render(request, "tickets/_quick_entry.html", context)
