"""Forms of the visit pages — 回访单, 改派, 纠正措施, 新年关怀."""

from __future__ import annotations

from django import forms

from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Department, Employee

from .choices import FollowUp, Outcome


class RecordForm(forms.Form):
    """登记回访单."""

    outcome = forms.ChoiceField(
        label="回访结果",
        choices=[("", "请选择"), *Outcome.choices],
        error_messages={"required": "请选择回访结果", "invalid_choice": "请选择回访结果"},
    )
    notes = forms.CharField(
        label="回访记录", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.ChoiceField(
        label="问题处理",
        required=False,
        choices=[("", "无"), *FollowUp.choices],
        error_messages={"invalid_choice": "请选择转工单或纠正措施"},
    )
    problem = forms.CharField(
        label="发现的问题",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    action_department = forms.ModelChoiceField(
        label="责任部门（纠正措施）",
        required=False,
        queryset=Department.objects.order_by("code"),
        error_messages={"invalid_choice": "请选择正确的部门"},
    )
    action_due = forms.DateField(
        label="完成期限（纠正措施）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请输入正确的日期"},
    )


def visitor_queryset():  # type: ignore[no-untyped-def]
    return (
        Employee.objects.filter(
            status=EmployeeStatus.ACTIVE, user__groups__name=Role.RETURN_VISITOR.label
        )
        .distinct()
        .order_by("employee_no")
    )


class ReassignForm(forms.Form):
    """改派回访任务."""

    assignee = forms.ModelChoiceField(
        label="回访员",
        queryset=Employee.objects.none(),
        error_messages={"required": "请选择回访员", "invalid_choice": "请选择在职回访员"},
    )
    reason = forms.CharField(label="改派原因", required=False, max_length=200)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = visitor_queryset()


class ActionCloseForm(forms.Form):
    result = forms.CharField(
        label="整改结果", max_length=2000, error_messages={"required": "请填写整改结果"}
    )


class CareRecordForm(forms.Form):
    """登记新年关怀: 礼品寄送日期, 次年需求计划."""

    gift_sent_on = forms.DateField(
        label="礼品寄送日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写礼品寄送日期", "invalid": "请输入正确的日期"},
    )
    demand = forms.CharField(
        label="次年需求计划",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写客户次年需求计划（无需求请写“无”）"},
    )
