"""Standing meetings — 例会 (WFM-9): create and change a series, generate its occurrences, cancel
one occurrence."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import calendar_for_range
from kefu.core.errors import ConflictError, DomainError
from kefu.org.models import Department, Employee, Team
from kefu.org.selectors import department_descendant_ids

from ..choices import MeetingKind, OccurrenceStatus, Recurrence
from ..models import Meeting, MeetingOccurrence
from ..policy import meetings_policy
from ..recurrence import Rule, occurrence_dates, rule_errors
from .common import (
    ADD_MEETING,
    CHANGE_MEETING,
    acting_employee,
    can_run,
    require,
    require_run,
)

# A series created with a start date in the past gets its occurrences from at most this far back.
BACKFILL_DAYS = 31
FIELDS = (
    "name",
    "kind",
    "department",
    "team",
    "host",
    "location",
    "recurrence",
    "weekday",
    "day_of_month",
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "skip_holidays",
    "reports_required",
    "agenda",
    "active",
)


def _aware(day: dt.date, clock: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, clock, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _validate(values: dict[str, Any]) -> dict[str, str]:
    errors = rule_errors(
        recurrence=values["recurrence"],
        weekday=values.get("weekday"),
        day_of_month=values.get("day_of_month"),
        starts_on=values.get("starts_on"),
        ends_on=values.get("ends_on"),
        start_time=values.get("start_time"),
        end_time=values.get("end_time"),
    )
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写会议名称"
    elif len(name) > 60:
        errors["name"] = "会议名称不能超过60字"
    if values.get("kind") not in MeetingKind.values:
        errors["kind"] = "请选择会议类型"
    department: Department | None = values.get("department")
    team: Team | None = values.get("team")
    host: Employee | None = values.get("host")
    if department is None:
        errors["department"] = "请选择部门"
    elif team is not None and team.department_id not in department_descendant_ids(department.pk):
        errors["team"] = "班组不属于所选部门"
    if host is None:
        errors["host"] = "请选择主持人"
    elif not host.is_active:
        errors["host"] = "主持人已离职"
    if len(values.get("location") or "") > 100:
        errors["location"] = "地点不能超过100字"
    if len(values.get("agenda") or "") > 2000:
        errors["agenda"] = "会议内容不能超过2000字"
    return errors


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    values = {k: raw.get(k) for k in FIELDS}
    values["name"] = (values["name"] or "").strip()
    values["location"] = (values["location"] or "").strip()
    values["agenda"] = (values["agenda"] or "").strip()
    values["skip_holidays"] = (
        bool(values["skip_holidays"]) if raw.get("skip_holidays") is not None else True
    )
    values["reports_required"] = bool(values["reports_required"])
    values["active"] = True if raw.get("active") is None else bool(raw.get("active"))
    if values["recurrence"] != Recurrence.WEEKLY and values["recurrence"] != Recurrence.MONTHLY:
        values["weekday"] = None
    if values["recurrence"] != Recurrence.MONTHLY:
        values["day_of_month"] = None
    return values


def occurrences_generate(
    *, meeting: Meeting | None = None, start: dt.date | None = None, until: dt.date | None = None
) -> int:
    """Create the missing occurrences of active series from ``start`` (today) to ``until`` (today
    + the policy's horizon) — 生成会议场次. Idempotent; cancelled ones stay cancelled."""
    today = timezone.localdate()
    start = start or today
    until = until or today + dt.timedelta(days=meetings_policy(today).attendance.horizon_days)
    if until < start:
        return 0
    calendar = calendar_for_range(start, until)
    series = [meeting] if meeting is not None else list(Meeting.objects.filter(active=True))
    created = 0
    for m in series:
        if not m.active:
            continue
        rule = Rule(
            recurrence=m.recurrence,
            starts_on=m.starts_on,
            ends_on=m.ends_on,
            weekday=m.weekday,
            day_of_month=m.day_of_month,
            skip_holidays=m.skip_holidays,
        )
        dates = occurrence_dates(rule, start, until, calendar)
        have = set(
            MeetingOccurrence.objects.filter(meeting=m, date__in=dates).values_list(
                "date", flat=True
            )
        )
        rows = [
            MeetingOccurrence(
                meeting=m,
                date=d,
                starts_at=_aware(d, m.start_time),
                ends_at=_aware(d, m.end_time),
            )
            for d in dates
            if d not in have
        ]
        MeetingOccurrence.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
    return created


@transaction.atomic
def meeting_create(*, actor: Any, **fields: Any) -> Meeting:
    """Set up a standing meeting — 新增例会 (weekly, every workday, monthly or once) and generate
    its occurrences. Fields: name, kind, department, team, host, location, recurrence, weekday,
    day_of_month, starts_on, ends_on, start_time, end_time, skip_holidays, reports_required,
    agenda."""
    require(actor, ADD_MEETING)
    me = acting_employee(actor)
    values = _values(fields)
    errors = _validate(values)
    if errors:
        raise DomainError("meeting_invalid", "例会设置有误", fields=errors)
    meeting = Meeting(**values, created_by=me)
    if not can_run(actor, meeting, host_counts=False):
        raise DomainError(
            "meeting_out_of_scope",
            "只能为本人负责的班组或部门设置例会",
            fields={"team": "不在您的管理范围内"},
            status=403,
        )
    meeting.save()
    today = timezone.localdate()
    occurrences_generate(
        meeting=meeting, start=max(meeting.starts_on, today - dt.timedelta(days=BACKFILL_DAYS))
    )
    audit.record(
        actor=actor, action="meetings.meeting_create", obj=meeting, after=_snapshot(meeting)
    )
    return meeting


def _snapshot(m: Meeting) -> dict[str, Any]:
    return {
        "name": m.name,
        "kind": m.kind,
        "department": m.department_id,
        "team": m.team_id,
        "host": m.host_id,
        "recurrence": m.recurrence,
        "weekday": m.weekday,
        "day_of_month": m.day_of_month,
        "starts_on": m.starts_on,
        "ends_on": m.ends_on,
        "start_time": m.start_time.strftime("%H:%M"),
        "end_time": m.end_time.strftime("%H:%M"),
        "active": m.active,
    }


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting | int, **fields: Any) -> Meeting:
    """Change a standing meeting — 修改例会. Future occurrences nobody has touched yet (no
    attendance, minutes, reports or leave) are regenerated; past ones keep their record."""
    require(actor, CHANGE_MEETING)
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    obj = Meeting.objects.select_for_update().get(pk=pk)
    require_run(actor, obj)
    before = _snapshot(obj)
    values = _values(fields)
    errors = _validate(values)
    if errors:
        raise DomainError("meeting_invalid", "例会设置有误", fields=errors)
    for key, value in values.items():
        setattr(obj, key, value)
    if not can_run(actor, obj, host_counts=False):
        raise DomainError(
            "meeting_out_of_scope",
            "只能为本人负责的班组或部门设置例会",
            fields={"team": "不在您的管理范围内"},
            status=403,
        )
    obj.save()
    today = timezone.localdate()
    untouched = (
        MeetingOccurrence.objects.filter(
            meeting=obj, date__gte=today, status=OccurrenceStatus.PLANNED, minutes=""
        )
        .filter(attendance__isnull=True, reports__isnull=True)
        .exclude(Q(starts_at__lte=timezone.now()))
    )
    MeetingOccurrence.objects.filter(pk__in=list(untouched.values_list("pk", flat=True))).delete()
    occurrences_generate(meeting=obj, start=max(obj.starts_on, today))
    audit.record(
        actor=actor, action="meetings.meeting_update", obj=obj, before=before, after=_snapshot(obj)
    )
    return obj


@transaction.atomic
def occurrence_cancel(
    *, actor: Any, occurrence: MeetingOccurrence | int, reason: str
) -> MeetingOccurrence:
    """Cancel one occurrence — 取消本次会议 (nobody is absent from a cancelled meeting)."""
    pk = occurrence.pk if isinstance(occurrence, MeetingOccurrence) else occurrence
    obj = MeetingOccurrence.objects.select_for_update().select_related("meeting").get(pk=pk)
    require_run(actor, obj.meeting)
    if obj.status == OccurrenceStatus.CANCELLED:
        raise ConflictError("occurrence_cancelled", "本次会议已取消")
    if obj.status == OccurrenceStatus.HELD or obj.attendance.filter(source="host").exists():
        raise ConflictError("occurrence_held", "本次会议已召开，不能取消")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("cancel_reason", "请填写取消原因", fields={"reason": "请填写取消原因"})
    obj.status = OccurrenceStatus.CANCELLED
    obj.cancel_reason = reason[:200]
    obj.save(update_fields=["status", "cancel_reason"])
    audit.record(actor=actor, action="meetings.occurrence_cancel", obj=obj, reason=reason)
    return obj
