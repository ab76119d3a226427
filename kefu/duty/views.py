"""交接班 pages: the handover book (list with flags), write form, detail with 接班确认."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download
from kefu.org.selectors import employee_of
from kefu.tickets.selectors import my_open_tickets
from kefu.workforce.shifts import shift_names

from . import selectors, services
from .choices import FlagKind, HandoverStatus
from .forms import AckForm, HandoverForm, ReasonForm
from .models import Handover
from .schedule import current_or_last_shift
from .services.common import ACK_HANDOVER, ADD_HANDOVER, VIEW_HANDOVER, WAIVE_FLAG

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 20_000
TABS = (("book", "交接班记录"), ("flags", "交接班异常"))
VIEWS = (
    ("all", "全部"),
    ("pending", "待接班"),
    ("overdue", "超时未接班"),
    ("acknowledged", "已接班"),
)
FILTER_KEYS = ("from", "to", "shift", "team", "view", "q", "kind")
EVENT_LABELS = {
    "duty.handover_create": "填写交接班记录",
    "duty.handover_acknowledge": "接班确认",
    "duty.handover_overdue": "超时未接班",
}
OPEN_TICKETS_SHOWN = 50


def _params(request: HttpRequest) -> dict[str, str]:
    g = request.GET
    params = {k: g.get(k, "")[:40] for k in FILTER_KEYS}
    params["tab"] = g.get("tab") if g.get("tab") in dict(TABS) else "book"
    return params


def _page_size(request: HttpRequest) -> int:
    size = query_id(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _shift_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    return [(k, v) for k, v in shift_names(today).items() if k not in ("rest", "leave")]


@login_required
@permission_required(VIEW_HANDOVER, raise_exception=True)
def handover_list(request: HttpRequest) -> HttpResponse:
    """交接班: the book (filters day/shift/team/status, flags highlighted) and the flags tab."""
    params = _params(request)
    names = shift_names(timezone.localdate())
    if params["tab"] == "flags":
        qs = selectors.filter_flags(selectors.flags_for_user(request.user), params)
        template = "duty/_flag_table.html"
    else:
        qs = selectors.handover_rows(
            selectors.filter_handovers(selectors.handovers_for_user(request.user), params)
        )
        template = "duty/_handover_table.html"
    size = _page_size(request)
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.shift_name = names.get(row.shift_code, row.shift_code)
    context: dict[str, Any] = {
        "page": page,
        "filters": params,
        "filtered": any(params[k] for k in FILTER_KEYS if k != "view")
        or params["view"] not in ("", "all"),
        "can_waive": request.user.has_perm(WAIVE_FLAG),
        "now": timezone.now(),
    }
    if request.htmx and request.htmx.target == "duty-table":  # type: ignore[attr-defined]
        return render(request, template, context)
    context.update(
        tabs=TABS,
        views=VIEWS,
        kinds=FlagKind.choices,
        shifts=_shift_choices(),
        teams=selectors.duty_teams_for_user(request.user),
        table_template=template,
        can_add=request.user.has_perm(ADD_HANDOVER) and employee_of(request.user) is not None,
    )
    return render(request, "duty/handover_list.html", context)


@login_required
@permission_required(VIEW_HANDOVER, raise_exception=True)
def handover_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered book as Excel."""
    params = _params(request)
    qs = selectors.handover_rows(
        selectors.filter_handovers(selectors.handovers_for_user(request.user), params)
    )[:EXPORT_LIMIT]
    names = shift_names(timezone.localdate())
    columns = (
        Column("number", "编号", width=12),
        Column("day", "日期", kind="date", width=12),
        Column("shift", "班次", width=10),
        Column("team", "班组", width=12),
        Column("author", "交班人", width=10),
        Column("written_at", "交班时间", kind="datetime", width=17),
        Column("tickets", "交接工单数", width=10),
        Column("pending", "待处理事宜", width=40),
        Column("equipment", "设备情况", width=20),
        Column("staffing", "人员调班情况", width=20),
        Column("receivers", "接班人", width=24),
        Column("status", "状态", width=10),
    )

    def rows():  # type: ignore[no-untyped-def]
        for h in qs:
            receivers = "、".join(
                f"{a.employee.name}{'✓' if a.acknowledged_at else ''}" for a in h.acks.all()
            )
            status = h.get_status_display() + ("（超时）" if h.ack_overdue else "")
            yield [
                h.number,
                h.day,
                names.get(h.shift_code, h.shift_code),
                h.team.name if h.team else "",
                h.author.name,
                timezone.localtime(h.written_at).replace(tzinfo=None),
                h.ticket_count,
                h.pending_work,
                "正常" if h.equipment_ok else f"异常：{h.equipment_notes}",
                h.staffing,
                receivers,
                status,
            ]

    content, _ = write_workbook(
        sheet_title="交接班记录", title="交接班记录", columns=columns, rows=rows()
    )
    return xlsx_download(content, f"交接班记录_{timezone.localdate():%Y%m%d}.xlsx")


def _form(request: HttpRequest, data: Any = None) -> HandoverForm:
    tickets = list(my_open_tickets(request.user)[:OPEN_TICKETS_SHOWN])
    choices = [(str(t.pk), f"{t.number} {t.title[:30]}") for t in tickets]
    initial: dict[str, Any] = {"day": timezone.localdate(), "equipment_ok": "1"}
    me = employee_of(request.user)
    if me is not None:
        found = current_or_last_shift(me.pk, timezone.now())
        if found is not None:
            initial.update(day=found[0], shift_code=found[1])
    initial["tickets"] = [c[0] for c in choices]  # pre-filled with my open tickets
    return HandoverForm(
        data, initial=initial, shift_choices=_shift_choices(), ticket_choices=choices
    )


@login_required
@permission_required(ADD_HANDOVER, raise_exception=True)
def handover_new(request: HttpRequest) -> HttpResponse:
    """填写交接班记录, pre-filled with my shift and my open tickets."""
    if employee_of(request.user) is None:
        raise PermissionDenied
    form = _form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            handover = services.handover_create(
                actor=request.user,
                day=d["day"],
                shift_code=d["shift_code"],
                ticket_ids=[int(x) for x in d["tickets"]],
                ticket_numbers=form.numbers(),
                pending_work=d["pending_work"],
                equipment_ok=d["equipment_ok"],
                equipment_notes=d["equipment_notes"],
                staffing=d["staffing"],
                notes=d["notes"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "交接班记录已提交，等待下一班确认")
            return redirect("duty:handover_detail", pk=handover.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "duty/handover_form.html", {"form": form}, status=status)


def _visible(request: HttpRequest, pk: int) -> Handover:
    try:
        return selectors.handover_get_for_user(request.user, pk)
    except Handover.DoesNotExist as exc:
        raise Http404 from exc


def _timeline(handover: Handover) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(object_type="duty.handover", object_id=str(handover.pk)).order_by(
            "seq"
        )
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        remark = (e.after or {}).get("remark")
        e.details = [remark] if remark else []  # type: ignore[attr-defined]
    return events


def _detail(
    request: HttpRequest, handover: Handover, *, ack_form: AckForm | None = None, status: int = 200
) -> HttpResponse:
    me = employee_of(request.user)
    acks = list(handover.acks.select_related("employee").order_by("id"))
    mine = next((a for a in acks if me and a.employee_id == me.pk), None)
    can_ack = (
        request.user.has_perm(ACK_HANDOVER)
        and me is not None
        and me.pk != handover.author_id
        and (mine is None or mine.acknowledged_at is None)
    )
    if can_ack and mine is None:
        # Not an expected 接班人: only someone rostered on the next shift since (a swap), or any
        # colleague of the team when nobody was rostered — as the service decides.
        incoming = services.incoming_for(
            team_id=handover.team_id,
            day=handover.day,
            shift_code=handover.shift_code,
            exclude=[handover.author_id],
        )
        if incoming is not None:
            can_ack = me.pk in incoming.employee_ids
        else:
            can_ack = not any(a.expected for a in acks) and handover.team_id == me.team_id
    names = shift_names(handover.day)
    context = {
        "handover": handover,
        "shift_name": names.get(handover.shift_code, handover.shift_code),
        "incoming_name": shift_names(handover.incoming_day or handover.day).get(
            handover.incoming_shift_code, ""
        ),
        "tickets": list(handover.tickets.select_related("ticket__customer").order_by("id")),
        "acks": acks,
        "flags": list(handover.flags.select_related("employee").order_by("id")),
        "can_ack": can_ack,
        "ack_form": ack_form or (AckForm() if can_ack else None),
        "timeline": _timeline(handover),
        "now": timezone.now(),
        "pending": handover.status == HandoverStatus.PENDING,
    }
    return render(request, "duty/handover_detail.html", context, status=status)


@login_required
@permission_required(VIEW_HANDOVER, raise_exception=True)
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """交接班记录: what was handed over, who must confirm, the 接班确认 form, timeline."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required(ACK_HANDOVER, raise_exception=True)
def handover_ack(request: HttpRequest, pk: int) -> HttpResponse:
    handover = _visible(request, pk)
    form = AckForm(request.POST)
    if form.is_valid():
        try:
            services.handover_acknowledge(
                actor=request.user, handover=handover, remark=form.cleaned_data["remark"]
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            apply_to_form(form, exc)
        else:
            messages.success(request, "已确认接班")
            return redirect("duty:handover_detail", pk=handover.pk)
    return _detail(request, handover, ack_form=form, status=422)


@login_required
@require_POST
@permission_required(WAIVE_FLAG, raise_exception=True)
def flag_waive(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销交接班异常 with a reason (no incident then)."""
    flag = selectors.flags_for_user(request.user).filter(pk=pk).first()
    if flag is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因")
    else:
        try:
            services.handover_flag_waive(
                actor=request.user, flag=flag, reason=form.cleaned_data["reason"]
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已撤销该异常")
    return redirect(reverse("duty:handover_list") + "?tab=flags")
