"""Shell pages — 框架页面: login, dashboard, search, notifications, tokens, settings pages, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import access_cache
from . import login as throttle
from .errors import DomainError, apply_to_form
from .jobs import jobs_for_user, result_template
from .models import ApiToken, AuditEvent, CalendarDay, Notification, Policy
from .policy import DOMAIN_LABELS
from .tokens import api_token_create, api_token_revoke

PAGE_SIZES = (20, 50, 100)


# --- login ----------------------------------------------------------------------------------
class LoginForm(forms.Form):
    username = forms.CharField(label="工号", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, strip=False)


def login_view(request: HttpRequest) -> HttpResponse:
    """登录: per-person accounts; locked after the policy's number of consecutive failures."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "dashboard")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        locked = throttle.locked_until(username)
        if locked:
            minutes = max(int((locked - timezone.now()).total_seconds() // 60) + 1, 1)
            form.add_error(None, f"连续登录失败次数过多，账号已锁定，请{minutes}分钟后再试")
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                locked = throttle.login_failed(username)
                if locked:
                    form.add_error(None, "连续登录失败次数过多，账号已锁定")
                else:
                    form.add_error(None, "工号或密码不正确")
            else:
                throttle.login_succeeded(username)
                login(request, user)
                return redirect(next_url or "dashboard")
    return render(request, "core/login.html", {"form": form, "next": next_url}, status=200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


# --- dashboard ------------------------------------------------------------------------------
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """工作台: real figures within the user's data scope."""
    from kefu.org.selectors import employee_figures_for_user

    user = request.user
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    figures = employee_figures_for_user(user, today_start=today_start)
    by_department = figures.pop("by_department")
    peak = max((row["n"] for row in by_department), default=0)
    notifications = list(Notification.objects.filter(recipient=user, read_at__isnull=True)[:5])
    if len(notifications) < 5:
        # Fewer than a page: that is the unread count too, so the top bar needs no COUNT query.
        request.kefu_unread = len(notifications)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        **figures,
        "by_department": [
            {**row, "pct": round(row["n"] * 100 / peak) if peak else 0} for row in by_department
        ],
        "notifications": notifications,
        "recent_events": (
            AuditEvent.objects.select_related("actor")[:8]
            if user.has_perm("core.view_audit_trail")
            else None
        ),
        "today": timezone.localdate(),
        "today_kind": _day_kind_label(timezone.localdate()),
    }
    return render(request, "core/dashboard.html", context)


def _day_kind_label(day: dt.date) -> str:
    # Kept per process for a few seconds (kefu/core/access_cache.py): it is on every dashboard.
    return access_cache.cached_value(("calendar_label", day), lambda: _load_day_kind_label(day))


def _load_day_kind_label(day: dt.date) -> str:
    row = CalendarDay.objects.filter(date=day).first()
    if row:
        return f"{row.get_kind_display()} {row.name}".strip()
    return "工作日" if day.weekday() < 5 else "休息日"


# --- search and notifications ---------------------------------------------------------------
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """全局搜索: every registered provider (employees, customers, …) within the user's scope."""
    from .search import search_all

    q = (request.GET.get("q") or "").strip()[:50]
    return render(request, "core/search.html", {"q": q, "sections": search_all(request.user, q)})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(recipient=request.user)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    # Marking one's own notifications read is not a business change, so it is not audited.
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notification_list")


# --- background jobs ------------------------------------------------------------------------
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """后台任务: status, progress and result of one of the user's own jobs.

    Someone else's job answers 404, not 403, so job ids reveal nothing. An htmx request gets only
    the status fragment, which polls itself while the job is queued or running.
    """
    job = get_object_or_404(jobs_for_user(request.user), pk=pk)
    context = {"job": job, "result_template": result_template(job)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "core/_job_status.html", context)
    return render(request, "core/job_detail.html", context)


# --- API tokens -----------------------------------------------------------------------------
class TokenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=80)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """API令牌: personal tokens; a new one is shown once."""
    form = TokenForm(request.POST or None)
    created_raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _, created_raw = api_token_create(actor=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
        except DomainError as exc:
            apply_to_form(form, exc)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "core/tokens.html", {"form": form, "tokens": tokens, "created_raw": created_raw}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"令牌“{token.name}”已吊销")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("token_list")


# --- settings pages -------------------------------------------------------------------------
def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size", 20))
    except ValueError:
        size = 20
    return size if size in PAGE_SIZES else 20


@login_required
@permission_required("core.view_audit_trail", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    """审计日志: the append-only history, filterable by action, object and actor."""
    qs = AuditEvent.objects.select_related("actor")
    action = (request.GET.get("action") or "").strip()
    obj = (request.GET.get("object") or "").strip()
    actor = (request.GET.get("actor") or "").strip()
    if action:
        qs = qs.filter(action__icontains=action)
    if obj:
        qs = qs.filter(Q(object_type__icontains=obj) | Q(object_id=obj))
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor__username__iexact=actor))
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    template = "core/_audit_table.html" if request.htmx else "core/audit_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"page": page, "filters": request.GET})


@login_required
@permission_required("core.access_settings", raise_exception=True)
def policy_list(request: HttpRequest) -> HttpResponse:
    """制度参数: every domain's versions; the one in force today is marked."""
    today = timezone.localdate()
    rows = list(Policy.objects.select_related("created_by").order_by("domain", "-effective_from"))
    in_force: dict[str, int] = {}
    for row in rows:
        if row.effective_from <= today and row.domain not in in_force:
            in_force[row.domain] = row.pk
    groups: dict[str, list[Policy]] = {}
    for row in rows:
        row.in_force = in_force.get(row.domain) == row.pk  # type: ignore[attr-defined]
        groups.setdefault(row.domain, []).append(row)
    domains = [
        {"key": k, "label": DOMAIN_LABELS.get(k, k), "versions": v} for k, v in groups.items()
    ]
    return render(request, "core/policy_list.html", {"domains": domains, "today": today})


@login_required
@permission_required("core.access_settings", raise_exception=True)
def calendar_list(request: HttpRequest) -> HttpResponse:
    """节假日日历: holidays and 调休 working days of a year."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if not 1900 <= year <= 2999:  # outside this a year lookup has no meaning (or no date type)
        year = timezone.localdate().year
    from .calendar import package_years

    days = list(CalendarDay.objects.filter(date__year=year))
    stored = {d.year for d in CalendarDay.objects.dates("date", "year")}
    # Offer next year too: it is the one an administrator most often has to enter by hand.
    years = sorted(stored | {year, timezone.localdate().year + 1})
    return render(
        request,
        "core/calendar_list.html",
        {"year": year, "days": days, "years": years, "package_years": package_years()},
    )


# --- language and errors --------------------------------------------------------------------
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return TemplateResponse(
        request, "403.html", {"message": "页面已过期，请刷新后重试"}, status=403
    ).render()


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the shell's context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(
        reverse("dashboard") if request.user.is_authenticated else reverse("login")
    )
