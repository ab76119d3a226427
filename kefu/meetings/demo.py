"""Demo meetings and mentoring — 演示例会与带教 for ``manage.py seed_demo``.

The standing meetings of the regulations, set up three weeks ago by the 客服部经理 (so past
occurrences exist): 周一部门例会 14:30 with reports, 班务会 on Fridays, the monthly 业务代表会议 on
the last Friday before the 25th and, for the 回访组, 晨会 9:30–10:00 and 午会培训 13:30–14:00 on
workdays. The last two Monday meetings have attendance (one late, one absent) and minutes. One
newcomer is paired with a mentor, with two training sessions and a practice exam, and one new
product training is on record. Idempotent: nothing is written when meetings or mentoring exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Department, Employee, Team

from . import services
from .choices import AttendanceStatus, MeetingKind, Recurrence, TrainingKind
from .models import Meeting, MeetingOccurrence, Mentorship
from .selectors import attendance_sheet

logger = logging.getLogger(__name__)


def _user_with(role: Role) -> Any:
    return (
        get_user_model()
        .objects.filter(groups__name=role.label, is_active=True, employee__status="active")
        .select_related("employee")
        .order_by("id")
        .first()
    )


def _series(manager: Any, dept: Department) -> None:
    start = timezone.localdate() - dt.timedelta(days=21)
    common = {"department": dept, "starts_on": start, "skip_holidays": True}
    plans = [
        dict(
            name="周一部门例会",
            kind=MeetingKind.WEEKLY,
            recurrence=Recurrence.WEEKLY,
            weekday=0,
            start_time=dt.time(14, 30),
            end_time=dt.time(15, 30),
            location="QQ会议 / 三楼会议室",
            reports_required=True,
            agenda="每位客服汇报上一周的完成目标情况、工作中遇到的问题及接下来需要改进的地方。",
        ),
        dict(
            name="班务会",
            kind=MeetingKind.SHIFT,
            recurrence=Recurrence.WEEKLY,
            weekday=4,
            start_time=dt.time(16, 0),
            end_time=dt.time(17, 0),
            agenda="就服务、安全、作风、培训、考勤等讲评本周工作，统一疑难问题的答复口径。",
        ),
        dict(
            name="业务代表会议",
            kind=MeetingKind.ALL_HANDS,
            recurrence=Recurrence.MONTHLY,
            day_of_month=25,
            weekday=4,
            start_time=dt.time(16, 0),
            end_time=dt.time(17, 30),
            agenda="通报月工作任务完成情况，根据质检检查情况奖优罚劣，通报下月工作计划。",
        ),
    ]
    for plan in plans:
        services.meeting_create(actor=manager, host=manager.employee, **common, **plan)
    visit_team = Team.objects.filter(department=dept, name__contains="回访").first()
    if visit_team is not None:
        for name, kind, t0, t1, agenda in (
            (
                "回访组晨会",
                MeetingKind.MORNING,
                (9, 30),
                (10, 0),
                "总结前一天的工作，安排当天的工作内容。",
            ),
            ("回访组午会", MeetingKind.NOON_TRAINING, (13, 30), (14, 0), "专业培训、模拟演练。"),
        ):
            services.meeting_create(
                actor=manager,
                host=visit_team.leader or manager.employee,
                team=visit_team,
                name=name,
                kind=kind,
                recurrence=Recurrence.WORKDAYS,
                start_time=dt.time(*t0),
                end_time=dt.time(*t1),
                agenda=agenda,
                **common,
            )


def _hold_past_mondays(manager: Any) -> None:
    meeting = Meeting.objects.filter(name="周一部门例会").first()
    if meeting is None:
        return
    past = MeetingOccurrence.objects.filter(
        meeting=meeting, starts_at__lt=timezone.now() - dt.timedelta(hours=2)
    ).order_by("-date")[:2]
    for occurrence in past:
        sheet = attendance_sheet(occurrence)
        rows = []
        for i, row in enumerate(sheet):
            status, late, reason = row.suggested, 0, row.reason
            if status == AttendanceStatus.PRESENT and i == 1:
                status, late = AttendanceStatus.LATE, 5
            elif status == AttendanceStatus.PRESENT and i == 2:
                status = AttendanceStatus.ABSENT
            rows.append(services.AttendanceRow(row.employee.pk, status, late, reason))
        try:
            services.attendance_record(actor=manager, occurrence=occurrence, rows=rows)
            services.meeting_minutes_record(
                actor=manager,
                occurrence=occurrence,
                minutes=(
                    "1. 上周投诉3起，均已结案；\n2. 双十一备货，售后组提前准备话术；\n"
                    "3. 下周起晚班交接本须写明待回复留言。"
                ),
            )
        except DomainError as exc:
            logger.info("demo meeting skipped: %s", exc.message)


def _mentoring(manager: Any) -> None:
    newcomer = (
        Employee.objects.filter(
            status=EmployeeStatus.ACTIVE, team__isnull=False, user__groups__name=Role.AGENT.label
        )
        .order_by("-hire_date", "-id")
        .first()
    )
    if newcomer is None:
        return
    mentor = (
        Employee.objects.filter(
            status=EmployeeStatus.ACTIVE, team=newcomer.team, user__groups__name=Role.AGENT.label
        )
        .exclude(pk=newcomer.pk)
        .order_by("hire_date", "id")
        .first()
    )
    if mentor is None:
        return
    today = timezone.localdate()
    pair = services.mentorship_create(
        actor=manager,
        newcomer=newcomer,
        mentor=mentor,
        start_date=today - dt.timedelta(days=20),
        planned_end=today + dt.timedelta(days=10),
        notes="一人带一个，上机操作培训",
    )
    for days, topic, hours in (
        (18, "客服系统上机操作与工单登记", 3),
        (10, "售后政策与常见问题话术", 2),
    ):
        services.training_record(
            actor=manager,
            kind=TrainingKind.MENTORING,
            topic=topic,
            date=today - dt.timedelta(days=days),
            hours=hours,
            mentorship=pair,
        )
    services.exam_record(
        actor=manager,
        employee=newcomer,
        subject="产品知识测验",
        date=today - dt.timedelta(days=5),
        score=72,
        mentorship=pair,
    )
    services.training_record(
        actor=manager,
        kind=TrainingKind.PRODUCT,
        topic="新款高清网络摄像机产品属性讲解",
        date=today - dt.timedelta(days=2),
        hours=1,
        trainer=manager.employee,
        attendees=[newcomer, mentor],
        product="高清网络摄像机 X2",
        launch_date=today + dt.timedelta(days=7),
    )


def seed_demo_meetings(actor: Any) -> None:
    manager = _user_with(Role.CS_MANAGER)
    dept = Department.objects.filter(code="CS").first()
    if manager is None or dept is None:
        return
    if not Meeting.objects.exists():
        _series(manager, dept)
        _hold_past_mondays(manager)
    if not Mentorship.objects.exists():
        _mentoring(manager)
