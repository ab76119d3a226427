"""Forms of the leave pages — 请假申请, 销假."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from kefu.core.policy import workforce_policy

from .choices import LeavePart
from .policy import leave_policy

_DATE = {"required": "请选择日期", "invalid": "请输入正确的日期"}


class LeaveForm(forms.Form):
    """请假申请: type, whole days (or hours of one day for urgent leave), reason."""

    leave_type = forms.ChoiceField(
        label="假别",
        error_messages={"required": "请选择假别", "invalid_choice": "请选择正确的假别"},
    )
    start_day = forms.DateField(
        label="开始日期", widget=forms.DateInput(attrs={"type": "date"}), error_messages=_DATE
    )
    end_day = forms.DateField(
        label="结束日期", widget=forms.DateInput(attrs={"type": "date"}), error_messages=_DATE
    )
    hours = forms.DecimalField(
        label="请假小时数",
        required=False,
        min_value=0,
        max_value=24,
        decimal_places=1,
        help_text="仅请一天中的几个小时时填写（开始、结束为同一天）",
        error_messages={
            "invalid": "请输入小时数",
            "min_value": "小时数不能为负",
            "max_value": "小时数不能超过24",
            "max_decimal_places": "最多1位小数",
        },
    )
    part = forms.ChoiceField(
        label="请假时段",
        required=False,
        choices=LeavePart.choices,
        initial=LeavePart.START,
        help_text="按小时请假（不超过半天）时：上半班到半天点再到岗，下半班到半天点即可离岗",
        error_messages={"invalid_choice": "请选择请假时段"},
    )
    urgent = forms.BooleanField(
        label="紧急请假",
        required=False,
    )
    reason = forms.CharField(
        label="请假事由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写请假事由"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        policy = leave_policy(today)
        wf = workforce_policy(today)
        self.fields["leave_type"].choices = [
            ("", "请选择"),
            *((t.code, t.name) for t in policy.types),
        ]
        self.fields["urgent"].help_text = (
            f"急事可在班前{wf.urgent_leave_notice_hours:g}小时提出；"
            f"一般请假须在当班前{wf.leave_notice_hours:g}小时提出"
        )


class ReportBackForm(forms.Form):
    """销假: the day back at work."""

    returned_on = forms.DateField(
        label="实际返岗日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_DATE,
    )
