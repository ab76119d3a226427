"""考勤月报 (WFM-6): the aggregation, the due day, the 已报送 record, the Excel layout."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kefu.attendance import selectors, services
from kefu.attendance.choices import DayStatus
from kefu.attendance.excel import monthly_workbook
from kefu.attendance.hooks import _SOURCES, register_leave_type_source
from kefu.attendance.models import AttendanceReportSubmission
from kefu.attendance.report import DayRow, Person, build_report
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent

from .factories import local

MARCH = dt.date(2026, 3, 1)


def d(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def test_build_report_counts_each_kind_of_day() -> None:
    p = Person(1, "KF011", "客服甲一", "售前组")
    rows = [
        DayRow(1, d(2), DayStatus.NORMAL),
        DayRow(1, d(3), DayStatus.LATE, late_minutes=12, points=Decimal("-0.5")),
        DayRow(1, d(4), DayStatus.LATE_EARLY, 5, 7, points=Decimal(-1)),
        DayRow(1, d(5), DayStatus.ABSENT, late_minutes=45, points=Decimal(-2)),
        DayRow(
            1, d(6), DayStatus.TRUANCY, 0, 0, True, True, True, Decimal(-5), Decimal(0), Decimal(1)
        ),
        DayRow(1, d(7), DayStatus.MISSED, 0, 0, False, True, True, Decimal(0), Decimal(-30)),
        DayRow(1, d(8), DayStatus.REST),
        DayRow(1, d(9), DayStatus.LEAVE),
        DayRow(1, d(10), DayStatus.LEAVE),
        DayRow(1, d(11), DayStatus.MISSED, 0, 0, True, True, False),
        DayRow(1, dt.date(2026, 4, 1), DayStatus.ABSENT),  # another month: ignored
    ]
    report = build_report(
        month=MARCH,
        people=[p],
        rows=rows,
        leave_types={(1, d(9)): "病假"},
        corrections={1: 2},
        dismissal_days=2,
    )
    (line,) = report.lines
    assert line.scheduled_days == 7 and line.worked_days == 4
    assert (line.late_count, line.late_minutes) == (2, 17)  # the 旷工 day's 45 minutes not counted
    assert (line.early_count, line.early_minutes) == (1, 7)
    assert line.missed_count == 1 and line.absence_days == 1 and line.truancy_days == 1
    assert line.leave_days == 2 and line.leave_by_type == {"病假": 1, "请假": 1}
    assert line.rest_days == 1 and line.corrections == 2 and line.open_days == 1
    assert (line.deducted_points, line.fined, line.pay_days) == (Decimal("8.5"), Decimal(30), 1)
    assert line.note == "旷工/旷班累计2天，已达2天辞退线"
    assert report.leave_types == ["病假", "请假"]
    assert line.grid[d(3)] == "迟" and line.grid[d(6)] == "旷班" and line.grid[d(8)] == "休"
    assert report.totals.late_minutes == 17 and report.totals.leave_by_type == {
        "病假": 1,
        "请假": 1,
    }
    assert len(report.days) == 31


@pytest.mark.django_db
def test_monthly_report_due_day_and_submission(org, roster, frozen) -> None:
    a1, sup = org["agent_a1"], org["supervisor"].user
    services.clock_punch(actor=a1.user, now=local(d(16), 8, 45))
    services.classify_range(start=d(1), end=d(17))
    register_leave_type_source("test", lambda ids, s, e: {})
    try:
        report = selectors.monthly_report(sup, org["cs"], MARCH)
    finally:
        _SOURCES.pop("test", None)
    names = [x.person.name for x in report.lines]
    assert names == ["客服甲一", "客服甲二"]
    line = report.lines[0]
    assert line.late_count == 1 and line.late_minutes == 15
    assert line.rest_days == 1 and line.truancy_days == 14  # 1st..14th: window closed
    assert selectors.report_due(MARCH) == dt.date(2026, 4, 25)
    # the month is not over on the 18th
    with pytest.raises(DomainError, match="2026年3月尚未结束，月末后才能报送"):
        services.report_submit(actor=sup, department=org["cs"], month=MARCH)
    feb = services.report_submit(
        actor=sup, department=org["cs"].pk, month=dt.date(2026, 2, 1), note="无异常"
    )
    assert feb.on_time and feb.due_on == dt.date(2026, 3, 25)
    assert feb.submitted_by == org["supervisor"] and feb.snapshot["lines"] == []
    assert AuditEvent.objects.filter(action="attendance.report_submit").count() == 1
    # neither an agent nor HR (no submit right) nor another department
    for who in ("agent_a1", "hr", "lead_a"):
        with pytest.raises(PermissionDeniedError):
            services.report_submit(
                actor=org[who].user, department=org["cs"], month=dt.date(2026, 2, 1)
            )
    with pytest.raises(PermissionDeniedError, match="只能报送本人管理范围内部门的考勤"):
        services.report_submit(actor=sup, department=org["hr_dept"], month=dt.date(2026, 2, 1))
    assert AttendanceReportSubmission.objects.count() == 1


@pytest.mark.django_db
def test_monthly_excel_layout(org, roster, frozen) -> None:
    services.classify_range(start=d(1), end=d(17))
    report = selectors.monthly_report(org["supervisor"].user, org["cs"], MARCH)
    export = monthly_workbook(report, department="客服部", due=dt.date(2026, 4, 25))
    assert export.filename == "客服部_2026年3月考勤月报.xlsx" and export.count == 2
    wb = load_workbook(io.BytesIO(export.content))
    summary, grid = wb["考勤汇总"], wb["考勤明细"]
    assert summary["A1"].value == "客服部 2026年3月考勤汇总表"
    assert "报送截止：2026-04-25" in summary["A2"].value
    headers = [c.value for c in summary[3]]
    assert headers[:6] == ["序号", "工号", "姓名", "班组", "应出勤（天）", "实出勤（天）"]
    assert "旷班（天）" in headers and headers[-1] == "备注"
    assert summary.cell(row=4, column=2).value == "KF011"
    assert summary.cell(row=6, column=1).value == "合计"
    assert "考勤员" in summary.cell(row=8, column=1).value
    assert grid["A1"].value == "客服部 2026年3月考勤明细表"
    assert grid.cell(row=3, column=4).value == "1" and grid.cell(row=4, column=4).value == "日"
    assert grid.cell(row=5, column=4 + 14).value == "休"  # the 15th
