"""Forms of the meetings pages — 例会设置, 纪要, 请假, 汇报, 带教, 培训, 考试."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from kefu.org.choices import EmployeeStatus
from kefu.org.models import Department, Employee, Team
from kefu.org.selectors import employee_scope_filter

from .choices import WEEKDAYS, MeetingKind, Recurrence, TrainingKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_ERRORS = {"invalid": "请输入正确的日期"}


def people_in_scope(user: Any) -> QuerySet[Employee]:
    return (
        Employee.objects.filter(employee_scope_filter(user), status=EmployeeStatus.ACTIVE)
        .select_related("team")
        .order_by("employee_no")
    )


class EmployeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.employee_no} {obj.name}"


class EmployeeMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.employee_no} {obj.name}"


class MeetingForm(forms.Form):
    """新增/修改例会."""

    name = forms.CharField(
        label="会议名称", max_length=60, error_messages={"required": "请填写会议名称"}
    )
    kind = forms.ChoiceField(
        label="会议类型",
        choices=[("", "请选择"), *MeetingKind.choices],
        error_messages={"required": "请选择会议类型", "invalid_choice": "请选择会议类型"},
    )
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.order_by("sort_order", "id"),
        error_messages={"required": "请选择部门", "invalid_choice": "请选择部门"},
    )
    team = forms.ModelChoiceField(
        label="班组（不选则全部门参加）",
        required=False,
        queryset=Team.objects.order_by("name"),
        error_messages={"invalid_choice": "请选择班组"},
    )
    host = EmployeeChoice(
        label="主持人",
        queryset=Employee.objects.none(),
        error_messages={"required": "请选择主持人", "invalid_choice": "请选择主持人"},
    )
    location = forms.CharField(label="地点", required=False, max_length=100)
    recurrence = forms.ChoiceField(
        label="重复方式",
        choices=Recurrence.choices,
        error_messages={"required": "请选择重复方式", "invalid_choice": "请选择重复方式"},
    )
    weekday = forms.TypedChoiceField(
        label="星期（每周/每月最后一个星期几）",
        required=False,
        choices=[("", "—"), *WEEKDAYS],
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "请选择星期"},
    )
    day_of_month = forms.IntegerField(
        label="每月日期（之前）",
        required=False,
        min_value=1,
        max_value=31,
        error_messages={
            "invalid": "请输入1～31",
            "min_value": "请输入1～31",
            "max_value": "请输入1～31",
        },
    )
    starts_on = forms.DateField(
        label="开始日期", widget=DATE, error_messages={"required": "请填写开始日期", **DATE_ERRORS}
    )
    ends_on = forms.DateField(
        label="结束日期", required=False, widget=DATE, error_messages=DATE_ERRORS
    )
    start_time = forms.TimeField(
        label="开始时间",
        widget=TIME,
        error_messages={"required": "请填写开始时间", "invalid": "时间格式为HH:MM"},
    )
    end_time = forms.TimeField(
        label="结束时间",
        widget=TIME,
        error_messages={"required": "请填写结束时间", "invalid": "时间格式为HH:MM"},
    )
    skip_holidays = forms.BooleanField(label="法定节假日不开", required=False, initial=True)
    reports_required = forms.BooleanField(label="每人须提交汇报（上周工作、改进）", required=False)
    agenda = forms.CharField(
        label="会议内容", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = people_in_scope(user)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label="会议纪要",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请填写会议纪要"},
    )


class LeaveForm(forms.Form):
    reason = forms.CharField(
        label="请假事由", max_length=200, error_messages={"required": "请填写请假事由"}
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="取消原因", max_length=200, error_messages={"required": "请填写取消原因"}
    )


class ReportForm(forms.Form):
    """个人汇报 (WFM-9)."""

    work_done = forms.CharField(
        label="上周工作及目标完成情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写上周工作及目标完成情况"},
    )
    problems = forms.CharField(
        label="工作中遇到的问题",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    improvements = forms.CharField(
        label="接下来需要改进的地方",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写接下来需要改进的地方"},
    )


class MentorshipForm(forms.Form):
    """新增带教."""

    newcomer = EmployeeChoice(
        label="新员工",
        queryset=Employee.objects.none(),
        error_messages={"required": "请选择新员工", "invalid_choice": "请选择新员工"},
    )
    mentor = EmployeeChoice(
        label="带教老师",
        queryset=Employee.objects.none(),
        error_messages={"required": "请选择带教老师", "invalid_choice": "请选择带教老师"},
    )
    start_date = forms.DateField(
        label="开始日期", widget=DATE, error_messages={"required": "请填写开始日期", **DATE_ERRORS}
    )
    planned_end = forms.DateField(
        label="计划结束日期", required=False, widget=DATE, error_messages=DATE_ERRORS
    )
    notes = forms.CharField(label="备注", required=False, max_length=500)

    def __init__(self, *args, user=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        people = people_in_scope(user)
        self.fields["newcomer"].queryset = people
        self.fields["mentor"].queryset = people


class EndForm(forms.Form):
    end_date = forms.DateField(
        label="结束日期", widget=DATE, error_messages={"required": "请填写结束日期", **DATE_ERRORS}
    )
    reason = forms.CharField(
        label="终止原因", max_length=200, error_messages={"required": "请填写终止原因"}
    )


class TrainingForm(forms.Form):
    """登记培训 (带教、岗前、新品上线前培训)."""

    kind = forms.ChoiceField(
        label="培训类型",
        choices=[("", "请选择"), *TrainingKind.choices],
        error_messages={"required": "请选择培训类型", "invalid_choice": "请选择培训类型"},
    )
    topic = forms.CharField(
        label="培训内容", max_length=200, error_messages={"required": "请填写培训内容"}
    )
    date = forms.DateField(
        label="培训日期", widget=DATE, error_messages={"required": "请填写培训日期", **DATE_ERRORS}
    )
    hours = forms.DecimalField(
        label="学时",
        min_value=0.5,
        max_value=24,
        decimal_places=1,
        error_messages={
            "required": "请填写学时",
            "invalid": "请输入数字",
            "min_value": "学时须在0.5～24之间",
            "max_value": "学时须在0.5～24之间",
            "max_decimal_places": "学时最多一位小数",
        },
    )
    trainer = EmployeeChoice(
        label="培训老师",
        required=False,
        queryset=Employee.objects.filter(status=EmployeeStatus.ACTIVE).order_by("employee_no"),
        error_messages={"invalid_choice": "请选择培训老师"},
    )
    trainer_name = forms.CharField(label="外部讲师", required=False, max_length=40)
    attendees = EmployeeMultiChoice(
        label="参训人员",
        required=False,
        queryset=Employee.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={"invalid_choice": "请选择参训人员"},
    )
    product = forms.CharField(label="新产品", required=False, max_length=100)
    launch_date = forms.DateField(
        label="上架日期", required=False, widget=DATE, error_messages=DATE_ERRORS
    )
    notes = forms.CharField(label="备注", required=False, max_length=500)

    def __init__(self, *args, user=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = people_in_scope(user)


class ExamForm(forms.Form):
    """登记考试成绩."""

    subject = forms.CharField(
        label="考试科目", max_length=100, error_messages={"required": "请填写考试科目"}
    )
    date = forms.DateField(
        label="考试日期", widget=DATE, error_messages={"required": "请填写考试日期", **DATE_ERRORS}
    )
    score = forms.DecimalField(
        label="成绩",
        min_value=0,
        max_value=100,
        decimal_places=1,
        error_messages={
            "required": "请填写成绩",
            "invalid": "请输入数字",
            "min_value": "成绩须在0～100之间",
            "max_value": "成绩须在0～100之间",
            "max_decimal_places": "成绩最多一位小数",
        },
    )
    qualifying = forms.BooleanField(label="上岗考试（合格即出师）", required=False)
