"""Forms of the after-sales pages — 售后服务表单 (Chinese errors under each field)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from kefu.core.calendar import SHANGHAI
from kefu.customers.selectors import customers_for_user
from kefu.org.models import Employee

from . import pickers
from .choices import InstallationKind, PriceKind, RepairStatus
from .models import PriceItem, Product

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
MESSAGES = {"required": "此项必填", "invalid": "格式不正确", "invalid_choice": "请从列表中选择"}


def _dt_field(label: str, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DT_WIDGET,
        input_formats=DT_FORMATS,
        error_messages=MESSAGES,
    )


def local_now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI).replace(second=0, microsecond=0, tzinfo=None)


def technicians() -> Any:
    return Employee.objects.filter(status="active").order_by("employee_no")


class PickerForm(forms.Form):
    """A form with the customer / installation pickers (``pickers.py``): a visible text field
    and a hidden id per picker. ``clean`` resolves them to ``self.customer_obj`` and
    ``self.installation_obj``; errors go under the visible field (``visible_field``)."""

    PICKERS = {"customer": "customer_text", "installation": "installation_text"}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer_obj: Any = None
        self.installation_obj: Any = None
        if "customer_text" in self.fields:
            self.fields["customer_text"].widget.attrs.update(pickers.customer_widget_attrs())
        if "installation_text" in self.fields:
            self.fields["installation_text"].widget.attrs.update(
                pickers.installation_widget_attrs()
            )

    @classmethod
    def visible_field(cls, name: str) -> str:
        """Where an error about ``name`` (a service's field name) is shown."""
        return cls.PICKERS.get(name, name)

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if "installation_text" in self.fields:
            try:
                self.installation_obj = pickers.resolve_installation(
                    self.user, d.get("installation"), d.get("installation_text", "")
                )
            except forms.ValidationError as exc:
                self.add_error("installation_text", exc)
        if "customer_text" in self.fields:
            empty = d.get("customer") is None and not (d.get("customer_text") or "").strip()
            if empty and self.installation_obj is not None:
                # An installation picked alone names its customer.
                owner = self.installation_obj.customer
                if customers_for_user(self.user).filter(pk=owner.pk).exists():
                    self.customer_obj = owner
                    return d
            try:
                self.customer_obj = pickers.resolve_customer(
                    self.user, d.get("customer"), d.get("customer_text", "")
                )
            except forms.ValidationError as exc:
                self.add_error("customer_text", exc)
        return d


def _hidden() -> forms.IntegerField:
    return forms.IntegerField(required=False, widget=forms.HiddenInput, error_messages=MESSAGES)


class RepairCreateForm(PickerForm):
    customer_text = forms.CharField(
        label="客户",
        max_length=60,
        required=False,
        help_text="输入电话、尾号、名称或客户编号，从候选中选择；只选安装记录时取其客户",
    )
    customer = _hidden()
    installation_text = forms.CharField(
        label="安装记录",
        max_length=80,
        required=False,
        help_text="可选：序列号、安装编号或订单号；选中客户后列出其安装记录",
    )
    installation = _hidden()
    fault = forms.CharField(
        label="故障描述",
        max_length=2000,
        error_messages=MESSAGES,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "repair-fault"}),
    )
    reported_at = _dt_field("报修时间")
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="维修地址", max_length=200, required=False)

    def __init__(self, *args: Any, ticket: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["reported_at"].widget.attrs["data-testid"] = "repair-reported-at"
        if ticket is not None:
            del self.fields["customer"], self.fields["customer_text"]
        else:
            self.fields["customer_text"].required_mark = True  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    technician_id = forms.ModelChoiceField(
        label="维修人员", queryset=Employee.objects.none(), error_messages=MESSAGES
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician_id"].queryset = technicians()
        self.fields["technician_id"].label_from_instance = lambda e: f"{e.employee_no} {e.name}"


class TimeForm(forms.Form):
    at = _dt_field("时间")
    work_done = forms.CharField(
        label="维修内容", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ArriveForm(forms.Form):
    at = _dt_field("到场时间")


class RemoteForm(forms.Form):
    note = forms.CharField(
        label="远程解决说明",
        max_length=2000,
        error_messages=MESSAGES,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    at = _dt_field("解决时间")


class SignOffForm(forms.Form):
    signed_by_name = forms.CharField(label="客户签收人", max_length=40, error_messages=MESSAGES)


class CloseForm(forms.Form):
    pass


class ReportTimeForm(forms.Form):
    at = _dt_field("报修时间")
    note = forms.CharField(label="更正原因", max_length=200, required=False)


STAGE_FORMS: dict[str, type[forms.Form]] = {
    "assign": AssignForm,
    "arrive": ArriveForm,
    "fix": TimeForm,
    "spare": TimeForm,
    "remote": RemoteForm,
    "sign_off": SignOffForm,
    "close": CloseForm,
    "set_reported_at": ReportTimeForm,
}


class WorkForm(forms.Form):
    work_done = forms.CharField(
        label="维修内容",
        max_length=4000,
        error_messages=MESSAGES,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PartForm(forms.Form):
    price_item = forms.ModelChoiceField(
        label="配件/工时", queryset=PriceItem.objects.none(), error_messages=MESSAGES
    )
    quantity = forms.DecimalField(
        label="数量",
        min_value=0.01,
        max_value=9999,
        decimal_places=2,
        initial=1,
        error_messages={
            **MESSAGES,
            "min_value": "数量须大于0",
            "max_value": "数量不能超过9999",
            "max_decimal_places": "最多两位小数",
        },
    )

    def __init__(self, *args: Any, product_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        qs = PriceItem.objects.filter(is_active=True)
        qs = qs.filter(Q(product__isnull=True) | Q(product_id=product_id))
        self.fields["price_item"].queryset = qs.order_by("code")
        self.fields["price_item"].label_from_instance = lambda p: (
            f"{p.code} {p.name}（¥{p.unit_price:,.2f}/{p.unit}）"
        )


class PhotoForm(forms.Form):
    file = forms.FileField(label="现场照片", error_messages=MESSAGES)


class InstallationForm(PickerForm):
    customer_text = forms.CharField(
        label="客户",
        max_length=60,
        required=False,
        help_text="输入电话、尾号、名称或客户编号，从候选中选择",
    )
    customer = _hidden()
    kind = forms.ChoiceField(
        label="类型", choices=InstallationKind.choices, error_messages=MESSAGES
    )
    product = forms.ModelChoiceField(
        label="产品", queryset=Product.objects.none(), required=False, error_messages=MESSAGES
    )
    project_name = forms.CharField(label="工程项目名称", max_length=100, required=False)
    serial_number = forms.CharField(label="序列号", max_length=60, required=False)
    order_no = forms.CharField(label="订单号", max_length=40, required=False)
    address = forms.CharField(label="安装地址", max_length=200, required=False)
    acceptance_date = forms.DateField(
        label="验收日期", error_messages=MESSAGES, widget=forms.DateInput(attrs={"type": "date"})
    )
    responsible = forms.ModelChoiceField(
        label="负责人", queryset=Employee.objects.none(), required=False, error_messages=MESSAGES
    )
    notes = forms.CharField(
        label="备注", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_text"].required_mark = True  # type: ignore[attr-defined]
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        self.fields["responsible"].queryset = technicians()
        self.fields["responsible"].label_from_instance = lambda e: f"{e.employee_no} {e.name}"


class ProductForm(forms.Form):
    code = forms.CharField(label="产品编码", max_length=30, error_messages=MESSAGES)
    name = forms.CharField(label="产品名称", max_length=100, error_messages=MESSAGES)
    model_no = forms.CharField(label="型号", max_length=60, required=False)
    category = forms.CharField(label="类别", max_length=40, required=False)
    manufacturer = forms.CharField(label="生产厂家", max_length=100, required=False)
    manufacturer_warranty_months = forms.IntegerField(
        label="厂家保修期（月）",
        min_value=0,
        max_value=240,
        initial=12,
        error_messages={**MESSAGES, "min_value": "不能小于0", "max_value": "不能大于240"},
    )


class ProductEditForm(ProductForm):
    is_active = forms.BooleanField(label="在售", required=False)


class PriceItemForm(forms.Form):
    code = forms.CharField(label="编码", max_length=30, error_messages=MESSAGES)
    name = forms.CharField(label="名称", max_length=100, error_messages=MESSAGES)
    kind = forms.ChoiceField(
        label="类别", choices=[("", "请选择"), *PriceKind.choices], error_messages=MESSAGES
    )
    product = forms.ModelChoiceField(
        label="适用产品",
        queryset=Product.objects.none(),
        required=False,
        empty_label="通用（所有产品）",
        error_messages=MESSAGES,
    )
    unit = forms.CharField(label="单位", max_length=10, initial="个", error_messages=MESSAGES)
    unit_price = forms.DecimalField(
        label="单价（元）",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={
            **MESSAGES,
            "min_value": "单价不能小于0",
            "max_digits": "金额过大",
            "max_decimal_places": "最多两位小数",
            "max_whole_digits": "金额过大",
        },
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.order_by("code")
        self.fields["product"].label_from_instance = lambda p: f"{p.code} {p.name}"


class CardIssueForm(forms.Form):
    issued_on = forms.DateField(
        label="发放日期", error_messages=MESSAGES, widget=forms.DateInput(attrs={"type": "date"})
    )


def list_filters(g: Any) -> dict[str, Any]:
    """The repair list's filters from the URL (bad values filter by nothing)."""
    from kefu.core.params import query_choice, query_id

    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(g.get(name) or "")
        except ValueError:
            return None

    breached = {"1": True, "0": False}.get(g.get("breached") or "")
    return {
        "q": (g.get("q") or "")[:60],
        "status": query_choice(g, "status", RepairStatus.values),
        "breached": breached,
        "technician_id": query_id(g.get("technician")),
        "date_from": day("from"),
        "date_to": day("to"),
    }
