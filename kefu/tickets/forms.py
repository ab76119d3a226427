"""Ticket page forms — 工单表单: field shapes and required marks only; the rules stay in services.

Every form here is checked again by the service it feeds (``validate_ticket_values``,
``statemachine.apply``); a DomainError from there is put under the field it names
(``kefu.core.errors.apply_to_form``), so the page never disagrees with the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from kefu.core.params import query_choice, query_id
from kefu.customers.models import Customer
from kefu.customers.phones import digits_only
from kefu.customers.selectors import customers_for_user
from kefu.org.models import Department, Employee

from .choices import (
    SUBKINDS_BY_KIND,
    Channel,
    FaultReportField,
    Kind,
    Priority,
    ServiceMode,
    Status,
    Subkind,
)
from .models import TicketMessage
from .statemachine import Action

TITLE_MAX = 200
TEXT_MAX = 5000


def subkind_choices(kind: str) -> list[tuple[str, str]]:
    """The sub-kinds of ``kind`` for its <select>; a kind without sub-kinds gets none."""
    allowed = SUBKINDS_BY_KIND.get(kind or "", ())
    if not allowed:
        return [("", "—")]
    return [("", "请选择子类"), *((s, Subkind(s).label) for s in allowed)]


def _kind_widget_attrs(target: str) -> dict[str, str]:
    # The sub-kind <select> follows the kind (htmx); without JS the service still checks the pair.
    return {
        "hx-get": reverse("tickets:subkind_options"),
        "hx-target": target,
        "hx-trigger": "change",
        "hx-swap": "innerHTML",
    }


# --- list filters -------------------------------------------------------------------------------
def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def list_filters(params: QueryDict, user: Any) -> dict[str, Any]:
    """The 工单列表's filters from its URL, as ``tickets_for_user`` keywords (bad values dropped).

    ``owner`` is a 工号 in the URL (readable, bookmarkable); it is resolved to the employee id.
    The date range is by 受理日期, both ends inclusive, in the local time zone.
    """
    from django.utils import timezone

    filters: dict[str, Any] = {
        "q": (params.get("q") or "").strip()[:50],
        "status": query_choice(params, "status", Status.values),
        "kind": query_choice(params, "kind", Kind.values),
        "channel": query_choice(params, "channel", Channel.values),
        "priority": query_choice(params, "priority", Priority.values),
        "open_only": params.get("open") == "1",
        "overdue": params.get("overdue") == "1",
        "major_fault": params.get("major_fault") == "1",
        "service_mode": query_choice(params, "service_mode", ServiceMode.values),
        "red_flag": params.get("red_flag") == "1",
    }
    customer_id = query_id(params.get("customer"))
    if customer_id:
        filters["customer_id"] = customer_id
    owner_no = (params.get("owner") or "").strip()[:20]
    if owner_no:
        owner = Employee.objects.filter(employee_no=owner_no).values_list("pk", flat=True).first()
        # An unknown 工号 finds nothing rather than everything.
        filters["owner_id"] = owner or -1
    start, end = _date(params.get("from")), _date(params.get("to"))
    tz = timezone.get_current_timezone()
    if start and dt.date(1900, 1, 1) <= start <= dt.date(9998, 12, 31):
        filters["received_from"] = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    if end and dt.date(1900, 1, 1) <= end <= dt.date(9998, 12, 31):
        filters["received_to"] = dt.datetime.combine(
            end + dt.timedelta(days=1), dt.time.min, tzinfo=tz
        )
    return filters


# --- quick entry (工作台) ----------------------------------------------------------------------
class QuickEntryForm(forms.Form):
    """来电快速建单: the caller's number, the kind (and sub-kind when it has them), one line."""

    phone = forms.CharField(label="来电号码", max_length=30)
    kind = forms.ChoiceField(label="工单类型", choices=[("", "请选择"), *Kind.choices])
    subkind = forms.ChoiceField(label="子类", choices=(), required=False)
    title = forms.CharField(label="问题概要", max_length=TITLE_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="quick", **kwargs)
        kind = self.data.get("quick-kind", "") if self.is_bound else ""
        self.fields["subkind"].choices = subkind_choices(kind)
        self.fields["phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "off", "placeholder": "客户来电号码"}
        )
        self.fields["kind"].widget.attrs.update(_kind_widget_attrs("#id_quick-subkind"))
        self.fields["title"].widget.attrs.update({"placeholder": "一句话说明客户的问题"})


# --- new ticket ---------------------------------------------------------------------------------
class TicketForm(forms.Form):
    """新增工单: every field a request can carry at receipt (TKT-1/2/5)."""

    channel = forms.ChoiceField(
        label="受理渠道", choices=[("", "请选择"), *Channel.choices], initial=Channel.HOTLINE
    )
    kind = forms.ChoiceField(label="工单类型", choices=[("", "请选择"), *Kind.choices])
    subkind = forms.ChoiceField(label="子类", choices=(), required=False)
    customer = forms.CharField(
        label="客户",
        max_length=40,
        help_text="输入客户编号，或电话（未建档的电话将自动建档）",
    )
    title = forms.CharField(label="标题", max_length=TITLE_MAX)
    description = forms.CharField(
        label="问题描述",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    demand = forms.CharField(
        label="客户诉求",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    priority = forms.ChoiceField(label="优先级", choices=Priority.choices, initial=Priority.NORMAL)
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    order_no = forms.CharField(label="订单号", max_length=40, required=False)
    purchase_date = forms.DateField(
        label="购买日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tracking_no = forms.CharField(label="快递单号", max_length=40, required=False)
    tags = forms.CharField(
        label="标签", max_length=200, required=False, help_text="多个标签用空格或逗号分开"
    )
    red_flag = forms.BooleanField(label="小红旗", required=False, help_text="客户有特殊要求时勾选")
    red_flag_note = forms.CharField(
        label="特殊要求",
        max_length=200,
        required=False,
        help_text="插小红旗时必填：客户的特殊要求",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        kind = (self.data.get("kind") if self.is_bound else self.initial.get("kind")) or ""
        self.fields["subkind"].choices = subkind_choices(kind)
        self.fields["kind"].widget.attrs.update(_kind_widget_attrs("#id_subkind"))
        self.fields["customer"].widget.attrs.update(
            {
                "list": "customer-options",
                "autocomplete": "off",
                "placeholder": "客户编号 / 电话 / 名称",
                "hx-get": reverse("tickets:customer_options"),
                "hx-trigger": "keyup changed delay:300ms",
                "hx-target": "#customer-options",
            }
        )
        self.fields["contact_phone"].widget.attrs["inputmode"] = "tel"
        self.fields["purchase_date"].error_messages["invalid"] = "请填写正确的日期"

    def clean_customer(self) -> Customer | str:
        """A 客户编号 the user may see → that customer; a phone → kept for find-or-create."""
        typed = (self.cleaned_data.get("customer") or "").strip()
        code = typed.split(" ", 1)[0].upper()
        found = customers_for_user(self.user).filter(code=code).first() if code else None
        if found is not None:
            return found
        digits = digits_only(typed)
        if digits and len(digits) >= 7:
            return digits  # a phone: the view finds or records the customer with it
        raise forms.ValidationError("找不到该客户，请输入客户编号或完整电话")

    def clean_tags(self) -> list[str]:
        raw = (self.cleaned_data.get("tags") or "").replace("，", ",").replace("、", ",")
        return [t for t in raw.replace(",", " ").split() if t]


def customer_suggestions(user: Any, q: str, limit: int = 10) -> list[Customer]:
    """客户候选 for the picker: name / code / phone / 尾号, within the user's customer scope."""
    q = (q or "").strip()[:50]
    if not q:
        return []
    return list(customers_for_user(user, q=q)[:limit])


# --- actions ------------------------------------------------------------------------------------
# What each action asks for on its small form. Required marks mirror the rule table; the rule
# engine is still the judge (e.g. 改派 needs a reason only when someone holds the ticket).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    Action.ACCEPT: (),
    Action.REPLY: ("note", "via"),
    Action.WAIT_CUSTOMER: ("note", "via"),
    Action.CUSTOMER_REPLIED: ("note",),
    Action.TRANSFER: ("target", "target_department", "reason"),
    Action.ACCEPT_TRANSFER: (),
    Action.REJECT_TRANSFER: ("reason",),
    Action.REASSIGN: ("target", "reason"),
    Action.RESOLVE: ("note", "via"),
    Action.CLOSE: (),
    Action.REOPEN: ("reason",),
    Action.FOLLOW_UP: ("satisfied", "note"),
    Action.FLAG_MAJOR_FAULT: ("note",),
    Action.SUBMIT_FAULT_REPORT: tuple(f.value for f in FaultReportField),
}
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    Action.REPLY: ("note",),
    Action.TRANSFER: ("reason",),
    Action.REJECT_TRANSFER: ("reason",),
    Action.REASSIGN: ("target",),
    Action.RESOLVE: ("note",),
    Action.REOPEN: ("reason",),
    Action.FOLLOW_UP: ("satisfied", "note"),
    Action.FLAG_MAJOR_FAULT: ("note",),
    Action.SUBMIT_FAULT_REPORT: tuple(f.value for f in FaultReportField),
}
# Irreversible steps ask first (UI.md): the question and what will happen.
CONFIRMATIONS: dict[str, str] = {
    Action.CLOSE: "确定要结案吗？结案后工单关闭，如需继续处理须重新打开。",
    Action.FLAG_MAJOR_FAULT: "确定要标记为重大故障吗？系统将立即通知相关负责人，且不能撤销。",
    Action.TRANSFER: "确定要转交吗？对方接收前工单仍由您负责。",
    Action.REASSIGN: "确定要改派吗？工单将交给新的处理人。",
}
NOTE_LABELS: dict[str, str] = {
    Action.REPLY: "回复内容",
    Action.WAIT_CUSTOMER: "需要客户提供什么",
    Action.CUSTOMER_REPLIED: "客户回复内容",
    Action.RESOLVE: "处理结果",
    Action.FOLLOW_UP: "回访情况",
    Action.FLAG_MAJOR_FAULT: "故障的发生时间、地点、现象和处理预案",
}
REASON_LABELS: dict[str, str] = {
    Action.TRANSFER: "转交原因",
    Action.REJECT_TRANSFER: "退回原因",
    Action.REASSIGN: "改派原因",
    Action.REOPEN: "重新打开原因",
}
VIA_CHOICES = [c for c in TicketMessage.Via.choices if c[0]]
SATISFIED_CHOICES = [("yes", "满意"), ("no", "不满意")]


class ActionForm(forms.Form):
    """One action's small form; only the fields ``ACTION_FIELDS`` names for it are kept."""

    note = forms.CharField(
        label="内容", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    via = forms.ChoiceField(label="回复方式", choices=VIA_CHOICES, initial="phone", required=False)
    reason = forms.CharField(
        label="原因", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    target = forms.CharField(label="转交给（工号）", max_length=20, required=False)
    target_department = forms.ChoiceField(label="或转交部门", choices=(), required=False)
    satisfied = forms.ChoiceField(
        label="客户是否满意", choices=SATISFIED_CHOICES, required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, action: str, ticket_pk: int, **kwargs: Any) -> None:
        super().__init__(*args, prefix=action, **kwargs)
        self.action = action
        keep = set(ACTION_FIELDS[action])
        for name, label in FaultReportField.choices:
            if name not in keep:
                continue  # the eight report items belong to the report's own form only
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=60 if name == "occurred_at" else (200 if name == "place" else TEXT_MAX),
                widget=forms.TextInput()
                if name in ("occurred_at", "place")
                else forms.Textarea(attrs={"rows": 2}),
            )
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in REQUIRED_FIELDS.get(action, ()):
            # Marked with the red * only; emptiness is judged by the service (one message source).
            self.fields[name].required_mark = True  # type: ignore[attr-defined]
        if "note" in self.fields:
            self.fields["note"].label = NOTE_LABELS.get(action, "内容")
        if "reason" in self.fields:
            self.fields["reason"].label = REASON_LABELS.get(action, "原因")
        if "target" in self.fields:
            if action == Action.REASSIGN:
                self.fields["target"].label = "改派给（工号）"
            self.fields["target"].widget.attrs.update(
                {
                    "list": f"{action}-target-options",
                    "autocomplete": "off",
                    "placeholder": "输入工号或姓名查找",
                    "hx-get": reverse("tickets:employee_options"),
                    "hx-trigger": "keyup changed delay:300ms",
                    "hx-target": f"#{action}-target-options",
                    "hx-vals": f'{{"field": "{action}-target"}}',
                }
            )
        if "target_department" in self.fields:
            departments = Department.objects.order_by("code").values_list("pk", "name")
            self.fields["target_department"].choices = [("", "—"), *departments]

    def clean_target(self) -> Employee | None:
        employee_no = (self.cleaned_data.get("target") or "").strip().split(" ", 1)[0]
        if not employee_no:
            return None
        found = (
            Employee.objects.filter(Q(employee_no=employee_no), status="active")
            .select_related("department")
            .first()
        )
        if found is None:
            raise forms.ValidationError("找不到该工号的在职员工")
        return found

    def clean_target_department(self) -> int | None:
        return query_id(self.cleaned_data.get("target_department"))

    def service_kwargs(self) -> dict[str, Any]:
        """The form's values as ``ticket_act`` keywords."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {}
        if "note" in data:
            kwargs["note"] = data["note"]
        if "via" in data:
            kwargs["via"] = data["via"] or ""
        if "reason" in data:
            kwargs["reason"] = data["reason"]
        if "target" in data:
            kwargs["target"] = data["target"]
        if "target_department" in data:
            kwargs["target_department"] = data["target_department"]
        if "satisfied" in data:
            kwargs["satisfied"] = {"yes": True, "no": False}.get(data["satisfied"])
        if self.action == Action.SUBMIT_FAULT_REPORT:
            kwargs["fault_report"] = {f.value: data.get(f.value, "") for f in FaultReportField}
        return kwargs


class ServiceModeForm(forms.Form):
    """升级服务方式 (TKT-8): the rung to move to (only those above the current one) and why."""

    mode = forms.ChoiceField(label="升级为", choices=())
    reason = forms.CharField(
        label="升级原因",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "为什么当前的服务方式解决不了"}),
    )

    def __init__(self, *args: Any, modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, prefix="service_mode", **kwargs)
        # Offered: the rungs above. Accepted: any rung, so a stale tab's choice is answered by
        # the service in the ladder's words ("不能从上门服务退回远程服务").
        shown = ServiceMode.choices if self.is_bound else [(m, ServiceMode(m).label) for m in modes]
        self.fields["mode"].choices = shown
        # Marked only; emptiness is judged by the service (one message source).
        self.fields["reason"].required_mark = True  # type: ignore[attr-defined]
        self.fields["mode"].required_mark = True  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    """内部备注: for colleagues only."""

    body = forms.CharField(
        label="内部备注",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "仅同事可见，不会发给客户"}),
        error_messages={"required": "请填写备注内容"},
    )


class AttachmentForm(forms.Form):
    """上传附件: images or PDF; type and size are checked by the service from the content."""

    file = forms.FileField(label="附件", error_messages={"required": "请选择文件"})


class TicketEditForm(TicketForm):
    """完善工单信息 (TKT-5): what may change after receipt; channel, kind and customer may not
    (they decide the SLA and the 客户档案 the request belongs to)."""

    FIXED = ("channel", "kind", "subkind", "customer")

    contact_form_no = forms.CharField(
        label="工作联络单号",
        max_length=40,
        required=False,
        help_text="技术人员先行处理后补交的工作联络单编号",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in self.FIXED:
            del self.fields[name]
