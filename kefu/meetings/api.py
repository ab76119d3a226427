"""例会与带教 API — /api/v1/meetings/: standing meetings, occurrences (attendance, minutes, leave,
reports), mentoring (pairs, training, exams, ranking and rewards)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.org.models import Department, Employee, Team
from kefu.org.selectors import employee_of

from . import selectors, services
from .models import Meeting, MeetingOccurrence, Mentorship, TrainingRecord
from .services.common import (
    ADD_EXAM,
    ADD_MEETING,
    ADD_MENTORSHIP,
    ADD_TRAINING,
    ASK_LEAVE,
    AWARD,
    CHANGE_MEETING,
    CHANGE_MENTORSHIP,
    TAKE_ATTENDANCE,
    VIEW_MEETING,
    VIEW_MENTORSHIP,
    VIEW_TRAINING,
    can_run,
)

router = Router(tags=["例会与带教"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class MeetingOut(Schema):
    id: int
    name: str
    kind: str
    department_id: int
    team_id: int | None
    host_id: int
    location: str
    recurrence: str
    weekday: int | None
    day_of_month: int | None
    starts_on: dt.date
    ends_on: dt.date | None
    start_time: dt.time
    end_time: dt.time
    skip_holidays: bool
    reports_required: bool
    agenda: str
    active: bool


class MeetingIn(Schema):
    name: str
    kind: str
    department_id: int
    team_id: int | None = None
    host_id: int
    location: str = ""
    recurrence: str
    weekday: int | None = None
    day_of_month: int | None = None
    starts_on: dt.date
    ends_on: dt.date | None = None
    start_time: dt.time
    end_time: dt.time
    skip_holidays: bool = True
    reports_required: bool = False
    agenda: str = ""
    active: bool = True


class AttendanceOut(Schema):
    employee_id: int
    status: str
    late_minutes: int
    reason: str
    leave_asked_at: dt.datetime | None
    source: str


class ReportOut(Schema):
    employee_id: int
    work_done: str
    problems: str
    improvements: str
    submitted_at: dt.datetime


class OccurrenceOut(Schema):
    id: int
    meeting_id: int
    meeting_name: str
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    cancel_reason: str
    minutes: str
    minutes_at: dt.datetime | None

    @staticmethod
    def resolve_meeting_name(obj: MeetingOccurrence) -> str:
        return obj.meeting.name


class OccurrenceDetailOut(Schema):
    id: int
    meeting_id: int
    meeting_name: str
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    cancel_reason: str
    minutes: str
    minutes_at: dt.datetime | None
    attendance: list[AttendanceOut]
    reports: list[ReportOut]


class OccurrenceFilters(Schema):
    view: str = "all"
    meeting: str = ""
    kind: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1
    page_size: int = 20


class AttendanceRowIn(Schema):
    employee_id: int
    status: str
    late_minutes: int = 0
    reason: str = ""


class AttendanceIn(Schema):
    rows: list[AttendanceRowIn]


class MinutesIn(Schema):
    minutes: str


class ReasonIn(Schema):
    reason: str


class ReportIn(Schema):
    work_done: str
    problems: str = ""
    improvements: str


class MentorshipOut(Schema):
    id: int
    newcomer_id: int
    newcomer_name: str
    mentor_id: int
    mentor_name: str
    start_date: dt.date
    planned_end: dt.date | None
    end_date: dt.date | None
    status: str
    qualified_on: dt.date | None
    notes: str

    @staticmethod
    def resolve_newcomer_name(obj: Mentorship) -> str:
        return obj.newcomer.name

    @staticmethod
    def resolve_mentor_name(obj: Mentorship) -> str:
        return obj.mentor.name


class MentorshipIn(Schema):
    newcomer_id: int
    mentor_id: int
    start_date: dt.date
    planned_end: dt.date | None = None
    notes: str = ""


class EndIn(Schema):
    end_date: dt.date
    reason: str


class TrainingIn(Schema):
    kind: str
    topic: str
    date: dt.date
    hours: Decimal
    attendee_ids: list[int] = []
    trainer_id: int | None = None
    trainer_name: str = ""
    mentorship_id: int | None = None
    product: str = ""
    launch_date: dt.date | None = None
    notes: str = ""


class TrainingOut(Schema):
    id: int
    kind: str
    topic: str
    date: dt.date
    hours: Decimal
    trainer_id: int | None
    trainer_name: str
    mentorship_id: int | None
    product: str
    launch_date: dt.date | None
    after_launch: bool
    attendee_ids: list[int]

    @staticmethod
    def resolve_attendee_ids(obj: TrainingRecord) -> list[int]:
        return sorted(a.pk for a in obj.attendees.all())


class ExamIn(Schema):
    employee_id: int
    subject: str
    date: dt.date
    score: Decimal
    qualifying: bool = False
    mentorship_id: int | None = None


class ExamOut(Schema):
    id: int
    employee_id: int
    mentorship_id: int | None
    subject: str
    date: dt.date
    score: Decimal
    pass_score: Decimal
    passed: bool
    qualifying: bool


class RankOut(Schema):
    rank: int
    mentorship_id: int
    mentor_id: int
    newcomer_id: int
    days: int
    score: Decimal
    amount: Decimal


class RankingOut(Schema):
    period_start: dt.date
    period_end: dt.date
    rows: list[RankOut]
    awarded: bool


class AwardIn(Schema):
    period: dt.date


# --- meetings -------------------------------------------------------------------------------
def _meeting_fields(body: MeetingIn) -> dict:
    data = body.dict()
    return {
        **{k: v for k, v in data.items() if not k.endswith("_id")},
        "department": Department.objects.filter(pk=body.department_id).first(),
        "team": Team.objects.filter(pk=body.team_id).first() if body.team_id else None,
        "host": Employee.objects.filter(pk=body.host_id).first(),
    }


@router.get("/meetings", response={200: list[MeetingOut], 403: ErrorOut})
def meeting_list(request: HttpRequest) -> list[Meeting]:
    """Standing meetings (例会) the caller attends or runs."""
    require_perm(request, VIEW_MEETING)
    return list(selectors.meetings_for_user(request.user).order_by("name"))


@router.post("/meetings", response={201: MeetingOut, **ERRORS})
def meeting_create(request: HttpRequest, body: MeetingIn) -> Status:
    """新增例会: recurrence weekly (weekday) | workdays | monthly (day_of_month, weekday) | once."""
    require_perm(request, ADD_MEETING)
    return Status(201, services.meeting_create(actor=request.user, **_meeting_fields(body)))


@router.put("/meetings/{int:pk}", response={200: MeetingOut, **ERRORS})
def meeting_update(request: HttpRequest, pk: int, body: MeetingIn) -> Meeting:
    """修改例会: untouched future occurrences are regenerated."""
    require_perm(request, CHANGE_MEETING)
    meeting = selectors.meetings_for_user(request.user).get(pk=pk)
    return services.meeting_update(actor=request.user, meeting=meeting, **_meeting_fields(body))


@router.get("/occurrences", response={200: Page[OccurrenceOut], 403: ErrorOut})
def occurrence_list(request: HttpRequest, filters: Query[OccurrenceFilters]) -> dict:
    """会议场次: view = upcoming | past | all."""
    require_perm(request, VIEW_MEETING)
    params = {
        "view": filters.view,
        "meeting": filters.meeting,
        "kind": filters.kind,
        "status": filters.status,
        "from": filters.date_from,
        "to": filters.date_to,
    }
    qs = selectors.filter_occurrences(selectors.occurrences_for_user(request.user), params)
    return paginate(qs.select_related("meeting"), filters.page, filters.page_size)


def _occurrence(request: HttpRequest, pk: int) -> MeetingOccurrence:
    return (
        selectors.occurrences_for_user(request.user)
        .select_related("meeting")
        .prefetch_related("attendance", "reports")
        .get(pk=pk)
    )


def _detail(request: HttpRequest, pk: int) -> dict:
    """The occurrence with its attendance and reports: all of them for who runs the meeting, the
    caller's own otherwise."""
    o = _occurrence(request, pk)
    attendance, reports = list(o.attendance.all()), list(o.reports.all())
    if not can_run(request.user, o.meeting):
        me = employee_of(request.user)
        mine = me.pk if me else None
        attendance = [a for a in attendance if a.employee_id == mine]
        reports = [r for r in reports if r.employee_id == mine]
    return {
        "id": o.pk,
        "meeting_id": o.meeting_id,
        "meeting_name": o.meeting.name,
        "date": o.date,
        "starts_at": o.starts_at,
        "ends_at": o.ends_at,
        "status": o.status,
        "cancel_reason": o.cancel_reason,
        "minutes": o.minutes,
        "minutes_at": o.minutes_at,
        "attendance": attendance,
        "reports": reports,
    }


@router.get("/occurrences/{int:pk}", response={200: OccurrenceDetailOut, **ERRORS})
def occurrence_detail(request: HttpRequest, pk: int) -> dict:
    require_perm(request, VIEW_MEETING)
    return _detail(request, pk)


@router.post("/occurrences/{int:pk}/attendance", response={200: OccurrenceDetailOut, **ERRORS})
def occurrence_attendance(request: HttpRequest, pk: int, body: AttendanceIn) -> dict:
    """登记出勤: present | late (late_minutes) | absent | leave (asked in time) | excused (reason)."""
    require_perm(request, TAKE_ATTENDANCE)
    services.attendance_record(
        actor=request.user,
        occurrence=_occurrence(request, pk),
        rows=[services.AttendanceRow(**r.dict()) for r in body.rows],
    )
    return _detail(request, pk)


@router.post("/occurrences/{int:pk}/minutes", response={200: OccurrenceDetailOut, **ERRORS})
def occurrence_minutes(request: HttpRequest, pk: int, body: MinutesIn) -> dict:
    """会议纪要."""
    require_perm(request, TAKE_ATTENDANCE)
    services.meeting_minutes_record(
        actor=request.user, occurrence=_occurrence(request, pk), minutes=body.minutes
    )
    return _detail(request, pk)


@router.post("/occurrences/{int:pk}/cancel", response={200: OccurrenceOut, **ERRORS})
def occurrence_cancel(request: HttpRequest, pk: int, body: ReasonIn) -> MeetingOccurrence:
    require_perm(request, TAKE_ATTENDANCE)
    return services.occurrence_cancel(
        actor=request.user, occurrence=_occurrence(request, pk), reason=body.reason
    )


@router.post("/occurrences/{int:pk}/leave", response={200: AttendanceOut, **ERRORS})
def occurrence_leave(request: HttpRequest, pk: int, body: ReasonIn) -> object:
    """例会请假 — at least the policy's notice (1 h) before the start."""
    require_perm(request, ASK_LEAVE)
    return services.meeting_leave_ask(
        actor=request.user, occurrence=_occurrence(request, pk), reason=body.reason
    )


@router.post("/occurrences/{int:pk}/report", response={200: ReportOut, **ERRORS})
def occurrence_report(request: HttpRequest, pk: int, body: ReportIn) -> object:
    """个人汇报: last week's work, problems, improvements."""
    require_perm(request, ASK_LEAVE)
    return services.meeting_report_submit(
        actor=request.user, occurrence=_occurrence(request, pk), **body.dict()
    )


# --- mentoring ------------------------------------------------------------------------------
@router.get("/mentorships", response={200: Page[MentorshipOut], 403: ErrorOut})
def mentorship_list(
    request: HttpRequest, status: str = "", q: str = "", page: int = 1, page_size: int = 20
) -> dict:
    require_perm(request, VIEW_MENTORSHIP)
    qs = selectors.filter_mentorships(
        selectors.mentorships_for_user(request.user), {"status": status, "q": q}
    ).select_related("newcomer", "mentor")
    return paginate(qs, page, page_size)


def _pair(request: HttpRequest, pk: int) -> Mentorship:
    return selectors.mentorship_get_for_user(request.user, pk)


@router.get("/mentorships/{int:pk}", response={200: MentorshipOut, **ERRORS})
def mentorship_detail(request: HttpRequest, pk: int) -> Mentorship:
    require_perm(request, VIEW_MENTORSHIP)
    return _pair(request, pk)


@router.post("/mentorships", response={201: MentorshipOut, **ERRORS})
def mentorship_create(request: HttpRequest, body: MentorshipIn) -> Status:
    """新增带教."""
    require_perm(request, ADD_MENTORSHIP)
    pair = services.mentorship_create(
        actor=request.user,
        newcomer=body.newcomer_id,
        mentor=body.mentor_id,
        start_date=body.start_date,
        planned_end=body.planned_end,
        notes=body.notes,
    )
    return Status(201, _pair(request, pair.pk))


@router.post("/mentorships/{int:pk}/end", response={200: MentorshipOut, **ERRORS})
def mentorship_end(request: HttpRequest, pk: int, body: EndIn) -> Mentorship:
    """终止带教 (without 出师)."""
    require_perm(request, CHANGE_MENTORSHIP)
    services.mentorship_end(
        actor=request.user,
        mentorship=_pair(request, pk),
        end_date=body.end_date,
        reason=body.reason,
    )
    return _pair(request, pk)


@router.get("/trainings", response={200: Page[TrainingOut], 403: ErrorOut})
def training_list(
    request: HttpRequest, kind: str = "", q: str = "", page: int = 1, page_size: int = 20
) -> dict:
    require_perm(request, VIEW_TRAINING)
    qs = selectors.filter_trainings(
        selectors.trainings_for_user(request.user), {"kind": kind, "q": q}
    ).prefetch_related("attendees")
    return paginate(qs, page, page_size)


@router.post("/trainings", response={201: TrainingOut, **ERRORS})
def training_create(request: HttpRequest, body: TrainingIn) -> Status:
    """登记培训: 带教 (mentorship_id), 岗前, 新品 (product + launch_date, before the launch)."""
    require_perm(request, ADD_TRAINING)
    if body.mentorship_id is not None:
        _pair(request, body.mentorship_id)
    record = services.training_record(
        actor=request.user,
        kind=body.kind,
        topic=body.topic,
        date=body.date,
        hours=body.hours,
        attendees=body.attendee_ids,
        trainer=body.trainer_id,
        trainer_name=body.trainer_name,
        mentorship=body.mentorship_id,
        product=body.product,
        launch_date=body.launch_date,
        notes=body.notes,
    )
    return Status(201, record)


@router.post("/exams", response={201: ExamOut, **ERRORS})
def exam_create(request: HttpRequest, body: ExamIn) -> Status:
    """登记考试成绩; a passed qualifying exam of a newcomer in mentoring is their 出师."""
    require_perm(request, ADD_EXAM)
    if body.mentorship_id is not None:
        _pair(request, body.mentorship_id)
    exam = services.exam_record(
        actor=request.user,
        employee=body.employee_id,
        subject=body.subject,
        date=body.date,
        score=body.score,
        qualifying=body.qualifying,
        mentorship=body.mentorship_id,
    )
    return Status(201, exam)


@router.get("/mentoring/ranking", response={200: RankingOut, 403: ErrorOut})
def ranking(request: HttpRequest, period: dt.date | None = None) -> dict:
    """上手最快排名 of the period ``period`` falls in (this period by default)."""
    require_perm(request, VIEW_MENTORSHIP)
    from django.utils import timezone

    result = selectors.ranking(request.user, period or timezone.localdate())
    return {
        "period_start": result.start,
        "period_end": result.end,
        "awarded": bool(result.awarded),
        "rows": [
            {
                "rank": r.rank,
                "mentorship_id": r.learner.mentorship_id,
                "mentor_id": r.learner.mentor_id,
                "newcomer_id": r.learner.newcomer_id,
                "days": r.days,
                "score": r.learner.score,
                "amount": r.amount,
            }
            for r in result.rows
        ],
    }


@router.post("/mentoring/rewards", response={200: RankingOut, **ERRORS})
def rewards_award(request: HttpRequest, body: AwardIn) -> dict:
    """发放带教奖励 of an ended period (150/100/50 by policy); once per period."""
    require_perm(request, AWARD)
    services.mentor_rewards_award(actor=request.user, period_start=body.period)
    return ranking(request, body.period)
