"""Organisation pages — 组织架构与员工档案."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kefu.core.access import MASKED_FIELDS, can_reveal, personal_data_reveal
from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.models import AuditEvent
from kefu.core.params import query_id

from . import selectors, services
from .choices import EmployeeStatus, Role, Speciality
from .models import Employee
from .roles import roles_of

PAGE_SIZES = (20, 50, 100)
# 直接上级 suggestions per keystroke: enough to pick from, small enough to stay instant.
SUPERIOR_SUGGESTIONS = 20
# The timeline speaks the regulations' words, not the audit trail's action codes.
ACTION_LABELS = {
    "employee.create": "新增员工",
    "employee.update": "修改员工信息",
    "employee.leave": "办理离职",
    "employee.password_reset": "重置密码",
    "personal_data.reveal": "查看完整信息",
}
FIELD_LABELS = {
    **{f.name: str(f.verbose_name) for f in Employee._meta.concrete_fields},
    "roles": "角色",
    "field": "字段",
}


def list_filters(params: QueryDict) -> dict[str, Any]:
    """The 员工档案 list's filters, read from its URL (the list, its export and bookmarks share them)."""
    return {
        "q": (params.get("q") or "").strip()[:50],
        "department_id": query_id(params.get("department")),
        "team_id": query_id(params.get("team")),
        "position_id": query_id(params.get("position")),
        "status": params.get("status") if params.get("status") in EmployeeStatus.values else "",
    }


@login_required
@permission_required("org.view_department", raise_exception=True)
def org_chart(request: HttpRequest) -> HttpResponse:
    """组织架构: the department tree with teams, heads and head counts."""
    return render(request, "org/chart.html", {"roots": selectors.org_chart_for_user(request.user)})


@login_required
@permission_required("org.view_employee", raise_exception=True)
def employee_list(request: HttpRequest) -> HttpResponse:
    """员工档案: filter form over a table; filtering and paging swap only the table (htmx)."""
    g = request.GET
    filters = list_filters(g)
    qs = selectors.employees_for_user(request.user, **filters)
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(g.get("page"))
    context: dict[str, Any] = {"page": page, "filters": g}
    if request.htmx and request.htmx.target == "employee-table":  # type: ignore[attr-defined]
        return render(request, "org/_employee_table.html", context)
    context.update(
        departments=selectors.departments_for_user(request.user),
        # Only the chosen department's teams: a large company has hundreds, and rendering them
        # all cost ~80 ms a page at 10,000 employees (docs/performance.md).
        teams=_teams_of(request.user, filters["department_id"]),
        positions=selectors.positions_for_user(request.user),
        statuses=EmployeeStatus.choices,
    )
    return render(request, "org/employee_list.html", context)


def _teams_of(user: Any, department_id: int | None) -> Any:
    if not department_id:
        return []
    return selectors.teams_for_user(user, department_id=department_id)


# In a filter the blank option means "any team"; in the employee form it means "no team".
TEAM_BLANK_IN_FORM = "无（不属于班组）"


@login_required
@permission_required("org.view_team", raise_exception=True)
def team_options(request: HttpRequest) -> HttpResponse:
    """班组选项: the <option>s of the team select for the chosen department (htmx)."""
    return render(
        request,
        "org/_team_options.html",
        {
            "teams": _teams_of(request.user, query_id(request.GET.get("department"))),
            "selected": "",
            "blank_label": TEAM_BLANK_IN_FORM if request.GET.get("for") == "form" else "",
        },
    )


def _visible(request: HttpRequest, pk: int) -> Employee:
    try:
        return selectors.employee_get_for_user(request.user, pk)
    except Employee.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@permission_required("org.view_employee", raise_exception=True)
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """员工详情: the record, its roles and a timeline drawn from the audit trail."""
    employee = _visible(request, pk)
    timeline = list(
        AuditEvent.objects.for_object("org.employee", employee.pk).order_by("-seq")[:50]
    )
    for event in timeline:
        event.label = ACTION_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
        event.changed = _changed_fields(event)  # type: ignore[attr-defined]
    return render(
        request,
        "org/employee_detail.html",
        {
            "employee": employee,
            "roles": [Role(r).label for r in roles_of(employee.user)],
            "timeline": timeline,
            "can_reveal": can_reveal(request.user),
            "can_change": request.user.has_perm("org.change_employee"),
        },
    )


def _changed_fields(event: AuditEvent) -> list[str]:
    """Chinese names of the fields an update changed (values stay in the audit log)."""
    if event.action == "personal_data.reveal":
        field = (event.after or {}).get("field", "")
        return [MASKED_FIELDS.get(field, field)] if field else []
    before, after = event.before or {}, event.after or {}
    if not before:
        return []
    keys = sorted(set(before) | set(after))
    return [FIELD_LABELS.get(k, k) for k in keys if before.get(k) != after.get(k)]


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("phone", "手机号"), ("id_number", "身份证号")])
    reason = forms.CharField(max_length=200)


@login_required
@require_POST
def employee_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """查看完整信息: an audited reveal of one field, answered as an htmx fragment."""
    employee = _visible(request, pk)
    form = RevealForm(request.POST)
    value, error = "", ""
    if form.is_valid():
        try:
            value = personal_data_reveal(
                actor=request.user,
                obj=employee,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            error = exc.message
    else:
        error = "请选择字段并填写查看原因"
    return render(request, "org/_revealed.html", {"value": value, "error": error, "form": form})


class EmployeeForm(forms.Form):
    """The fields of 新增员工 / 编辑员工; validation of business rules stays in the service."""

    employee_no = forms.CharField(label="工号", max_length=20)
    name = forms.CharField(label="姓名", max_length=40)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    hire_date = forms.DateField(label="入职日期", widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label="部门", queryset=None)
    team = forms.ModelChoiceField(label="班组", queryset=None, required=False)
    # A 工号 box with suggestions, not a <select>: at 10,000 employees a select of every
    # possible superior made the page unusable (and cost ~100 ms to render).
    superior_no = forms.CharField(label="直接上级工号", max_length=20, required=False)
    position = forms.ModelChoiceField(label="职位", queryset=None)
    speciality = forms.ChoiceField(label="专长", choices=Speciality.choices, required=False)
    base_points = forms.DecimalField(label="基点数", max_digits=8, decimal_places=2, initial=1)
    monthly_bonus = forms.DecimalField(
        label="月绩效奖金", max_digits=10, decimal_places=2, initial=0
    )
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    required_marks = True

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = selectors.departments_for_user(user)
        self.fields["department"].widget.attrs.update(
            {
                "hx-get": reverse("org:team_options") + "?for=form",
                "hx-target": "#id_team",
                "hx-trigger": "change",
            }
        )
        # Validation accepts any visible team (the service checks it belongs to the department);
        # only the rendered options are narrowed to the chosen department's, as the htmx
        # fragment org/_team_options.html would list them.
        self.fields["team"].queryset = selectors.teams_for_user(user)
        self.fields["team"].widget.choices = self._team_choices
        self.fields["superior_no"].widget.attrs.update(
            {
                "list": "superior-options",
                "autocomplete": "off",
                "placeholder": "输入工号或姓名查找",
                "hx-get": reverse("org:superior_options"),
                "hx-trigger": "keyup changed delay:300ms",
                "hx-target": "#superior-options",
            }
        )
        self.fields["position"].queryset = selectors.positions_for_user(user)
        if editing:
            self.fields["employee_no"].disabled = True
        if not user.has_perm("org.manage_roles"):
            del self.fields["roles"]

    def _department_id(self) -> int | None:
        if self.is_bound:
            return query_id(self.data.get(self.add_prefix("department")))
        initial = self.initial.get("department")
        return getattr(initial, "pk", initial) or None

    def _team_choices(self) -> list[tuple[Any, str]]:
        teams = list(_teams_of(self.user, self._department_id()))
        blank = TEAM_BLANK_IN_FORM if teams else "请先选择部门"
        return [("", blank), *((t.pk, t.name) for t in teams)]

    def clean_superior_no(self) -> Employee | None:
        """The 工号 typed, resolved to an active employee the user may see (empty: no superior)."""
        employee_no = (self.cleaned_data.get("superior_no") or "").strip()
        if not employee_no:
            return None
        superior = (
            selectors.employees_for_user(self.user, status=EmployeeStatus.ACTIVE)
            .filter(employee_no=employee_no)
            .first()
        )
        if superior is None:
            raise forms.ValidationError("找不到该工号的在职员工")
        return superior


def _form_values(form: EmployeeForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("employee_no", None)
    data.pop("roles", None)
    data["superior"] = data.pop("superior_no", None)
    data["speciality"] = data.get("speciality") or ""
    return data


def _show_error(form: EmployeeForm, exc: DomainError) -> None:
    # The service names the field "superior"; on this form it is typed as a 工号.
    if "superior" in exc.fields:
        exc.fields["superior_no"] = exc.fields.pop("superior")
    apply_to_form(form, exc)


@login_required
@permission_required("org.view_employee", raise_exception=True)
def superior_options(request: HttpRequest) -> HttpResponse:
    """直接上级候选: <option>s of active employees matching the typed 工号/姓名 (htmx, ≤ 20)."""
    q = (request.GET.get("q") or request.GET.get("superior_no") or "").strip()[:50]
    employees = (
        selectors.employees_for_user(request.user, q=q, status=EmployeeStatus.ACTIVE)[
            :SUPERIOR_SUGGESTIONS
        ]
        if q
        else []
    )
    return render(request, "org/_superior_options.html", {"employees": employees})


@login_required
@permission_required("org.add_employee", raise_exception=True)
def employee_create(request: HttpRequest) -> HttpResponse:
    """新增员工."""
    form = EmployeeForm(
        request.POST or None, user=request.user, initial={"roles": [Role.AGENT.value]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_create(
                actor=request.user,
                employee_no=form.cleaned_data["employee_no"],
                roles=form.cleaned_data.get("roles", [Role.AGENT.value]),
                **_form_values(form),
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, f"已新增员工 {employee.name}（工号 {employee.employee_no}）")
            return redirect("org:employee_detail", pk=employee.pk)
    return render(request, "org/employee_form.html", {"form": form, "title": "新增员工"})


@login_required
@permission_required("org.change_employee", raise_exception=True)
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑员工."""
    employee = _visible(request, pk)
    initial = {
        "employee_no": employee.employee_no,
        "name": employee.name,
        "phone": employee.phone,
        "id_number": employee.id_number,
        "hire_date": employee.hire_date,
        "department": employee.department,
        "team": employee.team,
        "superior_no": employee.superior.employee_no if employee.superior else "",
        "position": employee.position,
        "speciality": employee.speciality,
        "base_points": employee.base_points,
        "monthly_bonus": employee.monthly_bonus,
        "roles": roles_of(employee.user),
    }
    form = EmployeeForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(
                actor=request.user,
                employee=employee,
                roles=form.cleaned_data.get("roles") if "roles" in form.fields else None,
                **_form_values(form),
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("org:employee_detail", pk=employee.pk)
    return render(
        request,
        "org/employee_form.html",
        {"form": form, "title": f"编辑员工 · {employee.name}", "employee": employee},
    )


class LeaveForm(forms.Form):
    left_on = forms.DateField(label="离职日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", max_length=200, required=False)


@login_required
@permission_required("org.change_employee", raise_exception=True)
def employee_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """办理离职: disables the login at once."""
    employee = _visible(request, pk)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_leave(
                actor=request.user,
                employee=employee,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, f"{employee.name} 已办理离职，登录账号已停用")
            return redirect("org:employee_detail", pk=employee.pk)
    return render(request, "org/employee_leave.html", {"form": form, "employee": employee})
