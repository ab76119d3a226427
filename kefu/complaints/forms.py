"""Complaint page forms — 投诉表单: field shapes and required marks only; the rules stay in services.

Every value is judged again by the service it feeds (``validate_card``, ``procedure.apply``,
``report.report_problems``); a DomainError from there is put under the field it names — for the
investigation report also under the responsibility row it names (``shares.1.percent``) — so the
pages never disagree with the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from kefu.core.errors import DomainError, apply_to_form
from kefu.core.params import query_choice, query_id
from kefu.customers.models import Customer
from kefu.customers.phones import digits_only
from kefu.customers.selectors import customers_for_user
from kefu.org.models import Department, Employee, Team
from kefu.tickets.choices import Channel

from .choices import (
    ComplainantType,
    Demand,
    Ground,
    ProcedureStatus,
    ReplyVia,
    Route,
    Sanction,
    SanctionTrigger,
)
from .procedure import ProcedureAction
from .report import TEXT_ITEMS, InvestigationData, ShareData
from .selectors import month_bounds

TEXT_MAX = 4000
YES_NO = [("yes", "是"), ("no", "否")]


# --- list filters -------------------------------------------------------------------------------
def parse_month(value: str | None) -> dt.date | None:
    """``2026-10`` → 2026-10-01; anything else → None."""
    text = (value or "").strip()
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        day = dt.date(int(year), int(month), 1)
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 1) else None


def last_month(today: dt.date | None = None) -> dt.date:
    """The first day of last month (the month CMP-7's report is about), in local time."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def list_filters(params: QueryDict) -> dict[str, Any]:
    """The 投诉列表's filters from its URL, as ``complaints_for_user`` keywords (bad values dropped).

    ``month`` is the month the complaint was received (``YYYY-MM``); ``overdue`` is read by the
    view (it is the selector ``overdue_complaints_for_user``, not a keyword).
    """

    filters: dict[str, Any] = {
        "q": (params.get("q") or "").strip()[:50],
        "status": query_choice(params, "status", ProcedureStatus.values),
        "ground": query_choice(params, "ground", Ground.values),
        "route": query_choice(params, "route", Route.values),
        "open_only": params.get("open") == "1",
    }
    accepted = params.get("accepted") or ""
    if accepted in ("yes", "no"):
        filters["accepted"] = accepted == "yes"
    month = parse_month(params.get("month"))
    if month is not None:
        filters["received_from"], filters["received_to"] = month_bounds(month)
    department = query_id(params.get("department"))
    if department:
        filters["investigating_department_id"] = department
    return filters


# --- 登记投诉 -----------------------------------------------------------------------------------
def _customer_widget_attrs() -> dict[str, str]:
    # The customer picker of the ticket form: 客户编号 / 电话 / 名称 with htmx suggestions.
    return {
        "list": "customer-options",
        "autocomplete": "off",
        "placeholder": "客户编号 / 电话 / 名称",
        "hx-get": reverse("tickets:customer_options"),
        "hx-trigger": "keyup changed delay:300ms",
        "hx-target": "#customer-options",
    }


class ComplaintForm(forms.Form):
    """登记客户投诉记录卡 (CMP-1, CMP-2, CMP-4): the card and, for a new complaint, its ticket.

    With ``ticket`` (转为投诉: an existing 投诉 ticket without a card) the ticket's own fields are
    dropped — the ticket already has its customer, channel and title.
    """

    TICKET_FIELDS = ("channel", "customer", "title", "description", "contact_name", "order_no")

    channel = forms.ChoiceField(
        label="受理渠道", choices=[("", "请选择"), *Channel.choices], initial=Channel.HOTLINE
    )
    customer = forms.CharField(
        label="客户（来电号码或客户编号）",
        max_length=40,
        help_text="输入来电号码（未建档的电话将自动建档）或客户编号",
    )
    complainant_type = forms.ChoiceField(
        label="投诉客户类型",
        choices=[("", "按客户档案"), *ComplainantType.choices],
        required=False,
    )
    complainant_name = forms.CharField(
        label="投诉客户名称",
        max_length=100,
        required=False,
        help_text="不填则取客户档案名称",
    )
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    ground = forms.ChoiceField(label="投诉范围", choices=[("", "请选择"), *Ground.choices])
    demands = forms.MultipleChoiceField(
        label="客户要求（可多选）",
        choices=Demand.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amount_involved = forms.CharField(
        label="涉及金额（元）", max_length=20, required=False, initial="0"
    )
    title = forms.CharField(label="投诉概要", max_length=200)
    description = forms.CharField(
        label="投诉内容",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    order_no = forms.CharField(label="订单号", max_length=40, required=False)

    def __init__(self, *args: Any, user: Any, ticket: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.ticket = ticket
        if ticket is not None:
            for name in self.TICKET_FIELDS:
                del self.fields[name]
        else:
            self.fields["customer"].widget.attrs.update(_customer_widget_attrs())
            self.fields["title"].widget.attrs["placeholder"] = "一句话说明客户投诉什么"
        # Marked with the red *; emptiness is judged by the service (one message source).
        for name in ("ground", "demands"):
            self.fields[name].required_mark = True  # type: ignore[attr-defined]
        self.fields["ground"].required = False
        self.fields["amount_involved"].widget.attrs["inputmode"] = "decimal"

    def clean_customer(self) -> Customer | str:
        """A 客户编号 the user may see → that customer; a phone → kept for find-or-create."""
        typed = (self.cleaned_data.get("customer") or "").strip()
        code = typed.split(" ", 1)[0].upper()
        found = customers_for_user(self.user).filter(code=code).first() if code else None
        if found is not None:
            return found
        digits = digits_only(typed)
        if digits and len(digits) >= 7:
            return digits
        raise forms.ValidationError("找不到该客户，请输入客户编号或完整电话")

    def service_kwargs(self) -> dict[str, Any]:
        """The card's values as ``complaint_open`` keywords (without the customer)."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {
            "ground": data.get("ground") or "",
            "demands": list(data.get("demands") or []),
            "complainant_type": data.get("complainant_type") or "",
            "complainant_name": data.get("complainant_name") or "",
            "amount_involved": (data.get("amount_involved") or "").strip() or "0",
        }
        if self.ticket is None:
            kwargs.update(
                channel=data["channel"],
                title=data["title"],
                description=data.get("description") or "",
                contact_name=data.get("contact_name") or "",
                order_no=data.get("order_no") or "",
            )
        return kwargs


# --- procedure steps ----------------------------------------------------------------------------
class StepForm(forms.Form):
    """One step's small form. ``service_kwargs`` gives the service's keywords."""

    action: str = ""

    def __init__(self, *args: Any, complaint: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, prefix=self.action, **kwargs)
        self.complaint = complaint

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def show_error(self, exc: DomainError) -> None:
        apply_to_form(self, exc)


def _text(label: str, *, rows: int = 3, required_mark: bool = True) -> forms.CharField:
    field = forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )
    field.required_mark = required_mark  # type: ignore[attr-defined]
    return field


class AcceptForm(StepForm):
    """受理 (CMP-3): the complaint is valid; the number and acceptance time are given."""

    action = ProcedureAction.ACCEPT.value
    reason = _text("受理意见", rows=2, required_mark=False)


class RejectForm(StepForm):
    """不受理 (CMP-3): caused by the customer; the reason is recorded and told to the customer."""

    action = ProcedureAction.REJECT.value
    reason = _text("不受理原因（将在答复中告知客户）")


class RouteForm(StepForm):
    """分派 (CMP-4): 送行政人事部确定受理部门调查 / 合同纠纷送领导裁定 / 发货手续按内销办法."""

    action = ProcedureAction.ROUTE.value
    route = forms.ChoiceField(label="处理途径", choices=Route.choices, widget=forms.RadioSelect)
    investigating_department = forms.ChoiceField(
        label="受理部门（负责调查）", choices=(), required=False
    )
    reason = _text("分派说明（与默认途径不同时必填）", rows=2, required_mark=False)

    def __init__(self, *args: Any, suggested: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].required_mark = True  # type: ignore[attr-defined]
        self.fields["route"].required = False
        self.fields["route"].error_messages["invalid_choice"] = "请选择处理途径"
        if suggested and not self.is_bound:
            self.initial.setdefault("route", suggested)
        self.suggested = suggested
        departments = Department.objects.order_by("code")
        self.fields["investigating_department"].choices = [
            ("", "—"),
            *((d.pk, f"{d.name}（{d.code}）") for d in departments),
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "route": data.get("route") or "",
            "investigating_department": query_id(data.get("investigating_department")),
            "reason": data.get("reason") or "",
        }


class ApproveForm(StepForm):
    """审核同意 (CMP-5) at the current approval step; a comment is optional."""

    action = ProcedureAction.APPROVE.value
    comment = _text("审核意见", rows=2, required_mark=False)


class ReturnForm(StepForm):
    """退回 (CMP-5) with a comment: a report goes back to 调查中, an opinion to 待形成处理意见."""

    action = ProcedureAction.RETURN.value
    comment = _text("退回意见")


class LeadershipForm(StepForm):
    """领导裁定 (CMP-4): 总经理 / 副总经理 decide a pure contract dispute."""

    action = ProcedureAction.LEADERSHIP_DECIDE.value
    text = _text("裁定意见")


class HandlingOpinionForm(StepForm):
    """形成处理意见 (CMP-5 第十三条): the investigating department's opinion, for the 记录卡."""

    action = ProcedureAction.RECORD_HANDLING_OPINION.value
    text = _text("受理部门处理意见")


class ReplyForm(StepForm):
    """答复客户 (CMP-5 第十四条): in writing or by phone; the text is recorded; the complaint closes."""

    action = ProcedureAction.REPLY.value
    via = forms.ChoiceField(
        label="答复方式", choices=ReplyVia.choices, widget=forms.RadioSelect, required=False
    )
    text = _text("答复内容", rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["via"].required_mark = True  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("via", ReplyVia.PHONE)

    def service_kwargs(self) -> dict[str, Any]:
        return {"via": self.cleaned_data.get("via") or "", "text": self.cleaned_data["text"]}


class InvestigationForm(StepForm):
    """投诉调查报告 (CMP-5, [000] 第十、十七条); the responsibility rows are ``ShareFormSet``."""

    action = ProcedureAction.SUBMIT_INVESTIGATION.value
    scope_true = forms.ChoiceField(
        label="投诉范围（数量、金额等）是否属实",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    reasons_sound = forms.ChoiceField(
        label="投诉理由是否合理", choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    demand_legitimate = forms.ChoiceField(
        label="客户要求是否正当", choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    aim = _text("投诉目的", rows=2)
    cause = _text("发生原因")
    course = _text("具体经过")
    loss_amount = forms.CharField(label="损失金额（元）", max_length=20, required=False)
    conclusion = _text("结论", rows=2)
    countermeasures = _text("对策", rows=2)
    prevention = _text("防范措施", rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("scope_true", "reasons_sound", "demand_legitimate"):
            self.fields[name].required_mark = True  # type: ignore[attr-defined]
            self.fields[name].error_messages["invalid_choice"] = "请选择是或否"
        self.fields["loss_amount"].widget.attrs["inputmode"] = "decimal"
        self._share_errors: list[str] = []
        self.shares = ShareFormSet(
            self.data if self.is_bound else None,
            prefix=f"{self.action}-shares",
            initial=(kwargs.get("initial") or {}).get("shares") if not self.is_bound else None,
        )

    def is_valid(self) -> bool:
        own = super().is_valid()
        return self.shares.is_valid() and own

    @property
    def share_errors(self) -> list[str]:
        return [*self._share_errors, *self.shares.non_form_errors()]

    def data_for_service(self) -> InvestigationData:
        data = self.cleaned_data

        def yes_no(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(data.get(name) or "")

        shares = tuple(
            ShareData(
                department_id=row["department"],
                percent=row["percent"],
                team_id=row["team"],
                employee_id=row["employee"].pk if row["employee"] else None,
                sanction_trigger=row["sanction_trigger"],
                sanction=row["sanction"],
            )
            for row in self.shares.rows()
        )
        return InvestigationData(
            scope_true=yes_no("scope_true"),
            reasons_sound=yes_no("reasons_sound"),
            demand_legitimate=yes_no("demand_legitimate"),
            **{name: data.get(name) or "" for name in TEXT_ITEMS},
            loss_amount=(data.get("loss_amount") or "").strip() or "0",
            shares=shares,
        )

    def service_kwargs(self) -> dict[str, Any]:
        return {"report": self.data_for_service()}

    def show_error(self, exc: DomainError) -> None:
        """Errors under their field; ``shares.N.field`` under the N-th filled responsibility row,
        ``shares`` (e.g. the total is not 100 %) above the rows; the summary on top."""
        filled = self.shares.filled_forms()
        self._share_errors = []
        for key, message in exc.fields.items():
            if key in ("shares", "report"):
                self._share_errors.append(message)
            elif key.startswith("shares."):
                parts = key.split(".")
                index = parts[1] if len(parts) > 1 else ""
                name = parts[2] if len(parts) > 2 else "department"
                row = filled[int(index)] if index.isdigit() and int(index) < len(filled) else None
                if row is None:
                    self._share_errors.append(message)
                else:
                    row.add_error(name if name in row.fields else "department", message)
            elif key in self.fields:
                self.add_error(key, message)
            else:
                self._share_errors.append(message)
        self.add_error(None, exc.message)


class ShareForm(forms.Form):
    """责任划分 (CMP-8): one responsible unit — department, optionally team and person — and %."""

    department = forms.ChoiceField(label="责任部门", choices=(), required=False)
    team = forms.ChoiceField(label="责任班组", choices=(), required=False)
    employee = forms.CharField(label="责任人（工号）", max_length=20, required=False)
    percent = forms.CharField(label="责任比例（%）", max_length=10, required=False)
    sanction_trigger = forms.ChoiceField(
        label="处分判定项目", choices=[("", "—"), *SanctionTrigger.choices], required=False
    )
    sanction = forms.ChoiceField(
        label="处分建议",
        choices=[("", "—"), *((v, label) for v, label in Sanction.choices if v != Sanction.FINE)],
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        department_choices: list[tuple[Any, str]] | None = None,
        team_choices: list[tuple[Any, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices or _department_choices()
        self.fields["team"].choices = team_choices or _team_choices()
        self.fields["employee"].widget.attrs.update(
            {"list": "share-employee-options", "autocomplete": "off", "placeholder": "工号"}
        )
        self.fields["percent"].widget.attrs.update({"inputmode": "decimal", "data-percent": "1"})
        for field in self.fields.values():
            # The rows are a table without <label>s: name each input for assistive technology.
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean_department(self) -> int | None:
        return query_id(self.cleaned_data.get("department"))

    def clean_team(self) -> int | None:
        return query_id(self.cleaned_data.get("team"))

    def clean_employee(self) -> Employee | None:
        employee_no = (self.cleaned_data.get("employee") or "").strip().split(" ", 1)[0]
        if not employee_no:
            return None
        found = Employee.objects.filter(employee_no=employee_no, status="active").first()
        if found is None:
            raise forms.ValidationError("找不到该工号的在职员工")
        return found

    @property
    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return any(data.get(k) for k in ("department", "team", "employee", "percent"))


def _department_choices() -> list[tuple[Any, str]]:
    return [
        ("", "请选择"),
        *((d.pk, d.name) for d in Department.objects.order_by("code")),
    ]


def _team_choices() -> list[tuple[Any, str]]:
    teams = Team.objects.select_related("department").order_by("department__code", "name")
    return [("", "—"), *((t.pk, f"{t.department.name} · {t.name}") for t in teams)]


class BaseShareFormSet(forms.BaseFormSet):
    """The report's responsibility rows; empty rows are ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The department and team lists are read once for all the rows.
        kwargs.setdefault(
            "form_kwargs",
            {"department_choices": _department_choices(), "team_choices": _team_choices()},
        )
        super().__init__(*args, **kwargs)

    def filled_forms(self) -> list[ShareForm]:
        return [f for f in self.forms if f.is_valid() and f.filled]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "department": f.cleaned_data.get("department"),
                "team": f.cleaned_data.get("team"),
                "employee": f.cleaned_data.get("employee"),
                "percent": (f.cleaned_data.get("percent") or "").strip(),
                "sanction_trigger": f.cleaned_data.get("sanction_trigger") or "",
                "sanction": f.cleaned_data.get("sanction") or "",
            }
            for f in self.filled_forms()
        ]


ShareFormSet = forms.formset_factory(
    ShareForm, formset=BaseShareFormSet, extra=1, max_num=20, absolute_max=50, validate_max=True
)

STEP_FORMS: dict[str, type[StepForm]] = {
    form.action: form
    for form in (
        AcceptForm,
        RejectForm,
        RouteForm,
        InvestigationForm,
        ApproveForm,
        ReturnForm,
        LeadershipForm,
        HandlingOpinionForm,
        ReplyForm,
    )
}

# Irreversible steps ask first (UI.md): the question and what will happen.
CONFIRMATIONS: dict[str, str] = {
    ProcedureAction.ACCEPT: "确定要受理该投诉吗？受理后将生成受理编号，进入分派环节。",
    ProcedureAction.REJECT: "确定不受理该投诉吗？不受理原因将记录在案，并在答复时告知客户。",
    ProcedureAction.ROUTE: "确定要分派吗？投诉将按所选途径交出处理。",
    ProcedureAction.SUBMIT_INVESTIGATION: "确定提交投诉调查报告吗？提交后交受理部门负责人审核。",
    ProcedureAction.APPROVE: "确定审核同意吗？投诉将进入下一环节。",
    ProcedureAction.RETURN: "确定要退回吗？退回后须重新填写并重新审核。",
    ProcedureAction.LEADERSHIP_DECIDE: "确定提交裁定意见吗？投诉将转客服答复客户。",
    ProcedureAction.RECORD_HANDLING_OPINION: "确定提交处理意见吗？提交后交客服主管审核。",
    ProcedureAction.REPLY: "确定已答复客户并结案吗？结案后投诉及其工单将关闭，不能撤销。",
}
