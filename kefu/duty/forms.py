"""Forms of the duty pages — 交接班记录, 接班确认, 撤销异常, 在线状态."""

from __future__ import annotations

import re

from django import forms

from .choices import WIDGET_STATUSES


class HandoverForm(forms.Form):
    """填写交接班记录 (WFM-7): 客户疑问 (工单), 待处理事宜, 设备情况, 人员调班情况."""

    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择日期", "invalid": "请输入正确的日期"},
    )
    shift_code = forms.ChoiceField(
        label="班次",
        choices=(),
        error_messages={"required": "请选择班次", "invalid_choice": "请选择班次"},
    )
    tickets = forms.MultipleChoiceField(
        label="未完结的客户问题（我的工单）",
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "请选择本人的工单"},
    )
    ticket_numbers = forms.CharField(
        label="其他工单编号",
        required=False,
        max_length=1000,
        help_text="多个编号用逗号、空格或换行分隔",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "KF20261122-0001"}),
    )
    pending_work = forms.CharField(
        label="待处理事宜",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写待处理事宜（没有请写“无”）"},
    )
    equipment_ok = forms.TypedChoiceField(
        label="设备情况",
        choices=(("1", "正常"), ("0", "异常")),
        coerce=lambda v: v == "1",
        initial="1",
        error_messages={"required": "请选择设备情况", "invalid_choice": "请选择设备情况"},
    )
    equipment_notes = forms.CharField(label="设备说明", required=False, max_length=500)
    staffing = forms.CharField(label="人员调班情况", required=False, max_length=500)
    notes = forms.CharField(
        label="其他事项（上级指示、客户建议等）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, shift_choices=(), ticket_choices=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["shift_code"].choices = [("", "请选择"), *shift_choices]
        self.fields["tickets"].choices = list(ticket_choices)

    def numbers(self) -> list[str]:
        raw = self.cleaned_data.get("ticket_numbers") or ""
        return [n for n in re.split(r"[\s,，、;；]+", raw) if n]


class AckForm(forms.Form):
    """接班确认."""

    remark = forms.CharField(
        label="接班备注",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "已阅，客户问题已接手"}),
    )


class ReasonForm(forms.Form):
    """撤销异常 / 认可原因."""

    reason = forms.CharField(
        label="原因", max_length=300, error_messages={"required": "请填写原因"}
    )


class PresenceForm(forms.Form):
    """顶栏在线状态."""

    status = forms.ChoiceField(
        label="在线状态",
        choices=[(s.value, s.label) for s in WIDGET_STATUSES],
        error_messages={"required": "请选择在线状态", "invalid_choice": "请选择在线状态"},
    )
    reason = forms.CharField(label="原因", required=False, max_length=200)
