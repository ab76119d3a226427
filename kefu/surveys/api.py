"""满意度调查 API — mounted at /api/v1/surveys/ (CRM-3, RPT-4; all writes through services).

Questionnaires (list/detail, create, new draft, add question, publish), invitations (list,
create with an optional one-time link, campaign), responses entered by an agent, statistics,
and ``POST /public/{token}`` — the customer's submission by link, the only endpoint without
authentication (``auth=None``): the token is the credential and works once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.customers.selectors import customers_for_user

from . import selectors, services
from .models import Invitation, Question, Questionnaire, QuestionnaireVersion, SurveyResponse
from .rules import Stats

router = Router(tags=["满意度调查"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
ChannelCode = Literal["phone", "letter", "on_site", "fax", "email", "web"]


# --- schemas ----------------------------------------------------------------------------------
class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    required: bool
    is_overall: bool
    options: list[str]


class VersionOut(Schema):
    id: int
    number: int
    status: str
    title: str
    intro: str
    published_at: dt.datetime | None
    questions: list[QuestionOut]


class QuestionnaireOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    created_at: dt.datetime
    published_version: int | None
    draft_version: int | None


class QuestionnaireDetailOut(QuestionnaireOut):
    versions: list[VersionOut]


class QuestionnaireIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    title: str = Field("", max_length=100)
    intro: str = Field("", max_length=2000)


class QuestionIn(Schema):
    kind: Literal["rating", "single", "multiple", "text"]
    text: str = Field(min_length=1, max_length=200)
    required: bool = True
    is_overall: bool = False
    options: list[str] = Field(default_factory=list, max_length=30)


class InvitationOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    questionnaire_id: int
    version_id: int
    version_number: int
    channel: str
    source: str
    status: str
    ticket_id: int | None
    agent_id: int | None
    department_id: int | None
    product_id: int | None
    sent_at: dt.datetime | None
    expires_at: dt.datetime | None
    answered_at: dt.datetime | None
    created_at: dt.datetime


class InvitationCreatedOut(InvitationOut):
    link: str | None = Field(None, description="公开调查链接（仅此一次返回）")


class InvitationIn(Schema):
    customer_id: int
    channel: ChannelCode = "web"
    questionnaire_id: int | None = None
    issue_link: bool = True


class LinkOut(Schema):
    link: str
    expires_at: dt.datetime


class InvitationFilter(Schema):
    status: Literal["pending", "sent", "answered", "expired"] | None = None
    channel: ChannelCode | None = None
    customer_id: int | None = None
    q: str = Field("", max_length=60)
    page: int = Field(1, ge=1)
    page_size: int = 20


class CampaignIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    channel: ChannelCode = "phone"
    questionnaire_id: int | None = None
    grades: list[str] = Field(default_factory=list, max_length=20)
    regions: list[str] = Field(default_factory=list, max_length=50)


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    channel: str
    grades: list[str]
    regions: list[str]
    total: int
    created_count: int
    message: str
    job_id: int | None = Field(None, description="后台任务 id (its page: job_url)")
    job_url: str | None = Field(None, description="后台任务页面（进度、结果）")


class AnswerIn(Schema):
    question_id: int
    rating: int | None = None
    choices: list[str] = Field(default_factory=list, max_length=30)
    text: str = Field("", max_length=2000)


class ResponseIn(Schema):
    answers: list[AnswerIn] = Field(max_length=100)


class AgentResponseIn(ResponseIn):
    channel: Literal["phone", "letter", "on_site", "fax", "email"] = "phone"


class AnswerOut(Schema):
    question_id: int
    question: str
    rating: int | None
    choices: list[str]
    text: str


class ResponseOut(Schema):
    id: int
    invitation_id: int
    version_id: int
    submitted_at: dt.datetime
    overall_rating: int
    satisfied: bool
    channel: str
    answers: list[AnswerOut]


class PublicOut(Schema):
    ok: bool
    message: str


class PublicSurveyOut(Schema):
    title: str
    intro: str
    expires_at: dt.datetime | None
    questions: list[QuestionOut]


class GroupOut(Schema):
    key: str | None
    name: str
    count: int
    satisfied: int
    rate: float | None


class StatsOut(Schema):
    count: int
    satisfied: int
    rate: float | None
    target_rate: float
    distribution: dict[str, int]
    by_agent: list[GroupOut]
    by_department: list[GroupOut]
    by_product: list[GroupOut]
    by_month: list[GroupOut]


class StatsFilter(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: ChannelCode | None = None
    questionnaire_id: int | None = None


# --- helpers ----------------------------------------------------------------------------------
def version_out(v: QuestionnaireVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "number": v.number,
        "status": v.status,
        "title": v.title,
        "intro": v.intro,
        "published_at": v.published_at,
        "questions": [question_out(q) for q in v.questions.all()],
    }


def question_out(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "position": q.position,
        "kind": q.kind,
        "text": q.text,
        "required": q.required,
        "is_overall": q.is_overall,
        "options": list(q.options or []),
    }


def questionnaire_out(q: Questionnaire, *, detail: bool = False) -> dict[str, Any]:
    versions = list(q.versions.all())
    out: dict[str, Any] = {
        "id": q.pk,
        "name": q.name,
        "description": q.description,
        "is_default": q.is_default,
        "created_at": q.created_at,
        "published_version": next((v.pk for v in versions if v.status == "published"), None),
        "draft_version": next((v.pk for v in versions if v.status == "draft"), None),
    }
    if detail:
        out["versions"] = [version_out(v) for v in versions]
    return out


def invitation_out(inv: Invitation, now: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "id": inv.pk,
        "customer_id": inv.customer_id,
        "customer_name": inv.customer.name,
        "questionnaire_id": inv.version.questionnaire_id,
        "version_id": inv.version_id,
        "version_number": inv.version.number,
        "channel": inv.channel,
        "source": inv.source,
        "status": inv.status_at(now or timezone.now()),
        "ticket_id": inv.ticket_id,
        "agent_id": inv.agent_id,
        "department_id": inv.department_id,
        "product_id": inv.product_id,
        "sent_at": inv.sent_at,
        "expires_at": inv.expires_at,
        "answered_at": inv.answered_at,
        "created_at": inv.created_at,
    }


def response_out(r: SurveyResponse) -> dict[str, Any]:
    return {
        "id": r.pk,
        "invitation_id": r.invitation_id,
        "version_id": r.version_id,
        "submitted_at": r.submitted_at,
        "overall_rating": r.overall_rating,
        "satisfied": r.satisfied,
        "channel": r.channel,
        "answers": [
            {
                "question_id": a.question_id,
                "question": a.question.text,
                "rating": a.rating,
                "choices": list(a.choices or []),
                "text": a.text,
            }
            for a in r.answers.select_related("question").order_by("question__position")
        ],
    }


def public_link(request: HttpRequest, raw: str) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("surveys:public", args=[raw]))


def _answers(payload: ResponseIn) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for a in payload.answers:
        if a.rating is not None:
            out[a.question_id] = a.rating
        elif a.choices:
            out[a.question_id] = a.choices
        else:
            out[a.question_id] = a.text
    return out


def stats_out(stats: Stats, names: dict[str, dict[Any, str]], target: float) -> dict[str, Any]:
    def groups(dim: str, rows: list[Any]) -> list[dict[str, Any]]:
        out = []
        for g in rows:
            if dim == "month":
                key = g.key.strftime("%Y-%m") if g.key else None
                name = key or "未指定"
            else:
                key = str(g.key) if g.key is not None else None
                name = names[dim].get(g.key, "未指定") if g.key is not None else "未指定"
            out.append(
                {
                    "key": key,
                    "name": name,
                    "count": g.count,
                    "satisfied": g.satisfied,
                    "rate": g.rate,
                }
            )
        return out

    return {
        "count": stats.count,
        "satisfied": stats.satisfied,
        "rate": stats.rate,
        "target_rate": target,
        "distribution": {str(k): v for k, v in stats.distribution.items()},
        "by_agent": groups("agent", stats.by_agent),
        "by_department": groups("department", stats.by_department),
        "by_product": groups("product", stats.by_product),
        "by_month": groups("month", stats.by_month),
    }


def _questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    return get_object_or_404(selectors.questionnaires_for_user(request.user), pk=pk)


# --- questionnaires ---------------------------------------------------------------------------
@router.get("/questionnaires", response={200: list[QuestionnaireOut], **ERRORS})
def questionnaire_list(request: HttpRequest) -> Any:
    """问卷列表."""
    require_perm(request, "surveys.view_questionnaire")
    rows = selectors.questionnaires_for_user(request.user).prefetch_related("versions")
    return [questionnaire_out(q) for q in rows]


@router.post("/questionnaires", response={201: QuestionnaireDetailOut, **ERRORS})
def questionnaire_create(request: HttpRequest, payload: QuestionnaireIn) -> Any:
    """新建问卷 (with its first draft version)."""
    q = services.questionnaire_create(actor=request.user, **payload.dict())
    return Status(201, questionnaire_out(q, detail=True))


@router.get("/questionnaires/{questionnaire_id}", response={200: QuestionnaireDetailOut, **ERRORS})
def questionnaire_detail(request: HttpRequest, questionnaire_id: int) -> Any:
    """问卷 with every version and its questions."""
    return questionnaire_out(_questionnaire(request, questionnaire_id), detail=True)


@router.post("/questionnaires/{questionnaire_id}/draft", response={200: VersionOut, **ERRORS})
def questionnaire_draft(request: HttpRequest, questionnaire_id: int) -> Any:
    """编辑问卷: the open draft version, or a new one copying the published questions."""
    q = _questionnaire(request, questionnaire_id)
    return version_out(services.questionnaire_edit(actor=request.user, questionnaire=q))


def _version(request: HttpRequest, version_id: int) -> QuestionnaireVersion:
    require_perm(request, "surveys.view_questionnaire")
    return get_object_or_404(QuestionnaireVersion, pk=version_id)


@router.post("/versions/{version_id}/questions", response={201: QuestionOut, **ERRORS})
def question_add(request: HttpRequest, version_id: int, payload: QuestionIn) -> Any:
    """添加题目 to a draft version (409 on a published one)."""
    version = _version(request, version_id)
    q = services.question_add(actor=request.user, version=version, **payload.dict())
    return Status(201, question_out(q))


@router.post("/versions/{version_id}/publish", response={200: VersionOut, **ERRORS})
def version_publish(request: HttpRequest, version_id: int) -> Any:
    """发布问卷版本 (it becomes immutable; the previous published version is retired)."""
    version = _version(request, version_id)
    return version_out(services.version_publish(actor=request.user, version=version))


# --- invitations ------------------------------------------------------------------------------
@router.get("/invitations", response={200: Page[InvitationOut], **ERRORS})
def invitation_list(request: HttpRequest, filters: Query[InvitationFilter]) -> Any:
    """调查邀请 the caller may see."""
    require_perm(request, "surveys.view_invitation")
    now = timezone.now()
    qs = selectors.invitations_for_user(
        request.user,
        now=now,
        status=filters.status or "",
        channel=filters.channel or "",
        customer_id=filters.customer_id,
        q=filters.q,
    )
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [invitation_out(i, now) for i in page["items"]]
    return page


@router.post("/invitations", response={201: InvitationCreatedOut, **ERRORS})
def invitation_create(request: HttpRequest, payload: InvitationIn) -> Any:
    """发起满意度调查 for one customer; ``link`` is returned once when ``issue_link``."""
    require_perm(request, "surveys.add_invitation")
    customer = customers_for_user(request.user).filter(pk=payload.customer_id).first()
    if customer is None:
        raise DomainError("survey_invalid", "客户不存在", fields={"customer_id": "客户不存在"})
    version = None
    if payload.questionnaire_id is not None:
        version = (
            selectors.published_versions().filter(questionnaire_id=payload.questionnaire_id).first()
        )
        if version is None:
            raise DomainError(
                "survey_invalid",
                "问卷不存在或未发布",
                fields={"questionnaire_id": "问卷不存在或未发布"},
            )
    inv, raw = services.invitation_create(
        actor=request.user,
        customer=customer,
        channel=payload.channel,
        version=version,
        issue_link=payload.issue_link,
    )
    inv = selectors.invitations_for_user(request.user).get(pk=inv.pk)
    return Status(201, {**invitation_out(inv), "link": public_link(request, raw) if raw else None})


def _invitation(request: HttpRequest, invitation_id: int) -> Invitation:
    require_perm(request, "surveys.view_invitation")
    return get_object_or_404(selectors.invitations_for_user(request.user), pk=invitation_id)


@router.get("/invitations/{invitation_id}", response={200: InvitationOut, **ERRORS})
def invitation_detail(request: HttpRequest, invitation_id: int) -> Any:
    return invitation_out(_invitation(request, invitation_id))


@router.post("/invitations/{invitation_id}/link", response={200: LinkOut, **ERRORS})
def invitation_link(request: HttpRequest, invitation_id: int) -> Any:
    """生成调查链接 — a new one-time link (earlier links stop working)."""
    inv = _invitation(request, invitation_id)
    raw = services.invitation_issue_link(actor=request.user, invitation=inv)
    return {"link": public_link(request, raw), "expires_at": inv.expires_at}


@router.post("/invitations/{invitation_id}/response", response={201: ResponseOut, **ERRORS})
def response_enter(request: HttpRequest, invitation_id: int, payload: AgentResponseIn) -> Any:
    """坐席录入答卷 (电话 etc.): 409 when the invitation was already answered."""
    inv = _invitation(request, invitation_id)
    response = services.response_enter(
        actor=request.user, invitation=inv, answers=_answers(payload), channel=payload.channel
    )
    return Status(201, response_out(response))


@router.get("/invitations/{invitation_id}/response", response={200: ResponseOut, **ERRORS})
def response_detail(request: HttpRequest, invitation_id: int) -> Any:
    inv = _invitation(request, invitation_id)
    return response_out(get_object_or_404(SurveyResponse, invitation=inv))


@router.post("/campaigns", response={201: CampaignOut, **ERRORS})
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Any:
    """发起集中调查: the invitations are created by a background job (``job_url`` shows its
    progress); with the immediate task backend the result is already there."""
    require_perm(request, "surveys.add_campaign")
    questionnaire = None
    if payload.questionnaire_id is not None:
        questionnaire = get_object_or_404(Questionnaire, pk=payload.questionnaire_id)
    campaign = services.campaign_create(
        actor=request.user,
        name=payload.name,
        channel=payload.channel,
        questionnaire=questionnaire,
        grades=payload.grades,
        regions=payload.regions,
    )
    from kefu.core.jobs import job_url

    out = {
        f: getattr(campaign, f)
        for f in ("id", "name", "status", "channel", "grades", "regions", "total", "created_count")
    }
    out["message"] = campaign.message
    out["job_id"] = campaign.job_id
    out["job_url"] = job_url(campaign.job) if campaign.job is not None else None
    return Status(201, out)


# --- statistics -------------------------------------------------------------------------------
@router.get("/statistics", response={200: StatsOut, **ERRORS})
def statistics(request: HttpRequest, filters: Query[StatsFilter]) -> Any:
    """满意度统计: rate against the target, distribution, by agent/department/product/month."""
    require_perm(request, "surveys.view_statistics")
    from .policy import surveys_policy

    stats = selectors.survey_stats(
        request.user,
        date_from=filters.date_from,
        date_to=filters.date_to,
        channel=filters.channel or "",
        questionnaire_id=filters.questionnaire_id,
    )
    target = surveys_policy().target_rate_percent
    return stats_out(stats, selectors.names_for(stats), target)


# --- public (no login) ------------------------------------------------------------------------
@router.get("/public/{token}", auth=None, response={200: PublicSurveyOut, **ERRORS})
def public_survey(request: HttpRequest, token: str) -> Any:
    """The questionnaire behind a public link (no login): 404 unknown/used, 404 expired."""
    inv = services.invitation_for_token(token)
    return {
        "title": inv.version.title,
        "intro": inv.version.intro,
        "expires_at": inv.expires_at,
        "questions": [question_out(q) for q in inv.version.questions.all()],
    }


@router.post("/public/{token}", auth=None, response={201: PublicOut, **ERRORS})
def public_submit(request: HttpRequest, token: str, payload: ResponseIn) -> Any:
    """The customer's answers by link (no login). The token works exactly once (409 after)."""
    services.response_submit_public(token=token, answers=_answers(payload))
    return Status(201, {"ok": True, "message": "提交成功，感谢您的评价！"})
