"""Forms of the swap pages — 换班申请, 安排还班, 拒绝, 审批."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from kefu.org.models import Employee
from kefu.workforce.rostering.problem import OFF_CODES
from kefu.workforce.selectors import published_schedule
from kefu.workforce.shifts import shift_names

from .selectors import colleagues_for_swap

WEEKDAYS = "一二三四五六日"
HORIZON_DAYS = 62


def day_label(day: dt.date, code: str, names: dict[str, str]) -> str:
    return f"{day:%Y-%m-%d} 周{WEEKDAYS[day.weekday()]} {names.get(code, code)}"


def my_shift_days(employee: Employee, *, working: bool = True) -> list[tuple[str, str]]:
    """(ISO day, label) of the employee's published days from tomorrow on: the shifts they may
    give (``working``), or their rest days (还班: the day the colleague's shift is taken)."""
    start = timezone.localdate() + dt.timedelta(days=1)
    sched = published_schedule([employee.pk], start, start + dt.timedelta(days=HORIZON_DAYS))
    names = shift_names(start)
    out = []
    for (_, day), code in sorted(sched.items()):
        if (code not in OFF_CODES) == working:
            out.append((day.isoformat(), day_label(day, code, names)))
    return out


_DATE_ERRORS = {"invalid": "请输入正确的日期"}


class SwapForm(forms.Form):
    """换班申请: my shift day, the colleague, and the payback (还班) day or deadline."""

    day = forms.ChoiceField(
        label="换班日期（我的班次）",
        error_messages={"required": "请选择换班日期", "invalid_choice": "请选择排班表中的日期"},
    )
    colleague = forms.ModelChoiceField(
        label="换班同事",
        queryset=Employee.objects.none(),
        error_messages={"required": "请选择换班同事", "invalid_choice": "请选择本班组的同事"},
    )
    payback_day = forms.DateField(
        label="还班日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_DATE_ERRORS,
        help_text="同事当天上班、您休息的日期；暂不确定可只填还班期限，之后再安排还班",
    )
    payback_due = forms.DateField(
        label="还班期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_DATE_ERRORS,
    )
    reason = forms.CharField(
        label="换班原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写换班原因"},
    )

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", "请选择"), *my_shift_days(employee)]
        self.fields["colleague"].queryset = colleagues_for_swap(employee)
        self.fields["colleague"].empty_label = "请选择"
        self.fields["colleague"].label_from_instance = lambda e: f"{e.name}（{e.employee_no}）"

    def clean_day(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["day"])


class PaybackForm(forms.Form):
    """安排还班: a rest day of mine on which I take the colleague's shift."""

    day = forms.ChoiceField(
        label="还班日期（我休息、同事上班的日期）",
        error_messages={"required": "请选择还班日期", "invalid_choice": "请选择排班表中的日期"},
    )
    reason = forms.CharField(
        label="还班说明",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写还班说明"},
    )

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", "请选择"), *my_shift_days(employee, working=False)]

    def clean_day(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["day"])


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="拒绝原因", max_length=300, error_messages={"required": "请填写拒绝原因"}
    )


class DecideForm(forms.Form):
    """审批: 同意 or 驳回 (a comment is required to reject)."""

    decision = forms.ChoiceField(
        label="审批结果",
        choices=[("approve", "同意"), ("reject", "驳回")],
        error_messages={"required": "请选择审批结果", "invalid_choice": "请选择审批结果"},
    )
    comment = forms.CharField(label="审批意见", required=False, max_length=500)
