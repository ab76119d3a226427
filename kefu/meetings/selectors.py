"""Meetings reads — 例会与带教查询, scoped to what the viewer may see (ORG-5).

A meeting is visible to its participants (its team, or everyone in its department and the
departments below) and its host; 组长 see their team's, 主管/经理 their department's, 行政人事部
and the leadership all. Mentoring is visible to the newcomer, the mentor and whoever's data
scope covers the newcomer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from kefu.core.params import query_choice, query_id
from kefu.org.choices import Scope
from kefu.org.models import Employee
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of, employee_scope_filter

from .choices import AttendanceStatus, MentorshipStatus, OccurrenceStatus, TrainingKind
from .models import (
    Meeting,
    MeetingAttendance,
    MeetingOccurrence,
    MentorReward,
    Mentorship,
    TrainingRecord,
)
from .policy import meetings_policy
from .ranking import Ranked, rank_learners
from .recurrence import period_bounds
from .services.attendance import in_time_leave
from .services.common import (
    VIEW_MEETING,
    VIEW_MENTORSHIP,
    VIEW_TRAINING,
    day_codes,
    department_ancestor_ids,
    participants,
)

OCCURRENCE_VIEWS = ("upcoming", "past", "all")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- meetings -------------------------------------------------------------------------------
def meetings_for_user(user: Any) -> QuerySet[Meeting]:
    if not user.has_perm(VIEW_MEETING):
        return Meeting.objects.none()
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Meeting.objects.all()
    cached = getattr(user, "_kefu_meeting_scope", None)
    if cached is None:
        me = employee_of(user)
        if me is None:
            return Meeting.objects.none()
        ancestors = department_ancestor_ids(me.department_id)
        cached = Q(host=me) | Q(team__isnull=True, department_id__in=ancestors)
        if me.team_id:
            cached |= Q(team_id=me.team_id)
        if scope == Scope.DEPARTMENT:
            cached |= Q(department_id__in=department_descendant_ids(me.department_id))
        user._kefu_meeting_scope = cached  # one request: the tree is read once
    return Meeting.objects.filter(cached)


def occurrences_for_user(user: Any) -> QuerySet[MeetingOccurrence]:
    return MeetingOccurrence.objects.filter(meeting__in=meetings_for_user(user).values("pk"))


def filter_occurrences(
    qs: QuerySet[MeetingOccurrence], params: Any, *, today: dt.date | None = None
) -> QuerySet[MeetingOccurrence]:
    """List filters: ``view`` (upcoming/past/all), ``meeting``, ``kind``, ``status``, dates."""
    today = today or timezone.localdate()
    view = query_choice(params, "view", OCCURRENCE_VIEWS) or "upcoming"
    if view == "upcoming":
        qs = qs.filter(date__gte=today)
    elif view == "past":
        qs = qs.filter(date__lt=today)
    meeting = query_id(params.get("meeting"))
    if meeting:
        qs = qs.filter(meeting_id=meeting)
    kind = (params.get("kind") or "")[:20]
    if kind:
        qs = qs.filter(meeting__kind=kind)
    status = query_choice(params, "status", OccurrenceStatus.values)
    if status:
        qs = qs.filter(status=status)
    start, end = _date(params.get("from")), _date(params.get("to"))
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    order = ("date", "starts_at", "id") if view == "upcoming" else ("-date", "-starts_at", "-id")
    return qs.order_by(*order)


def occurrence_rows(qs: QuerySet[MeetingOccurrence]) -> QuerySet[MeetingOccurrence]:
    """With the meeting, the host and attendance counts for the list."""

    def n(status: str) -> Count:
        return Count("attendance", filter=Q(attendance__status=status), distinct=True)

    return qs.select_related("meeting__host", "meeting__team").annotate(
        present=n(AttendanceStatus.PRESENT),
        late=n(AttendanceStatus.LATE),
        absent=n(AttendanceStatus.ABSENT),
        on_leave=n(AttendanceStatus.LEAVE),
        report_count=Count("reports", distinct=True),
    )


def occurrence_get_for_user(user: Any, pk: int) -> MeetingOccurrence:
    return occurrences_for_user(user).select_related("meeting__host", "meeting__team").get(pk=pk)


@dataclass
class SheetRow:
    """One participant on the attendance sheet, with what the host is offered."""

    employee: Employee
    record: MeetingAttendance | None
    suggested: str
    reason: str
    leave_in_time: bool
    day_code: str


def attendance_sheet(occurrence: MeetingOccurrence) -> list[SheetRow]:
    """Every participant (and anyone recorded since) with the status the sheet starts from: the
    record if there is one, else 请假 for leave asked in time, 免出席 on a rostered rest day, 出席
    otherwise."""
    people = list(participants(occurrence.meeting))
    records = {a.employee_id: a for a in occurrence.attendance.select_related("employee")}
    for employee_id, record in records.items():
        if all(p.pk != employee_id for p in people):
            people.append(record.employee)
    ids = [p.pk for p in people]
    codes = day_codes(ids, occurrence.date)
    leave = in_time_leave(occurrence)
    rows = []
    for person in people:
        record = records.get(person.pk)
        code = codes.get(person.pk, "")
        if record is not None:
            suggested, reason = record.status, record.reason
        elif person.pk in leave:
            suggested, reason = AttendanceStatus.LEAVE, "当日请假"
        elif code == "rest":
            suggested, reason = AttendanceStatus.EXCUSED, "当日休息"
        else:
            suggested, reason = AttendanceStatus.PRESENT, ""
        rows.append(SheetRow(person, record, suggested, reason, person.pk in leave, code))
    return rows


# --- mentoring ------------------------------------------------------------------------------
def mentorships_for_user(user: Any) -> QuerySet[Mentorship]:
    if not user.has_perm(VIEW_MENTORSHIP):
        return Mentorship.objects.none()
    me = employee_of(user)
    people = Employee.objects.filter(employee_scope_filter(user)).values("pk")
    cond = Q(newcomer_id__in=people)
    if me is not None:
        cond |= Q(mentor=me) | Q(newcomer=me)
    return Mentorship.objects.filter(cond)


def filter_mentorships(qs: QuerySet[Mentorship], params: Any) -> QuerySet[Mentorship]:
    status = query_choice(params, "status", MentorshipStatus.values)
    if status:
        qs = qs.filter(status=status)
    mentor = query_id(params.get("mentor"))
    if mentor:
        qs = qs.filter(mentor_id=mentor)
    q = (params.get("q") or "").strip()[:40]
    if q:
        qs = qs.filter(
            Q(newcomer__name__icontains=q)
            | Q(mentor__name__icontains=q)
            | Q(newcomer__employee_no__iexact=q)
        )
    start, end = _date(params.get("from")), _date(params.get("to"))
    if start:
        qs = qs.filter(start_date__gte=start)
    if end:
        qs = qs.filter(start_date__lte=end)
    return qs.order_by("-start_date", "-id")


def mentorship_rows(qs: QuerySet[Mentorship]) -> QuerySet[Mentorship]:
    """With the pair, the number and hours of training sessions and the exams passed."""
    hours = (
        TrainingRecord.objects.filter(mentorship=OuterRef("pk"))
        .order_by()
        .values("mentorship")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return qs.select_related("newcomer__team", "mentor").annotate(
        training_count=Count("trainings", distinct=True),
        training_hours=Subquery(hours),
        exam_count=Count("exams", distinct=True),
        passed_exams=Count("exams", filter=Q(exams__passed=True), distinct=True),
    )


def mentorship_get_for_user(user: Any, pk: int) -> Mentorship:
    return mentorships_for_user(user).select_related("newcomer__team", "mentor").get(pk=pk)


def trainings_for_user(user: Any) -> QuerySet[TrainingRecord]:
    """Training records with an attendee the viewer may see, or given by the viewer."""
    if not user.has_perm(VIEW_TRAINING):
        return TrainingRecord.objects.none()
    people = Employee.objects.filter(employee_scope_filter(user)).values("pk")
    attended = TrainingRecord.attendees.through.objects.filter(
        trainingrecord_id=OuterRef("pk"), employee_id__in=people
    )
    cond = Q(Exists(attended))
    me = employee_of(user)
    if me is not None:
        cond |= Q(trainer=me)
    return TrainingRecord.objects.filter(cond)


def filter_trainings(qs: QuerySet[TrainingRecord], params: Any) -> QuerySet[TrainingRecord]:
    kind = query_choice(params, "kind", TrainingKind.values)
    if kind:
        qs = qs.filter(kind=kind)
    start, end = _date(params.get("from")), _date(params.get("to"))
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    q = (params.get("q") or "").strip()[:40]
    if q:
        qs = qs.filter(Q(topic__icontains=q) | Q(product__icontains=q))
    return (
        qs.select_related("trainer", "mentorship__newcomer")
        .annotate(attendee_count=Count("attendees", distinct=True))
        .order_by("-date", "-id")
    )


@dataclass
class Ranking:
    """上手最快排名 of a period, and the rewards already awarded for it."""

    start: dt.date
    end: dt.date
    rows: list[Ranked]
    awarded: list[MentorReward]
    names: dict[int, str]

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.awarded), Decimal(0))


def ranking(user: Any, day: dt.date) -> Ranking:
    """The ranking of the period ``day`` falls in, limited to pairs the viewer may see."""
    from .services.mentoring import ranking_learners

    policy = meetings_policy(day).mentoring
    start, end = period_bounds(day, policy.ranking_period)
    visible = set(mentorships_for_user(user).values_list("pk", flat=True))
    learners = [x for x in ranking_learners(start, end) if x.mentorship_id in visible]
    rows = rank_learners(learners, meetings_policy(end).mentoring.rewards)
    awarded = list(
        MentorReward.objects.filter(period_start=start, mentorship_id__in=visible)
        .select_related("mentor")
        .order_by("rank")
    )
    ids = {x.mentor_id for x in learners} | {x.newcomer_id for x in learners}
    names = dict(Employee.objects.filter(pk__in=ids).values_list("pk", "name"))
    return Ranking(start, end, rows, awarded, names)
