"""带教 pages: newcomer–mentor pairs, a pair's training and exams, all training records (新品培训
included), and the fastest-learner ranking with the mentor rewards."""

from __future__ import annotations

import datetime as dt
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

from kefu.core.errors import DomainError, apply_to_form, raise_if_refused
from kefu.core.params import query_id
from kefu.org.selectors import employee_of

from . import selectors, services
from .choices import MentorshipStatus, TrainingKind
from .forms import EndForm, ExamForm, MentorshipForm, TrainingForm, people_in_scope
from .models import Mentorship
from .policy import meetings_policy
from .services.common import (
    ADD_EXAM,
    ADD_MENTORSHIP,
    ADD_TRAINING,
    AWARD,
    CHANGE_MENTORSHIP,
    VIEW_MENTORSHIP,
    VIEW_TRAINING,
)

PAGE_SIZES = (20, 50, 100)
FILTER_KEYS = ("status", "mentor", "q", "from", "to")
STATUS_TAGS = {
    MentorshipStatus.ACTIVE: "tag-blue",
    MentorshipStatus.QUALIFIED: "tag-green",
    MentorshipStatus.ENDED: "tag-grey",
}


def _size(request: HttpRequest) -> int:
    size = query_id(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


@login_required
@permission_required(VIEW_MENTORSHIP, raise_exception=True)
def mentorship_list(request: HttpRequest) -> HttpResponse:
    """带教: pairs with training hours and exams; filters in the URL; htmx table."""
    params = {k: request.GET.get(k, "")[:40] for k in FILTER_KEYS}
    qs = selectors.mentorship_rows(
        selectors.filter_mentorships(selectors.mentorships_for_user(request.user), params)
    )
    page = Paginator(qs, _size(request)).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for m in page.object_list:
        m.status_tag = STATUS_TAGS.get(m.status, "")
        m.days = ((m.qualified_on or today) - m.start_date).days
    context: dict[str, Any] = {
        "page": page,
        "filters": params,
        "filtered": any(params.values()),
    }
    if request.htmx and request.htmx.target == "mentoring-table":  # type: ignore[attr-defined]
        return render(request, "meetings/_mentorship_table.html", context)
    context.update(
        statuses=MentorshipStatus.choices,
        mentors=people_in_scope(request.user) if request.user.has_perm(ADD_MENTORSHIP) else [],
        can_add=request.user.has_perm(ADD_MENTORSHIP),
        can_train=request.user.has_perm(VIEW_TRAINING),
    )
    return render(request, "meetings/mentorship_list.html", context)


@login_required
@permission_required(ADD_MENTORSHIP, raise_exception=True)
def mentorship_new(request: HttpRequest) -> HttpResponse:
    if employee_of(request.user) is None:
        raise PermissionDenied
    form = MentorshipForm(
        request.POST if request.method == "POST" else None,
        initial={"start_date": timezone.localdate()},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            pair = services.mentorship_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "带教已登记")
            return redirect("meetings:mentorship_detail", pk=pair.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "meetings/mentorship_form.html", {"form": form}, status=status)


def _pair(request: HttpRequest, pk: int) -> Mentorship:
    try:
        return selectors.mentorship_get_for_user(request.user, pk)
    except Mentorship.DoesNotExist as exc:
        raise Http404 from exc


def _detail(
    request: HttpRequest,
    pair: Mentorship,
    *,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    forms = forms or {}
    active = pair.status == MentorshipStatus.ACTIVE
    today = timezone.localdate()
    context = {
        "pair": pair,
        "status_tag": STATUS_TAGS.get(pair.status, ""),
        "days": ((pair.qualified_on or today) - pair.start_date).days,
        "trainings": list(pair.trainings.select_related("trainer").order_by("-date", "-id")),
        "exams": list(pair.exams.order_by("-date", "-id")),
        "rewards": list(pair.rewards.order_by("period_start")),
        "can_train": active and user.has_perm(ADD_TRAINING),
        "can_exam": active and user.has_perm(ADD_EXAM),
        "can_end": active and user.has_perm(CHANGE_MENTORSHIP),
        "training_form": forms.get("training")
        or TrainingForm(
            initial={
                "kind": TrainingKind.MENTORING,
                "date": today,
                "hours": 2,
                "trainer": pair.mentor_id,
            },
            user=user,
        ),
        "exam_form": forms.get("exam") or ExamForm(initial={"date": today, "qualifying": True}),
        "end_form": forms.get("end") or EndForm(initial={"end_date": today}),
        "pass_score": meetings_policy(today).mentoring.pass_score,
    }
    return render(request, "meetings/mentorship_detail.html", context, status=status)


@login_required
@permission_required(VIEW_MENTORSHIP, raise_exception=True)
def mentorship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _pair(request, pk))


@login_required
@require_POST
@permission_required(ADD_TRAINING, raise_exception=True)
def mentorship_training(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair(request, pk)
    form = TrainingForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.training_record(
                actor=request.user, mentorship=pair, **{**d, "attendees": list(d["attendees"])}
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "培训记录已登记")
            return redirect("meetings:mentorship_detail", pk=pair.pk)
    return _detail(request, pair, forms={"training": form}, status=422)


@login_required
@require_POST
@permission_required(ADD_EXAM, raise_exception=True)
def mentorship_exam(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair(request, pk)
    form = ExamForm(request.POST)
    if form.is_valid():
        try:
            exam = services.exam_record(
                actor=request.user, employee=pair.newcomer_id, mentorship=pair, **form.cleaned_data
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(
                request, "考试合格，已出师" if exam.qualifying and exam.passed else "考试成绩已登记"
            )
            return redirect("meetings:mentorship_detail", pk=pair.pk)
    return _detail(request, pair, forms={"exam": form}, status=422)


@login_required
@require_POST
@permission_required(CHANGE_MENTORSHIP, raise_exception=True)
def mentorship_end(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair(request, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.mentorship_end(actor=request.user, mentorship=pair, **form.cleaned_data)
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "带教已终止")
            return redirect("meetings:mentorship_detail", pk=pair.pk)
    return _detail(request, pair, forms={"end": form}, status=422)


@login_required
@permission_required(VIEW_TRAINING, raise_exception=True)
def training_list(request: HttpRequest) -> HttpResponse:
    """培训记录: every session the viewer may see; 新品培训 after launch is marked."""
    params = {k: request.GET.get(k, "")[:40] for k in ("kind", "q", "from", "to")}
    qs = selectors.filter_trainings(selectors.trainings_for_user(request.user), params)
    page = Paginator(qs, _size(request)).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"page": page, "filters": params, "filtered": any(params.values())}
    if request.htmx and request.htmx.target == "training-table":  # type: ignore[attr-defined]
        return render(request, "meetings/_training_table.html", context)
    context.update(kinds=TrainingKind.choices, can_add=request.user.has_perm(ADD_TRAINING))
    return render(request, "meetings/training_list.html", context)


@login_required
@permission_required(ADD_TRAINING, raise_exception=True)
def training_new(request: HttpRequest) -> HttpResponse:
    """登记培训 (岗前培训, 新品上线前培训 …)."""
    if employee_of(request.user) is None:
        raise PermissionDenied
    form = TrainingForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": TrainingKind.PRODUCT, "date": timezone.localdate(), "hours": 1},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.training_record(actor=request.user, **{**d, "attendees": list(d["attendees"])})
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "培训记录已登记")
            return redirect("meetings:training_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "meetings/training_form.html", {"form": form}, status=status)


def _period_day(request: HttpRequest) -> dt.date:
    value = request.GET.get("period") or request.POST.get("period") or ""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        today = timezone.localdate()
        day = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        day = timezone.localdate()
    return day


@login_required
@permission_required(VIEW_MENTORSHIP, raise_exception=True)
def ranking(request: HttpRequest) -> HttpResponse:
    """上手最快排名 of a period and the mentor rewards (150/100/50)."""
    day = _period_day(request)
    result = selectors.ranking(request.user, day)
    period = meetings_policy(day).mentoring.ranking_period
    prev_day = result.start - dt.timedelta(days=1)
    next_day = result.end + dt.timedelta(days=1)
    return render(
        request,
        "meetings/ranking.html",
        {
            "ranking": result,
            "rows": [
                {
                    "ranked": r,
                    "newcomer": result.names.get(r.learner.newcomer_id, ""),
                    "mentor": result.names.get(r.learner.mentor_id, ""),
                }
                for r in result.rows
            ],
            "period_label": "季度" if period == "quarter" else "月份",
            "prev": prev_day.replace(day=1),
            "next": next_day,
            "can_award": request.user.has_perm(AWARD)
            and not result.awarded
            and result.end < timezone.localdate()
            and any(r.amount for r in result.rows),
        },
    )


@login_required
@require_POST
@permission_required(AWARD, raise_exception=True)
def ranking_award(request: HttpRequest) -> HttpResponse:
    day = _period_day(request)
    try:
        made = services.mentor_rewards_award(actor=request.user, period_start=day)
    except DomainError as exc:
        raise_if_refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发放{len(made)}名带教老师的奖励")
    return redirect(reverse("meetings:ranking") + f"?period={day.isoformat()}")
