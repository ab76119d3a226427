"""Questionnaire builder services — 问卷设计: drafts, questions, publishing (versioned)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError

from ..choices import CHOICE_KINDS, QuestionKind, VersionStatus
from ..models import Question, Questionnaire, QuestionnaireVersion
from ..rules import QuestionSpec, clean_options, publish_problems
from .common import ADD_QUESTIONNAIRE, BUILD, require


def _text(value: str, field: str, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("survey_invalid", f"请填写{label}", fields={field: f"请填写{label}"})
    if len(text) > max_length:
        msg = f"{label}不能超过{max_length}字"
        raise DomainError("survey_invalid", msg, fields={field: msg})
    return text


def _lock_draft(version: QuestionnaireVersion) -> QuestionnaireVersion:
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ConflictError(
            "survey_version_published", "已发布的问卷版本不能修改，请先点击“编辑”生成新的草稿版本"
        )
    return locked


def specs_of(version: QuestionnaireVersion) -> list[QuestionSpec]:
    return [
        QuestionSpec(
            id=q.pk,
            kind=q.kind,
            text=q.text,
            required=q.required,
            is_overall=q.is_overall,
            options=tuple(q.options or ()),
        )
        for q in version.questions.all()
    ]


@transaction.atomic
def questionnaire_create(
    *, actor: Any, name: str, description: str = "", title: str = "", intro: str = ""
) -> Questionnaire:
    """New questionnaire — 新建问卷: the questionnaire and its first draft version (v1)."""
    require(actor, ADD_QUESTIONNAIRE)
    name = _text(name, "name", "问卷名称", 100)
    title = (title or "").strip()[:100] or name
    first = not Questionnaire.objects.filter(is_default=True).exists()
    q = Questionnaire.objects.create(
        name=name, description=(description or "").strip(), created_by=actor, is_default=first
    )
    QuestionnaireVersion.objects.create(
        questionnaire=q, number=1, title=title, intro=(intro or "").strip()
    )
    audit.record(actor=actor, action="survey.questionnaire_create", obj=q, after={"name": name})
    return q


@transaction.atomic
def questionnaire_set_default(*, actor: Any, questionnaire: Questionnaire) -> Questionnaire:
    """设为默认问卷: the one sent after a request closes."""
    require(actor, BUILD)
    if not QuestionnaireVersion.objects.filter(
        questionnaire=questionnaire, status=VersionStatus.PUBLISHED
    ).exists():
        raise ConflictError("survey_not_published", "问卷尚未发布，不能设为默认问卷")
    Questionnaire.objects.filter(is_default=True).exclude(pk=questionnaire.pk).update(
        is_default=False
    )
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_default=True)
    questionnaire.is_default = True
    audit.record(actor=actor, action="survey.questionnaire_default", obj=questionnaire)
    return questionnaire


def current_draft(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return questionnaire.versions.filter(status=VersionStatus.DRAFT).first()


def published_version(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return questionnaire.versions.filter(status=VersionStatus.PUBLISHED).first()


@transaction.atomic
def questionnaire_edit(*, actor: Any, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """编辑问卷: the open draft, or a new draft version copying the published one's questions.

    The published version is not touched: answers given to it keep pointing at its questions.
    """
    require(actor, BUILD)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    draft = current_draft(questionnaire)
    if draft is not None:
        return draft
    source = questionnaire.versions.order_by("-number").first()
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        title=source.title if source else questionnaire.name,
        intro=source.intro if source else "",
    )
    if source is not None:
        Question.objects.bulk_create(
            Question(
                version=draft,
                position=q.position,
                kind=q.kind,
                text=q.text,
                required=q.required,
                is_overall=q.is_overall,
                options=list(q.options or []),
            )
            for q in source.questions.all()
        )
    audit.record(
        actor=actor,
        action="survey.version_draft",
        obj=draft,
        after={"number": number, "from": source.number if source else None},
    )
    return draft


@transaction.atomic
def version_update(
    *, actor: Any, version: QuestionnaireVersion, title: str, intro: str = ""
) -> QuestionnaireVersion:
    """修改草稿的标题和开场说明."""
    require(actor, BUILD)
    draft = _lock_draft(version)
    draft.title = _text(title, "title", "问卷标题", 100)
    draft.intro = (intro or "").strip()
    draft.save(update_fields=["title", "intro"])
    audit.record(
        actor=actor, action="survey.version_update", obj=draft, after={"title": draft.title}
    )
    return draft


@transaction.atomic
def question_add(
    *,
    actor: Any,
    version: QuestionnaireVersion,
    kind: str,
    text: str,
    required: bool = True,
    is_overall: bool = False,
    options: list[str] | str = (),  # type: ignore[assignment]
) -> Question:
    """添加题目 to a draft version (at the end)."""
    require(actor, BUILD)
    draft = _lock_draft(version)
    if kind not in QuestionKind.values:
        raise DomainError("survey_invalid", "请选择题型", fields={"kind": "请选择题型"})
    text = _text(text, "text", "题目", 200)
    opts = clean_options(options) if kind in CHOICE_KINDS else []
    if kind in CHOICE_KINDS and len(opts) < 2:
        msg = "选择题至少要有两个选项（每行一个）"
        raise DomainError("survey_invalid", msg, fields={"options": msg})
    if is_overall:
        if kind != QuestionKind.RATING:
            msg = "总体满意度题必须是评分题"
            raise DomainError("survey_invalid", msg, fields={"is_overall": msg})
        if draft.questions.filter(is_overall=True).exists():
            msg = "已有一道总体满意度题"
            raise DomainError("survey_invalid", msg, fields={"is_overall": msg})
        required = True
    position = (draft.questions.aggregate(n=Max("position"))["n"] or 0) + 1
    question = Question.objects.create(
        version=draft,
        position=position,
        kind=kind,
        text=text,
        required=required,
        is_overall=is_overall,
        options=opts,
    )
    audit.record(
        actor=actor,
        action="survey.question_add",
        obj=question,
        after={"version": draft.pk, "kind": kind, "text": text, "options": opts},
    )
    return question


@transaction.atomic
def question_remove(*, actor: Any, question: Question) -> None:
    """删除题目 from a draft version."""
    require(actor, BUILD)
    _lock_draft(question.version)
    before = {"text": question.text, "kind": question.kind, "version": question.version_id}
    pk = question.pk
    question.delete()
    audit.record(
        actor=actor,
        action="survey.question_remove",
        object_type="surveys.question",
        object_id=pk,
        before=before,
    )


@transaction.atomic
def question_move(*, actor: Any, question: Question, direction: str) -> None:
    """上移 / 下移 a question of a draft version (swaps positions with its neighbour)."""
    require(actor, BUILD)
    draft = _lock_draft(question.version)
    rows = list(draft.questions.order_by("position", "id"))
    index = next(i for i, q in enumerate(rows) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise DomainError("survey_invalid", "未知的移动方向")
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for pos, q in enumerate(rows, start=1):
        if q.position != pos:
            Question.objects.filter(pk=q.pk).update(position=pos)
    audit.record(
        actor=actor,
        action="survey.question_move",
        obj=question,
        after={"order": [q.pk for q in rows]},
    )


@transaction.atomic
def version_publish(*, actor: Any, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """发布问卷: the draft becomes the published version (frozen); the previous one is retired.

    Invitations already sent keep their version and can still be answered with it.
    """
    require(actor, BUILD)
    draft = _lock_draft(version)
    problems = publish_problems(specs_of(draft))
    if problems:
        raise DomainError(
            "survey_cannot_publish",
            "问卷还不能发布：" + "；".join(problems.values()),
            fields=problems,
        )
    now = timezone.now()
    QuestionnaireVersion.objects.filter(
        questionnaire_id=draft.questionnaire_id, status=VersionStatus.PUBLISHED
    ).update(status=VersionStatus.RETIRED)
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = now
    draft.published_by = actor
    draft.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        actor=actor,
        action="survey.version_publish",
        obj=draft,
        after={"questionnaire": draft.questionnaire_id, "number": draft.number},
    )
    return draft
