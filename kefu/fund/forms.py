"""Forms of the 部门基金 pages — 申请支出, 登记收入, 审批."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from kefu.org.models import Department

_DATE = {"required": "请选择日期", "invalid": "请输入正确的日期"}
_AMOUNT = {
    "required": "请输入金额",
    "invalid": "请输入金额",
    "min_value": "金额必须大于0",
    "max_value": "金额过大",
    "max_digits": "金额过大",
    "max_whole_digits": "金额过大",
    "max_decimal_places": "金额最多2位小数",
}


class FundEntryForm(forms.Form):
    """申请支出 / 登记收入: department (only those the user may act on), day, amount, text."""

    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择部门", "invalid_choice": "请选择正确的部门"},
    )
    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE,
    )
    amount = forms.DecimalField(
        label="金额（元）",
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        error_messages=_AMOUNT,
    )
    description = forms.CharField(
        label="支出事由",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写支出事由", "max_length": "最多200字"},
    )

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department],
        description_label: str = "支出事由",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["description"].label = description_label
        self.fields["description"].error_messages["required"] = f"请填写{description_label}"
        if not self.is_bound:
            self.initial.setdefault("day", timezone.localdate())


class DecideForm(forms.Form):
    """审批: 同意 or 驳回 (a reason is required to reject)."""

    decision = forms.ChoiceField(
        label="审批结果",
        choices=[("approve", "同意"), ("reject", "驳回")],
        error_messages={"required": "请选择审批结果", "invalid_choice": "请选择审批结果"},
    )
    comment = forms.CharField(
        label="审批意见",
        required=False,
        max_length=500,
        help_text="驳回时必须填写理由",
        widget=forms.TextInput(attrs={"size": 40}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "驳回时请填写驳回理由")
        return data
