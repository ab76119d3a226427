"""Mentoring — 带教 (WFM-10): pairs, training sessions, exams, and the period's mentor rewards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.org.models import Employee
from kefu.org.selectors import employee_scope_filter

from ..choices import MentorshipStatus, TrainingKind
from ..models import ExamRecord, MentorReward, Mentorship, TrainingRecord
from ..policy import meetings_policy
from ..ranking import Learner, rank_learners
from ..recurrence import period_bounds
from .common import (
    ADD_EXAM,
    ADD_MENTORSHIP,
    ADD_TRAINING,
    AWARD,
    CHANGE_MENTORSHIP,
    acting_employee,
    require,
)


def _in_scope(actor: Any, *employee_ids: int) -> bool:
    ids = {i for i in employee_ids if i}
    return Employee.objects.filter(employee_scope_filter(actor), pk__in=ids).count() == len(ids)


def _employee(value: Employee | int | None) -> Employee | None:
    if value is None or isinstance(value, Employee):
        return value
    return Employee.objects.filter(pk=value).first()


@transaction.atomic
def mentorship_create(
    *,
    actor: Any,
    newcomer: Employee | int,
    mentor: Employee | int,
    start_date: dt.date,
    planned_end: dt.date | None = None,
    notes: str = "",
) -> Mentorship:
    """Pair a newcomer with a mentor — 新增带教 (WFM-10 "一人带一个")."""
    require(actor, ADD_MENTORSHIP)
    me = acting_employee(actor)
    new, teacher = _employee(newcomer), _employee(mentor)
    errors: dict[str, str] = {}
    if new is None or not new.is_active:
        errors["newcomer"] = "请选择在职的新员工"
    if teacher is None or not teacher.is_active:
        errors["mentor"] = "请选择在职的带教老师"
    elif new is not None and teacher.pk == new.pk:
        errors["mentor"] = "带教老师不能是新员工本人"
    if start_date is None:
        errors["start_date"] = "请填写开始日期"
    elif start_date > timezone.localdate() + dt.timedelta(days=31):
        errors["start_date"] = "开始日期不能晚于一个月以后"
    if planned_end and start_date and planned_end < start_date:
        errors["planned_end"] = "计划结束日期不能早于开始日期"
    if len(notes or "") > 500:
        errors["notes"] = "备注不能超过500字"
    if errors:
        raise DomainError("mentorship_invalid", "带教信息有误", fields=errors)
    assert new is not None and teacher is not None
    if not _in_scope(actor, new.pk, teacher.pk):
        raise PermissionDeniedError("新员工或带教老师不在您的管理范围内", code="mentoring_scope")
    if Mentorship.objects.filter(newcomer=new, status=MentorshipStatus.ACTIVE).exists():
        raise ConflictError("mentorship_active", "该新员工已有带教老师")
    obj = Mentorship.objects.create(
        newcomer=new,
        mentor=teacher,
        start_date=start_date,
        planned_end=planned_end,
        notes=(notes or "").strip(),
        created_by=me,
    )
    audit.record(
        actor=actor,
        action="meetings.mentorship_create",
        obj=obj,
        after={"newcomer": new.pk, "mentor": teacher.pk, "start_date": start_date},
    )
    return obj


@transaction.atomic
def mentorship_end(
    *, actor: Any, mentorship: Mentorship | int, end_date: dt.date, reason: str
) -> Mentorship:
    """End a mentoring without 出师 — 终止带教 (the newcomer left, changed post …)."""
    require(actor, CHANGE_MENTORSHIP)
    pk = mentorship.pk if isinstance(mentorship, Mentorship) else mentorship
    obj = Mentorship.objects.select_for_update().get(pk=pk)
    if not _in_scope(actor, obj.newcomer_id):
        raise PermissionDeniedError("该带教不在您的管理范围内", code="mentoring_scope")
    if obj.status != MentorshipStatus.ACTIVE:
        raise ConflictError("mentorship_closed", "该带教已结束")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请填写终止原因"
    if end_date is None or end_date < obj.start_date:
        errors["end_date"] = "结束日期不能早于开始日期"
    elif end_date > timezone.localdate():
        errors["end_date"] = "结束日期不能晚于今天"
    if errors:
        raise DomainError("mentorship_end_invalid", "终止带教填写有误", fields=errors)
    obj.status = MentorshipStatus.ENDED
    obj.end_date = end_date
    obj.end_reason = reason[:200]
    obj.save(update_fields=["status", "end_date", "end_reason"])
    audit.record(actor=actor, action="meetings.mentorship_end", obj=obj, reason=reason)
    return obj


@transaction.atomic
def training_record(
    *,
    actor: Any,
    kind: str,
    topic: str,
    date: dt.date,
    hours: Decimal | float | str,
    attendees: Iterable[Employee | int] = (),
    trainer: Employee | int | None = None,
    trainer_name: str = "",
    mentorship: Mentorship | int | None = None,
    product: str = "",
    launch_date: dt.date | None = None,
    notes: str = "",
) -> TrainingRecord:
    """Record a training session — 登记培训 (WFM-10): 带教 sessions of a pair, 岗前培训, and new
    product training (新品培训) which must come before the product's launch."""
    require(actor, ADD_TRAINING)
    me = acting_employee(actor)
    errors: dict[str, str] = {}
    if kind not in TrainingKind.values:
        errors["kind"] = "请选择培训类型"
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = "请填写培训内容"
    elif len(topic) > 200:
        errors["topic"] = "培训内容不能超过200字"
    if date is None:
        errors["date"] = "请填写培训日期"
    elif date > timezone.localdate():
        errors["date"] = "培训日期不能晚于今天"
    try:
        amount = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    if not Decimal("0.5") <= amount <= Decimal(24):
        errors["hours"] = "学时须在0.5～24之间"
    pair = None
    if mentorship is not None:
        pk = mentorship.pk if isinstance(mentorship, Mentorship) else mentorship
        pair = Mentorship.objects.filter(pk=pk).first()
        if pair is None:
            errors["mentorship"] = "带教不存在"
    if kind == TrainingKind.MENTORING and pair is None:
        errors.setdefault("mentorship", "带教培训须选择带教")
    product = (product or "").strip()
    if kind == TrainingKind.PRODUCT:
        if not product:
            errors["product"] = "新品培训须填写新产品"
        if launch_date is None:
            errors["launch_date"] = "新品培训须填写上架日期"
        elif date is not None and date > launch_date:
            errors["date"] = "新产品须在上架前培训：培训日期不能晚于上架日期"
    teacher = _employee(trainer)
    trainer_name = (trainer_name or "").strip()[:40]
    if teacher is None and not trainer_name:
        teacher = pair.mentor if pair is not None else None
        if teacher is None:
            errors["trainer"] = "请选择培训老师或填写外部讲师"
    people = [p for p in (_employee(a) for a in attendees) if p is not None]
    if pair is not None and all(p.pk != pair.newcomer_id for p in people):
        people.append(pair.newcomer)
    if not people:
        errors["attendees"] = "请选择参训人员"
    if len(notes or "") > 500:
        errors["notes"] = "备注不能超过500字"
    if errors:
        raise DomainError("training_invalid", "培训记录填写有误", fields=errors)
    if not _in_scope(actor, *[p.pk for p in people]):
        raise PermissionDeniedError("参训人员不在您的管理范围内", code="mentoring_scope")
    record = TrainingRecord.objects.create(
        kind=kind,
        topic=topic,
        date=date,
        hours=amount,
        trainer=teacher,
        trainer_name="" if teacher else trainer_name,
        mentorship=pair,
        product=product,
        launch_date=launch_date if kind == TrainingKind.PRODUCT else None,
        notes=(notes or "").strip(),
        recorded_by=me,
    )
    record.attendees.set(people)
    audit.record(
        actor=actor,
        action="meetings.training_record",
        obj=record,
        after={
            "kind": kind,
            "topic": topic,
            "date": date,
            "hours": amount,
            "attendees": [p.pk for p in people],
        },
    )
    return record


@transaction.atomic
def exam_record(
    *,
    actor: Any,
    employee: Employee | int,
    subject: str,
    date: dt.date,
    score: Decimal | float | str,
    qualifying: bool = False,
    mentorship: Mentorship | int | None = None,
) -> ExamRecord:
    """Record an exam — 登记考试成绩 (WFM-10 "经考试合格后方可上岗"). A passed qualifying exam of
    a newcomer in mentoring is their 出师: the mentoring ends qualified on that day."""
    require(actor, ADD_EXAM)
    me = acting_employee(actor)
    person = _employee(employee)
    errors: dict[str, str] = {}
    if person is None:
        errors["employee"] = "请选择考试人"
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = "请填写考试科目"
    elif len(subject) > 100:
        errors["subject"] = "考试科目不能超过100字"
    if date is None:
        errors["date"] = "请填写考试日期"
    elif date > timezone.localdate():
        errors["date"] = "考试日期不能晚于今天"
    try:
        value = Decimal(str(score)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not Decimal(0) <= value <= Decimal(100):
        errors["score"] = "成绩须在0～100之间"
    pair = None
    if mentorship is not None:
        pk = mentorship.pk if isinstance(mentorship, Mentorship) else mentorship
        pair = Mentorship.objects.select_for_update().filter(pk=pk).first()
        if pair is None or (person is not None and pair.newcomer_id != person.pk):
            errors["mentorship"] = "考试人不是该带教的新员工"
    elif person is not None:
        pair = (
            Mentorship.objects.select_for_update()
            .filter(newcomer=person, status=MentorshipStatus.ACTIVE)
            .first()
        )
    if pair is not None and date is not None and date < pair.start_date:
        errors["date"] = "考试日期不能早于带教开始日期"
    if errors:
        raise DomainError("exam_invalid", "考试记录填写有误", fields=errors)
    assert person is not None
    if not _in_scope(actor, person.pk):
        raise PermissionDeniedError("考试人不在您的管理范围内", code="mentoring_scope")
    pass_score = Decimal(str(meetings_policy(date).mentoring.pass_score))
    exam = ExamRecord.objects.create(
        employee=person,
        mentorship=pair,
        subject=subject,
        date=date,
        score=value,
        pass_score=pass_score,
        passed=value >= pass_score,
        qualifying=qualifying,
        recorded_by=me,
    )
    if qualifying and exam.passed and pair is not None and pair.status == MentorshipStatus.ACTIVE:
        pair.status = MentorshipStatus.QUALIFIED
        pair.qualified_on = date
        pair.end_date = date
        pair.save(update_fields=["status", "qualified_on", "end_date"])
    audit.record(
        actor=actor,
        action="meetings.exam_record",
        obj=exam,
        after={
            "employee": person.pk,
            "score": value,
            "passed": exam.passed,
            "qualifying": qualifying,
        },
    )
    return exam


def ranking_learners(period_start: dt.date, period_end: dt.date) -> list[Learner]:
    """The learners of a period: mentorships that started in it, with their best exam score."""
    rows = (
        Mentorship.objects.filter(start_date__gte=period_start, start_date__lte=period_end)
        .annotate(best=Max("exams__score"))
        .values_list("pk", "mentor_id", "newcomer_id", "start_date", "qualified_on", "best")
    )
    return [
        Learner(pk, mentor, newcomer, start, qualified, best or Decimal(0))
        for pk, mentor, newcomer, start, qualified, best in rows
    ]


@transaction.atomic
def mentor_rewards_award(*, actor: Any, period_start: dt.date) -> list[MentorReward]:
    """Award the period's mentor rewards — 发放带教奖励 (WFM-10 150/100/50): the ranking is frozen
    with the amounts of the policy in force at the end of the period. Once per period."""
    require(actor, AWARD)
    me = acting_employee(actor)
    policy = meetings_policy(period_start).mentoring
    start, end = period_bounds(period_start, policy.ranking_period)
    if end >= timezone.localdate():
        raise DomainError(
            "period_not_over", f"排名周期 {start}～{end} 尚未结束", fields={"period": "周期未结束"}
        )
    if MentorReward.objects.select_for_update().filter(period_start=start).exists():
        raise ConflictError("rewards_awarded", "该周期的带教奖励已发放")
    rewards = meetings_policy(end).mentoring.rewards
    ranked = [r for r in rank_learners(ranking_learners(start, end), rewards) if r.amount > 0]
    if not ranked:
        raise DomainError("no_learners", "该周期没有出师的新员工，无可发放的奖励")
    now = timezone.now()
    made = MentorReward.objects.bulk_create(
        MentorReward(
            period_start=start,
            period_end=end,
            rank=r.rank,
            mentorship_id=r.learner.mentorship_id,
            mentor_id=r.learner.mentor_id,
            days=r.days,
            amount=r.amount,
            awarded_by=me,
            awarded_at=now,
        )
        for r in ranked
    )
    audit.record(
        actor=actor,
        action="meetings.mentor_rewards",
        object_type="meetings.mentorreward",
        object_id=start.isoformat(),
        after=[{"rank": r.rank, "mentor": r.learner.mentor_id, "amount": r.amount} for r in ranked],
    )
    return made
