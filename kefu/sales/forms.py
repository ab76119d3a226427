"""Forms of the sales pages — 销售日报填写、订单导入、询单数登记."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from kefu.org.models import Employee

from . import orderfile
from .choices import ChaseChannel

REQUIRED = {"required": "必填"}


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.employee_no} {obj.name}"


class ReportForm(forms.Form):
    """填写销售日报 — the order's header; its items are ``ItemFormSet``."""

    required_marks = True

    agent = AgentChoiceField(
        label="客服", queryset=Employee.objects.none(), error_messages={"required": "请选择客服"}
    )
    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请选择日期", "invalid": "日期格式不正确"},
    )
    order_no = forms.CharField(label="订单号", max_length=40, error_messages=REQUIRED)
    customer_name = forms.CharField(label="买家", max_length=60, required=False)
    remarks = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, agents: QuerySet[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class ItemForm(forms.Form):
    """One item: 商品, 数量, 单价 (金额 = 数量 × 单价)."""

    item = forms.CharField(label="商品", max_length=120, required=False)
    quantity = forms.IntegerField(
        label="数量",
        min_value=1,
        max_value=100000,
        required=False,
        error_messages={"invalid": "必须是整数", "min_value": "须≥1"},
    )
    unit_price = forms.DecimalField(
        label="单价",
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        required=False,
        error_messages={"invalid": "必须是数字", "min_value": "不能为负数"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("item") and (data.get("quantity") is None or data.get("unit_price") is None):
            self.add_error("quantity", "请填写数量和单价")
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=5, max_num=20, absolute_max=20)


class OrderUploadForm(forms.Form):
    """The shop's order export (CSV or .xlsx)."""

    required_marks = True

    file = forms.FileField(
        label="订单导出文件（.csv / .xlsx）", error_messages={"required": "请选择要导入的文件"}
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > orderfile.MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"文件过大，请不要超过 {orderfile.MAX_FILE_BYTES // (1024 * 1024)} MB"
            )
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError("请上传 .csv 或 .xlsx 格式的文件")
        return upload


class InquiryForm(forms.Form):
    """登记询单数 (the chat tool's count of an agent's day)."""

    required_marks = True

    agent = AgentChoiceField(
        label="客服", queryset=Employee.objects.none(), error_messages={"required": "请选择客服"}
    )
    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请选择日期", "invalid": "日期格式不正确"},
    )
    count = forms.IntegerField(
        label="询单数",
        min_value=0,
        max_value=100000,
        error_messages={"required": "必填", "invalid": "必须是整数", "min_value": "不能为负数"},
    )

    def __init__(self, *args: Any, agents: QuerySet[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class UnpaidOrderForm(forms.Form):
    """登记未付款订单 — 客服, 订单号, 拍下时间, 金额, 商品, 买家."""

    required_marks = True

    agent = AgentChoiceField(
        label="客服", queryset=Employee.objects.none(), error_messages={"required": "请选择客服"}
    )
    order_no = forms.CharField(label="订单号", max_length=40, error_messages=REQUIRED)
    placed_at = forms.DateTimeField(
        label="拍下时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"required": "请填写拍下时间", "invalid": "时间格式不正确"},
    )
    amount = forms.DecimalField(
        label="金额",
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
        error_messages={"invalid": "必须是数字", "min_value": "不能为负数"},
    )
    items = forms.CharField(label="商品", max_length=200, required=False)
    customer_name = forms.CharField(label="买家", max_length=60, required=False)

    def __init__(self, *args: Any, agents: QuerySet[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class ChaseForm(forms.Form):
    """登记催付 — 方式, 时间 (empty: now), 备注."""

    channel = forms.ChoiceField(
        label="催付方式", choices=ChaseChannel.choices, error_messages={"required": "请选择"}
    )
    chased_at = forms.DateTimeField(
        label="催付时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "时间格式不正确"},
    )
    note = forms.CharField(label="备注", max_length=200, required=False)


class LineCorrectForm(forms.Form):
    """更正销售明细 — the fields of one line and the reason."""

    required_marks = True

    agent = AgentChoiceField(
        label="客服", queryset=Employee.objects.none(), error_messages={"required": "请选择客服"}
    )
    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请选择日期", "invalid": "日期格式不正确"},
    )
    item = forms.CharField(label="商品", max_length=120, error_messages=REQUIRED)
    quantity = forms.IntegerField(
        label="数量",
        min_value=1,
        max_value=100000,
        error_messages={"required": "必填", "invalid": "必须是整数", "min_value": "须≥1"},
    )
    unit_price = forms.DecimalField(
        label="单价",
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        error_messages={"required": "必填", "invalid": "必须是数字", "min_value": "不能为负数"},
    )
    customer_name = forms.CharField(label="买家", max_length=60, required=False)
    remarks = forms.CharField(label="备注", max_length=200, required=False)
    reason = forms.CharField(label="更正理由", max_length=200, error_messages=REQUIRED)

    def __init__(self, *args: Any, agents: QuerySet[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class ReasonForm(forms.Form):
    """删除 — the reason."""

    reason = forms.CharField(label="删除理由", max_length=200, error_messages=REQUIRED)


class InquiryUploadForm(OrderUploadForm):
    """The chat tool's inquiry counts (CSV or .xlsx: 日期, 工号, 咨询量)."""

    file = forms.FileField(
        label="询单数文件（.csv / .xlsx）", error_messages={"required": "请选择要导入的文件"}
    )


class LostForm(forms.Form):
    """登记未成交原因 — 客服, 日期, 原因 (from the policy), 买家, 咨询商品, 备注."""

    required_marks = True

    agent = AgentChoiceField(
        label="客服", queryset=Employee.objects.none(), error_messages={"required": "请选择客服"}
    )
    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请选择日期", "invalid": "日期格式不正确"},
    )
    reason = forms.ChoiceField(label="未成交原因", error_messages={"required": "请选择未成交原因"})
    customer_name = forms.CharField(label="买家", max_length=60, required=False)
    item = forms.CharField(label="咨询商品", max_length=120, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        agents: QuerySet[Employee],
        reasons: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents
        self.fields["reason"].choices = [("", "请选择"), *reasons]
