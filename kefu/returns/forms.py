"""Forms of the returns pages — 退换货表单: registration and one form per step.

Forms only parse what was typed; the services judge it (a DomainError is shown under its field).
"""

from __future__ import annotations

from typing import Any

from django import forms

from .choices import CaseType, ContactOutcome, LedgerKind, RefundMethod
from .policy import returns_policy
from .workflow import Action

MONEY = {"max_digits": 12, "decimal_places": 2}


class CaseForm(forms.Form):
    """登记退换货单 (with the 售后服务卡)."""

    case_type = forms.ChoiceField(label="类型", choices=CaseType.choices)
    customer_phone = forms.CharField(label="客户电话", max_length=20, required=False)
    order_no = forms.CharField(label="订单号", max_length=40, required=False)
    reason = forms.ChoiceField(label="退换原因", choices=())
    quality_fault = forms.ChoiceField(
        label="质量问题",
        choices=[
            ("", "按原因默认"),
            ("yes", "是（公司承担来回运费）"),
            ("no", "否（客户承担退回运费）"),
        ],
        required=False,
    )
    reason_detail = forms.CharField(
        label="原因说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    card_customer_ref = forms.CharField(label="客户ID/订单", max_length=60, required=False)
    card_contact = forms.CharField(label="联系方式", max_length=60, required=False)
    card_reason = forms.CharField(label="退换原因（售后卡）", max_length=200, required=False)
    card_wanted_item = forms.CharField(label="要更换的商品", max_length=200, required=False)
    original_tracking_no = forms.CharField(label="原发货单号", max_length=40, required=False)
    return_tracking_no = forms.CharField(label="退回快递单号", max_length=40, required=False)
    courier = forms.CharField(label="快递公司", max_length=40, required=False)
    missing_items = forms.CharField(
        label="缺少的商品（每行一件，如“鞋垫×1”）",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, with_ticket: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "请选择"), *returns_policy().reason_choices()]
        if with_ticket:
            del self.fields["customer_phone"]

    def quality(self) -> bool | None:
        value = self.cleaned_data.get("quality_fault")
        return None if not value else value == "yes"


class AwaitReturnForm(forms.Form):
    return_tracking_no = forms.CharField(label="退回快递单号", max_length=40)
    courier = forms.CharField(label="快递公司", max_length=40, required=False)


class InterceptForm(forms.Form):
    courier = forms.CharField(label="快递公司", max_length=40)


class ReceivedForm(forms.Form):
    received_on = forms.DateField(
        label="收货日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InspectForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="验收结果", choices=[("yes", "合格"), ("no", "不合格")], coerce=lambda v: v == "yes"
    )
    condition = forms.CharField(label="货品状况", max_length=200)
    received_on = forms.DateField(
        label="收货日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label="验收备注", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactForm(forms.Form):
    outcome = forms.ChoiceField(label="客户选择", choices=ContactOutcome.choices)
    note = forms.CharField(label="联系记录", max_length=200, required=False)


class ClaimForm(forms.Form):
    claim_no = forms.CharField(label="索赔单号", max_length=40)
    claim_amount = forms.DecimalField(label="索赔金额", min_value=0, **MONEY)


class ForwardForm(forms.Form):
    forward_tracking_no = forms.CharField(label="转件单号", max_length=40)
    note = forms.CharField(label="转件情况", max_length=200, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label="转件情况", max_length=200)


class RefundForm(forms.Form):
    amount = forms.DecimalField(label="退款金额", min_value=0, **MONEY)
    freight_refund = forms.DecimalField(label="运费返还", min_value=0, required=False, **MONEY)
    method = forms.ChoiceField(label="退款方式", choices=RefundMethod.choices)
    payee = forms.CharField(label="收款人（银行转账）", max_length=60, required=False)
    bank = forms.CharField(label="开户行（银行转账）", max_length=60, required=False)
    account = forms.CharField(label="账号（银行转账）", max_length=40, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ReshipForm(forms.Form):
    tracking_no = forms.CharField(label="发出快递单号", max_length=40)
    courier = forms.CharField(label="快递公司", max_length=40, required=False)
    price_difference = forms.DecimalField(
        label="差价（客户补差为正，退还为负）", required=False, **MONEY
    )


class ArrivalForm(forms.Form):
    arrived_on = forms.DateField(
        label="送达日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LedgerForm(forms.Form):
    kind = forms.ChoiceField(label="项目", choices=LedgerKind.choices)
    amount = forms.DecimalField(label="金额", **MONEY)
    note = forms.CharField(label="说明", max_length=200, required=False)


class TransferPaidForm(forms.Form):
    paid_on = forms.DateField(
        label="转账日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label="转账流水号", max_length=60, required=False)


STEP_FORMS: dict[str, type[forms.Form]] = {
    Action.AWAIT_RETURN: AwaitReturnForm,
    Action.INTERCEPT: InterceptForm,
    Action.RECEIVE: ReceivedForm,
    Action.PARCEL_BACK: ReceivedForm,
    Action.INSPECT: InspectForm,
    Action.CONTACT: ContactForm,
    Action.CLAIM: ClaimForm,
    Action.FORWARD: ForwardForm,
    Action.FORWARD_FAILED: NoteForm,
    Action.REFUND: RefundForm,
    Action.RESHIP: ReshipForm,
    Action.CONFIRM_ARRIVAL: ArrivalForm,
    Action.CANCEL: ReasonForm,
    Action.APPROVE_EARLY_RESHIP: ReasonForm,
}
CONFIRMATIONS: dict[str, str] = {
    Action.CANCEL: "确定要取消这张退换货单吗？取消后不能再办理。",
    Action.REFUND: "确定要退款吗？退款将记入台账。",
    Action.APPROVE_EARLY_RESHIP: "确定要批准退货未收到先发货吗？批准及理由将记录在案。",
    Action.PARCEL_BACK: "确定原包裹已收到吗？",
}
