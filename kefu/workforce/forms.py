"""排班 forms: the staffing calculator (话务量测算) and the rest request (休息申请)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from .staffing_input import DAY_KEYS, default_profile, profile_text

MODE_CHOICES = (("intervals", "按时段录入咨询量"), ("daily", "日咨询量 × 时段分布"))


class StaffingForm(forms.Form):
    """话务量测算: parameters, the forecast (by interval or daily × profile), and where to apply."""

    required_marks = True

    interval_minutes = forms.TypedChoiceField(
        label="时段长度（分钟）",
        choices=((15, "15"), (30, "30"), (60, "60")),
        coerce=int,
        initial=30,
    )
    aht_seconds = forms.DecimalField(
        label="平均处理时长（秒）", min_value=1, max_value=7200, decimal_places=1, initial=180
    )
    target_sl = forms.DecimalField(
        label="服务水平目标（%）", min_value=1, max_value=99, decimal_places=1, initial=80
    )
    target_seconds = forms.DecimalField(
        label="目标应答时间（秒）", min_value=1, max_value=600, decimal_places=1, initial=20
    )
    max_occupancy = forms.DecimalField(
        label="最高占用率（%）",
        min_value=10,
        max_value=100,
        decimal_places=1,
        required=False,
        help_text="留空表示不限",
    )
    shrinkage = forms.DecimalField(
        label="缺勤率（%）", min_value=0, max_value=90, decimal_places=1, initial=30
    )
    mode = forms.ChoiceField(
        label="预测方式", choices=MODE_CHOICES, initial="intervals", widget=forms.RadioSelect
    )
    intervals = forms.CharField(
        label="各时段咨询量",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "08:30 120\n09:00 150\n…"}),
        help_text="每行一个时段：开始时间 咨询量（可从 Excel 复制两列粘贴）",
    )
    file = forms.FileField(label="或上传 Excel（时段、咨询量两列）", required=False)
    profile = forms.CharField(
        label="时段分布（%）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行：开始时间 占全天的百分比；留空使用常规营业日分布",
    )
    weekday = forms.TypedChoiceField(
        label="显示", choices=list(enumerate(DAY_KEYS)), coerce=int, initial=0, required=False
    )
    team = forms.TypedChoiceField(label="班组", coerce=int, required=False, empty_value=None)
    month = forms.CharField(label="月份", required=False)

    def __init__(self, *args: Any, teams: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—"), *[(t.pk, t.name) for t in teams]]
        for key, label in enumerate(DAY_KEYS):
            self.fields[f"daily_{key}"] = forms.DecimalField(
                label=f"{label}日咨询量",
                min_value=0,
                max_value=10_000_000,
                decimal_places=1,
                required=False,
            )
        if not self.is_bound:
            self.initial.setdefault("profile", profile_text(default_profile()))

    def daily_fields(self) -> list[Any]:
        return [self[f"daily_{k}"] for k in range(len(DAY_KEYS))]

    @staticmethod
    def percent(value: Decimal | None) -> float | None:
        return None if value is None else float(value) / 100


class RestRequestForm(forms.Form):
    """休息申请: a day of a coming month and, optionally, why."""

    required_marks = True

    day = forms.DateField(label="休息日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", max_length=200, required=False)
