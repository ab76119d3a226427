"""Survey pages — 回访与满意度: questionnaires and the builder, invitations (list, new, detail with
the link and the phone entry form), campaigns. Statistics are in ``views_stats``, the public
survey page in ``views_public``. Reads through ``selectors``, writes through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.jobs import job_url
from kefu.core.models import AuditEvent
from kefu.core.params import query_choice, query_id
from kefu.customers.selectors import customer_by_phone, customers_for_user

from . import selectors, services
from .choices import Channel, InvitationStatus, Source, VersionStatus
from .forms import AGENT_CHANNELS, CampaignForm, InvitationForm, QuestionForm, QuestionnaireForm
from .models import Campaign, Invitation, Question, Questionnaire, QuestionnaireVersion
from .services.common import BUILD, CAMPAIGN, ENTER, SEND

PAGE_SIZES = (20, 50, 100)
STATUS_TAGS = {
    InvitationStatus.PENDING: "tag-grey",
    InvitationStatus.SENT: "tag-blue",
    InvitationStatus.ANSWERED: "tag-green",
    InvitationStatus.EXPIRED: "tag-orange",
}
VERSION_TAGS = {
    VersionStatus.DRAFT: "tag-orange",
    VersionStatus.PUBLISHED: "tag-green",
    VersionStatus.RETIRED: "tag-grey",
}
EVENT_LABELS = {
    "survey.invitation_create": "发起满意度调查",
    "survey.invitation_link": "生成调查链接",
    "survey.response_submit": "提交答卷",
}
LINK_SESSION_KEY = "surveys_new_link"


def _refuse(exc: PermissionDeniedError) -> PermissionDenied:
    return PermissionDenied(exc.message)


# --- questionnaires -------------------------------------------------------------------------------
@login_required
@permission_required("surveys.view_questionnaire", raise_exception=True)
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    """调查问卷: every questionnaire with its published and draft versions."""
    rows = list(selectors.questionnaires_for_user(request.user).prefetch_related("versions"))
    for q in rows:
        versions = list(q.versions.all())
        q.published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)  # type: ignore[attr-defined]
        q.draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)  # type: ignore[attr-defined]
        q.version_count = len(versions)  # type: ignore[attr-defined]
    return render(
        request,
        "surveys/questionnaire_list.html",
        {"questionnaires": rows, "can_build": request.user.has_perm(BUILD)},
    )


@login_required
@permission_required("surveys.add_questionnaire", raise_exception=True)
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    """新建问卷."""
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            q = services.questionnaire_create(actor=request.user, **form.cleaned_data)
        except PermissionDeniedError as exc:
            raise _refuse(exc) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "问卷已创建，请添加题目后发布")
            return redirect("surveys:questionnaire_detail", pk=q.pk)
    return render(request, "surveys/questionnaire_form.html", {"form": form})


def _builder_context(request: HttpRequest, q: Questionnaire, **extra: Any) -> dict[str, Any]:
    versions = list(q.versions.prefetch_related("questions").order_by("-number"))
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    for v in versions:
        v.tag = VERSION_TAGS.get(v.status, "tag-grey")  # type: ignore[attr-defined]
    context = {
        "questionnaire": q,
        "versions": versions,
        "draft": draft,
        "published": published,
        "can_build": request.user.has_perm(BUILD),
        "question_form": QuestionForm(initial={"required": True}),
    }
    context.update(extra)
    return context


@login_required
@permission_required("surveys.view_questionnaire", raise_exception=True)
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """问卷设计: the draft's questions (add / remove / reorder with htmx, publish) and the
    published and earlier versions, read-only."""
    q = get_object_or_404(selectors.questionnaires_for_user(request.user), pk=pk)
    return render(request, "surveys/questionnaire_detail.html", _builder_context(request, q))


def _draft_of(request: HttpRequest, version_pk: int) -> QuestionnaireVersion:
    if not request.user.has_perm(BUILD):
        raise PermissionDenied
    return get_object_or_404(QuestionnaireVersion, pk=version_pk)


def _builder_reply(
    request: HttpRequest, version: QuestionnaireVersion, **extra: Any
) -> HttpResponse:
    """htmx: the question list partial; otherwise back to the questionnaire page."""
    q = version.questionnaire
    if request.htmx:  # type: ignore[attr-defined]
        context = _builder_context(request, q, **extra)
        return render(request, "surveys/_builder.html", context)
    if extra.get("builder_error"):
        messages.error(request, extra["builder_error"])
    return redirect("surveys:questionnaire_detail", pk=q.pk)


@login_required
@require_POST
def questionnaire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑: open the draft (a new version copying the published questions)."""
    q = get_object_or_404(selectors.questionnaires_for_user(request.user), pk=pk)
    try:
        services.questionnaire_edit(actor=request.user, questionnaire=q)
    except PermissionDeniedError as exc:
        raise _refuse(exc) from exc
    return redirect("surveys:questionnaire_detail", pk=q.pk)


@login_required
@require_POST
def questionnaire_default(request: HttpRequest, pk: int) -> HttpResponse:
    """设为默认问卷."""
    q = get_object_or_404(selectors.questionnaires_for_user(request.user), pk=pk)
    try:
        services.questionnaire_set_default(actor=request.user, questionnaire=q)
    except PermissionDeniedError as exc:
        raise _refuse(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已设为默认问卷，工单结案后将发送此问卷")
    return redirect("surveys:questionnaire_list")


@login_required
@require_POST
def question_add(request: HttpRequest, version_pk: int) -> HttpResponse:
    """添加题目 (htmx swaps the builder)."""
    version = _draft_of(request, version_pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_add(actor=request.user, version=version, **form.cleaned_data)
        except PermissionDeniedError as exc:
            raise _refuse(exc) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            return _builder_reply(request, version)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "surveys/_builder.html",
            _builder_context(request, version.questionnaire, question_form=form),
        )
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("surveys:questionnaire_detail", pk=version.questionnaire_id)


def _question(request: HttpRequest, pk: int) -> Question:
    if not request.user.has_perm(BUILD):
        raise PermissionDenied
    return get_object_or_404(Question.objects.select_related("version__questionnaire"), pk=pk)


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """删除题目."""
    question = _question(request, pk)
    version = question.version
    try:
        services.question_remove(actor=request.user, question=question)
    except PermissionDeniedError as exc:
        raise _refuse(exc) from exc
    except DomainError as exc:
        return _builder_reply(request, version, builder_error=exc.message)
    return _builder_reply(request, version)


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    """上移 / 下移."""
    question = _question(request, pk)
    try:
        services.question_move(actor=request.user, question=question, direction=direction)
    except PermissionDeniedError as exc:
        raise _refuse(exc) from exc
    except DomainError as exc:
        return _builder_reply(request, question.version, builder_error=exc.message)
    return _builder_reply(request, question.version)


@login_required
@require_POST
def version_publish(request: HttpRequest, version_pk: int) -> HttpResponse:
    """发布 (the page asks "确定要发布吗？" first)."""
    version = _draft_of(request, version_pk)
    try:
        services.version_publish(actor=request.user, version=version)
    except PermissionDeniedError as exc:
        raise _refuse(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发布第 {version.number} 版")
    return redirect("surveys:questionnaire_detail", pk=version.questionnaire_id)


# --- invitations ----------------------------------------------------------------------------------
def _with_status(rows: Any) -> list[Invitation]:
    now = timezone.now()
    out = list(rows)
    for inv in out:
        inv.status = inv.status_at(now)  # type: ignore[attr-defined]
        inv.status_label = InvitationStatus(inv.status).label  # type: ignore[attr-defined]
        inv.status_tag = STATUS_TAGS[inv.status]  # type: ignore[attr-defined]
    return out


@login_required
@permission_required("surveys.view_invitation", raise_exception=True)
def invitation_list(request: HttpRequest) -> HttpResponse:
    """满意度调查 (调查邀请): filters in the URL; the table swaps by htmx."""
    g = request.GET
    filters = {
        "q": (g.get("q") or "")[:60],
        "status": query_choice(g, "status", InvitationStatus.values),
        "channel": query_choice(g, "channel", Channel.values),
        "source": query_choice(g, "source", Source.values),
        "customer_id": query_id(g.get("customer")),
        "campaign_id": query_id(g.get("campaign")),
    }
    qs = selectors.invitations_for_user(request.user, now=timezone.now(), **filters)
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(g.get("page"))
    page.object_list = _with_status(page.object_list)
    context: dict[str, Any] = {
        "page": page,
        "filters": g,
        "filtered": any(filters.values()),
    }
    if request.htmx and request.htmx.target == "invitation-table":  # type: ignore[attr-defined]
        return render(request, "surveys/_invitation_table.html", context)
    context.update(
        statuses=InvitationStatus.choices,
        channels=Channel.choices,
        sources=Source.choices,
        can_send=request.user.has_perm(SEND),
        can_campaign=request.user.has_perm(CAMPAIGN),
    )
    return render(request, "surveys/invitation_list.html", context)


def _questionnaire_choices() -> list[tuple[int, str]]:
    return [
        (v.questionnaire_id, f"{v.questionnaire.name}（第{v.number}版）")
        for v in selectors.published_versions().order_by("-questionnaire__is_default", "-id")
    ]


def _find_customer(request: HttpRequest, text: str) -> Any:
    text = (text or "").strip()
    visible = customers_for_user(request.user)
    pk = query_id(text) if text.isdigit() and len(text) < 10 else None
    return (
        (visible.filter(pk=pk).first() if pk else None)
        or visible.filter(code=text.upper()).first()
        or customer_by_phone(request.user, text)
    )


@login_required
@permission_required(SEND, raise_exception=True)
def invitation_create(request: HttpRequest) -> HttpResponse:
    """发起满意度调查 for one customer (``?customer=<id>`` from the customer page)."""
    choices = _questionnaire_choices()
    initial: dict[str, Any] = {"channel": Channel.WEB}
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"][:40]
    form = InvitationForm(request.POST or None, questionnaires=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        customer = _find_customer(request, form.cleaned_data["customer"])
        if customer is None:
            form.add_error("customer", "找不到该客户，请输入客户编号或电话")
        else:
            version = (
                selectors.published_versions()
                .filter(questionnaire_id=form.cleaned_data["questionnaire"])
                .first()
            )
            channel = form.cleaned_data["channel"]
            try:
                inv, raw = services.invitation_create(
                    actor=request.user,
                    customer=customer,
                    channel=channel,
                    version=version,
                    issue_link=channel in (Channel.WEB, Channel.EMAIL),
                )
            except PermissionDeniedError as exc:
                raise _refuse(exc) from exc
            except DomainError as exc:
                apply_to_form(form, exc)
            else:
                if raw:
                    request.session[LINK_SESSION_KEY] = {"id": inv.pk, "token": raw}
                messages.success(request, "已发起满意度调查")
                return redirect("surveys:invitation_detail", pk=inv.pk)
    return render(
        request, "surveys/invitation_form.html", {"form": form, "has_questionnaire": bool(choices)}
    )


def _timeline(inv: Invitation) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(
        object_type="surveys.invitation", object_id=str(inv.pk)
    ).order_by("seq")
    rows = [
        {
            "at": e.at,
            "actor_label": e.actor_label,
            "action": e.action,
            "label": EVENT_LABELS.get(e.action, e.action),
        }
        for e in events
    ]
    response = getattr(inv, "response", None)
    if response is not None:
        rows.append(
            {
                "at": response.submitted_at,
                "actor_label": response.entered_by.get_full_name()
                if response.entered_by
                else "客户",
                "action": "survey.response_submit",
                "label": f"提交答卷（{response.get_channel_display()}）",
            }
        )
    return rows


@login_required
@permission_required("surveys.view_invitation", raise_exception=True)
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """调查邀请详情: status, the link (shown once), the phone entry form or the answers."""
    return _detail(request, pk)


def _detail(
    request: HttpRequest, pk: int, form_errors: dict[str, str] | None = None
) -> HttpResponse:
    try:
        inv = selectors.invitation_get_for_user(request.user, pk)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc
    inv = _with_status([inv])[0]
    new_link = None
    stored = request.session.get(LINK_SESSION_KEY)
    if stored and stored.get("id") == inv.pk and inv.token_hash:
        new_link = request.build_absolute_uri(reverse("surveys:public", args=[stored["token"]]))
        del request.session[LINK_SESSION_KEY]
    response = getattr(inv, "response", None) if inv.answered_at else None
    answers = (
        list(response.answers.select_related("question").order_by("question__position"))
        if response
        else []
    )
    questions = list(inv.version.questions.all()) if response is None else []
    decorate_questions(questions, form_errors or {}, request.POST if form_errors else None)
    context = {
        "inv": inv,
        "response": response,
        "answers": answers,
        "questions": questions,
        "new_link": new_link,
        "can_send": request.user.has_perm(SEND),
        "can_enter": request.user.has_perm(ENTER),
        "channels": AGENT_CHANNELS,
        "errors": form_errors or {},
        "typed": request.POST if form_errors else {},
        "ratings": RATINGS,
        "timeline": _timeline(inv),
    }
    return render(
        request, "surveys/invitation_detail.html", context, status=422 if form_errors else 200
    )


@login_required
@require_POST
def invitation_link(request: HttpRequest, pk: int) -> HttpResponse:
    """生成调查链接: a new one-time link, shown once on the detail page."""
    try:
        inv = selectors.invitation_get_for_user(request.user, pk)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc
    try:
        raw = services.invitation_issue_link(actor=request.user, invitation=inv)
    except PermissionDeniedError as exc:
        raise _refuse(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        request.session[LINK_SESSION_KEY] = {"id": inv.pk, "token": raw}
        messages.success(request, "已生成调查链接，请发送给客户（链接只显示这一次）")
    return redirect("surveys:invitation_detail", pk=pk)


RATINGS = [
    ("5", "非常满意"),
    ("4", "满意"),
    ("3", "一般"),
    ("2", "不满意"),
    ("1", "非常不满意"),
]


def decorate_questions(questions: list[Question], errors: dict[str, str], post: Any) -> None:
    """Give each question its error and what was typed, so a refused form keeps the answers."""
    for q in questions:
        q.error = errors.get(f"q{q.pk}", "")  # type: ignore[attr-defined]
        typed = post.getlist(f"q{q.pk}") if post else []
        q.typed = typed  # type: ignore[attr-defined]
        q.typed_text = typed[0] if typed else ""  # type: ignore[attr-defined]


def answers_from_post(post: Any, questions: list[Question]) -> dict[int, Any]:
    """The form's answers: ``q<id>`` per question; several values for a 多选."""
    out: dict[int, Any] = {}
    for q in questions:
        key = f"q{q.pk}"
        out[q.pk] = post.getlist(key) if q.kind == "multiple" else post.get(key, "")
    return out


@login_required
@require_POST
def response_enter(request: HttpRequest, pk: int) -> HttpResponse:
    """录入答卷 (电话等): the agent types the customer's answers during the call."""
    if not request.user.has_perm(ENTER):
        raise PermissionDenied
    try:
        inv = selectors.invitation_get_for_user(request.user, pk)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc
    questions = list(inv.version.questions.all())
    channel = request.POST.get("channel") or Channel.PHONE
    try:
        services.response_enter(
            actor=request.user,
            invitation=inv,
            answers=answers_from_post(request.POST, questions),
            channel=channel,
        )
    except PermissionDeniedError as exc:
        raise _refuse(exc) from exc
    except DomainError as exc:
        if exc.status == 409:
            messages.error(request, exc.message)
            return redirect("surveys:invitation_detail", pk=pk)
        return _detail(request, pk, form_errors=exc.fields or {"form": exc.message})
    messages.success(request, "答卷已保存")
    return redirect("surveys:invitation_detail", pk=pk)


# --- campaigns ------------------------------------------------------------------------------------
@login_required
@permission_required("surveys.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    """集中调查: the campaigns, newest first (the last 100)."""
    rows = list(
        Campaign.objects.select_related("version__questionnaire", "created_by", "job")[:100]
    )
    return render(
        request,
        "surveys/campaign_list.html",
        {"campaigns": rows, "can_campaign": request.user.has_perm(CAMPAIGN)},
    )


@login_required
@permission_required(CAMPAIGN, raise_exception=True)
def campaign_create(request: HttpRequest) -> HttpResponse:
    """发起集中调查 — the invitations are created by a background task."""
    from kefu.customers.models import Customer

    from .policy import surveys_policy

    grades = list(Customer.objects.order_by("grade").values_list("grade", flat=True).distinct())
    form = CampaignForm(
        request.POST or None,
        questionnaires=_questionnaire_choices(),
        grades=grades,
        initial={"channel": Channel.PHONE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        questionnaire = Questionnaire.objects.filter(pk=data["questionnaire"]).first()
        regions = [r for r in data["regions"].replace("，", ",").split(",") if r.strip()]
        try:
            campaign = services.campaign_create(
                actor=request.user,
                name=data["name"],
                channel=data["channel"],
                questionnaire=questionnaire,
                grades=data["grades"],
                regions=regions,
            )
        except PermissionDeniedError as exc:
            raise _refuse(exc) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "集中调查已提交，正在后台生成调查邀请")
            if campaign.job is not None:
                return redirect(job_url(campaign.job))
            return redirect("surveys:campaign_list")
    months = "、".join(f"{m}月" for m in surveys_policy().campaign_months)
    return render(request, "surveys/campaign_form.html", {"form": form, "months": months})
