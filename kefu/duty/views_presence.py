"""在线状态 pages: the presence board for leads, the top-bar widget, excusing a violation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.params import query_choice, query_id
from kefu.workforce.shifts import shift_names

from . import selectors, services
from .choices import PresenceStatus, ViolationStatus
from .forms import PresenceForm, ReasonForm
from .services.common import EXCUSE_VIOLATION, SET_PRESENCE, VIEW_PRESENCE

STATUS_TAGS = {
    PresenceStatus.ONLINE: "tag-green",
    PresenceStatus.AWAY: "tag-orange",
    PresenceStatus.HIDDEN: "tag-grey",
    PresenceStatus.OFFLINE: "tag-grey",
}


def widget_context(request: HttpRequest, form: PresenceForm | None = None) -> dict:
    mine = selectors.my_presence(request.user)
    htmx = getattr(request, "htmx", None)
    # Without script the form posts and comes back to the page it sits on (not the partial's URL).
    back = (htmx.current_url_abs_path if htmx else None) or request.get_full_path()
    if back.startswith("/duty/presence/widget/") or back.startswith("/duty/presence/set/"):
        back = "/dashboard/"
    return {
        "presence_next": back,
        "presence": mine,
        "presence_label": PresenceStatus(mine.status).label if mine else "",
        "presence_tag": STATUS_TAGS.get(mine.status, "") if mine else "",
        "presence_form": form,
        "presence_choices": [
            (s.value, s.label)
            for s in (PresenceStatus.ONLINE, PresenceStatus.AWAY, PresenceStatus.OFFLINE)
        ],
    }


@login_required
@permission_required(SET_PRESENCE, raise_exception=True)
def presence_widget(request: HttpRequest) -> HttpResponse:
    """The top-bar widget (htmx partial): my status and the three buttons."""
    return render(request, "duty/_presence_widget.html", widget_context(request))


@login_required
@require_POST
@permission_required(SET_PRESENCE, raise_exception=True)
def presence_set(request: HttpRequest) -> HttpResponse:
    """Set my status from the widget; htmx swaps the widget, a plain post goes back."""
    form = PresenceForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.presence_set(
                actor=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            error = exc.message
    else:
        error = "请选择在线状态"
    if request.htmx:  # type: ignore[attr-defined]
        context = widget_context(request, form)
        context["presence_error"] = error
        return render(request, "duty/_presence_widget.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("dashboard")


@login_required
@permission_required(VIEW_PRESENCE, raise_exception=True)
def presence_board(request: HttpRequest) -> HttpResponse:
    """在线状态: who is rostered now vs their status; 当班离线 first; this month's records."""
    team = query_id(request.GET.get("team"))
    now = timezone.now()
    rows = selectors.presence_board(request.user, team_id=team, now=now)
    names = shift_names(timezone.localdate(now))
    for r in rows:
        r.shift_name = names.get(r.code, r.code)
        r.status_label = PresenceStatus(r.status).label
        r.status_tag = STATUS_TAGS.get(r.status, "")
    vstatus = query_choice(request.GET, "vstatus", ViolationStatus.values)
    violations = selectors.violations_for_user(request.user).filter(
        day__gte=timezone.localdate(now).replace(day=1)
    )
    if team:
        violations = violations.filter(team_id=team)
    if vstatus:
        violations = violations.filter(status=vstatus)
    page = Paginator(violations.order_by("-day", "-started_at", "id"), 20).get_page(
        request.GET.get("page")
    )
    for v in page.object_list:
        v.shift_name = names.get(v.shift_code, v.shift_code)
    context = {
        "rows": rows,
        "on_duty": sum(1 for r in rows if r.on_duty),
        "alerts": sum(1 for r in rows if r.alert),
        "page": page,
        "now": now,
        "team": team,
        "vstatus": vstatus,
        "vstatuses": ViolationStatus.choices,
        "teams": selectors.duty_teams_for_user(request.user),
        "can_excuse": request.user.has_perm(EXCUSE_VIOLATION),
    }
    if request.htmx and request.htmx.target == "presence-table":  # type: ignore[attr-defined]
        return render(request, "duty/_presence_table.html", context)
    return render(request, "duty/presence_board.html", context)


@login_required
@require_POST
@permission_required(EXCUSE_VIOLATION, raise_exception=True)
def violation_excuse(request: HttpRequest, pk: int) -> HttpResponse:
    """认可原因: the offline period no longer counts towards the month's limit."""
    violation = selectors.violations_for_user(request.user).filter(pk=pk).first()
    if violation is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写原因")
    else:
        try:
            services.presence_violation_excuse(
                actor=request.user, violation=violation, reason=form.cleaned_data["reason"]
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已认可原因，该次不计入当月离线次数")
    return redirect("duty:presence_board")
