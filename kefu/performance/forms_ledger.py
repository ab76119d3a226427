"""Forms of the ledger pages — 登记奖惩, 申诉, 处理申诉, 撤销/更正, 导入."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone

from kefu.org.selectors import employee_of, employees_for_user

from .choices import AppealStatus
from .policy import performance_policy

_DATE = {"required": "请选择日期", "invalid": "请输入正确的日期"}
_NUMBER = {
    "invalid": "请输入数字",
    "min_value": "须≥0",
    "max_digits": "数字过大",
    "max_decimal_places": "最多2位小数",
}


def _amount(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=help_text,
        error_messages=_NUMBER,
    )


class IncidentForm(forms.Form):
    """登记奖惩事件: person in scope, a manual catalogue rule, day, quantity and amounts."""

    employee = forms.ModelChoiceField(
        label="员工",
        queryset=None,
        error_messages={"required": "请选择员工", "invalid_choice": "请选择管理范围内的员工"},
    )
    rule = forms.ChoiceField(
        label="奖惩条目",
        error_messages={"required": "请选择条目", "invalid_choice": "请选择可手工登记的条目"},
    )
    day = forms.DateField(
        label="发生日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE,
    )
    quantity = _amount("数量", "按数量计的条目填写（如缺几项、延迟几个30秒）")
    points = _amount("分值", "留空按制度默认值")
    money = _amount("金额（元）", "留空按制度默认值")
    description = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_link = forms.CharField(
        label="证据链接",
        required=False,
        max_length=300,
        help_text="工单、投诉、考勤记录等的链接",
        error_messages={"max_length": "最多300字"},
    )
    propose_only = forms.BooleanField(
        label="仅提议", required=False, help_text="勾选后由主管确认后才计入"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        me = employee_of(user)
        people = employees_for_user(user, status="active")
        if me is not None:
            people = people.exclude(pk=me.pk)
        self.fields["employee"].queryset = people
        self.fields["employee"].label_from_instance = lambda e: f"{e.name}（{e.employee_no}）"
        today = timezone.localdate()
        self.fields["rule"].choices = [
            ("", "请选择"),
            *((r.code, r.name) for r in performance_policy(today).rules if r.manual),
        ]
        if not user.has_perm("performance.confirm_incident"):
            del self.fields["propose_only"]
        attrs = {
            "hx-get": reverse("performance:incident_amounts"),
            "hx-target": "#incident-amounts",
            "hx-trigger": "change",
            "hx-include": "closest form",
            # Four fields refresh one box: the newest choice must win, so a request still in flight
            # is aborted (without this an earlier, empty answer could land last).
            "hx-sync": "closest form:replace",
        }
        for name in ("employee", "rule", "day", "quantity"):
            self.fields[name].widget.attrs.update(attrs)


class AppealForm(forms.Form):
    """申诉: the employee's reason."""

    reason = forms.CharField(
        label="申诉理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写申诉理由"},
    )


class DecideForm(forms.Form):
    """处理申诉: 维持原判 / 撤销 / 更正 (the submit button carries the decision)."""

    decision = forms.ChoiceField(
        label="处理结果",
        choices=[(v, label) for v, label in AppealStatus.choices if v != AppealStatus.PENDING],
        required=False,
    )
    reason = forms.CharField(
        label="处理意见",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写处理意见"},
    )
    corrected_points = _amount("更正后分值", "仅“更正”时填写（正数，扣减或奖励由条目决定）")
    corrected_money = _amount("更正后金额（元）", "仅“更正”时填写")


class RevokeForm(forms.Form):
    """撤销 / 更正 by the manager (a reversal entry; corrected amounts book a new line)."""

    reason = forms.CharField(
        label="撤销/更正理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写理由"},
    )
    corrected_points = _amount("更正后分值", "仅“更正”时填写（正数，扣减或奖励由条目决定）")
    corrected_money = _amount("更正后金额（元）", "仅“更正”时填写")


class ImportForm(forms.Form):
    """导入各模块事件: a date range (default: this month so far)."""

    start = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE,
    )
    end = forms.DateField(
        label="结束日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE,
    )
