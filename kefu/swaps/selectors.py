"""换班 reads — swaps the viewer may see, the days swaps hold (for leave and the swap rules), the
colleagues one may swap with and the overdue paybacks (还班逾期).

``swap_days`` is how the leave module (请假) learns that a day is a swap or payback day (换班和还班
均不得请假).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from kefu.org.choices import EmployeeStatus
from kefu.org.models import ApprovalStep, Employee
from kefu.org.selectors import employee_of, employee_scope_filter

from .choices import ACTIVE_STATUSES, OPEN_STATUSES, SwapKind, SwapStatus
from .models import ShiftSwap
from .rules import SwapMark

VIEW = "swaps.view_shiftswap"
ADD = "swaps.add_shiftswap"
VIEW_TEAM = "swaps.view_team_shiftswap"

TABS = (
    ("mine", "我的换班"),
    ("confirm", "待我确认"),
    ("team", "班组换班"),
    ("payback", "待还班"),
)


def _touching(person_ids: list[int], start: dt.date, end: dt.date) -> QuerySet[ShiftSwap]:
    people = Q(applicant_id__in=person_ids) | Q(colleague_id__in=person_ids)
    days = Q(day__range=(start, end)) | Q(payback_day__range=(start, end))
    return ShiftSwap.objects.filter(people, days, status__in=ACTIVE_STATUSES)


def swap_marks(
    person_ids: Iterable[int], start: dt.date, end: dt.date, *, exclude_pk: int | None = None
) -> tuple[SwapMark, ...]:
    """Days held by active swap requests (待同事确认/待审批/已批准) of these people from ``start``
    to ``end``: each swap's own day (counted for the monthly cap when it is a 换班) and its
    payback day. One query."""
    ids = list(person_ids)
    qs = _touching(ids, start, end)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    marks: list[SwapMark] = []
    rows = qs.values_list("applicant_id", "colleague_id", "day", "payback_day", "kind")
    for applicant, colleague, day, payback_day, kind in rows:
        for pid in (applicant, colleague):
            if pid not in ids:
                continue
            if start <= day <= end:
                marks.append(SwapMark(pid, day, counted=kind == SwapKind.SWAP))
            if payback_day and start <= payback_day <= end:
                marks.append(SwapMark(pid, payback_day, counted=False))
    return tuple(marks)


def swap_days(person_ids: Iterable[int], start: dt.date, end: dt.date) -> set[tuple[int, dt.date]]:
    """(employee id, day) of every swap or payback day held by an active swap request — the days
    on which leave is refused (换班和还班均不得请假)."""
    return {(m.person_id, m.day) for m in swap_marks(person_ids, start, end)}


def handed_shifts(person_ids: Iterable[int], start: dt.date, end: dt.date) -> list[Any]:
    """Shifts handed over by approved swaps on ``start``..``end`` in which one of these people is
    either party — for attendance's WFM-3 rule (交代不清造成空班, both are judged). Each exchange
    (the swap day and, when set, the payback day) hands each person's old cell to the other.
    One query."""
    from kefu.attendance.hooks import HandedShift

    ids = list(person_ids)
    qs = _touching(ids, start, end).filter(status=SwapStatus.APPROVED)
    found: list[HandedShift] = []
    for swap in qs.only(
        "pk",
        "applicant_id",
        "colleague_id",
        "day",
        "applicant_code",
        "colleague_code",
        "payback_day",
        "payback_applicant_code",
        "payback_colleague_code",
    ):
        a, b = swap.applicant_id, swap.colleague_id
        exchanges = [(swap.day, swap.applicant_code, swap.colleague_code)]
        if swap.payback_day:
            exchanges.append(
                (swap.payback_day, swap.payback_applicant_code, swap.payback_colleague_code)
            )
        for day, a_code, b_code in exchanges:
            # The same code on both sides hands nothing over (each still works their own shift).
            if not start <= day <= end or a_code == b_code:
                continue
            if a_code:
                found.append(
                    HandedShift(day, holder_id=b, giver_id=a, code=a_code, reference=swap.number)
                )
            if b_code:
                found.append(
                    HandedShift(day, holder_id=a, giver_id=b, code=b_code, reference=swap.number)
                )
    return found


def colleagues_for_swap(employee: Employee) -> QuerySet[Employee]:
    """Active members of the employee's team, the employee excluded — who one may swap with."""
    if employee.team_id is None:
        return Employee.objects.none()
    return (
        Employee.objects.filter(team_id=employee.team_id, status=EmployeeStatus.ACTIVE)
        .exclude(pk=employee.pk)
        .order_by("employee_no")
    )


def _approver_of() -> Any:
    ct = ContentType.objects.get_for_model(ShiftSwap)
    return ApprovalStep.objects.filter(subject_type=ct)


def swaps_for_user(user: Any) -> QuerySet[ShiftSwap]:
    """Swaps ``user`` may see: their own (asked or asked of them), those they approve, and with
    查看班组换班 every swap of the people in their data scope."""
    me = employee_of(user)
    if me is None:
        return ShiftSwap.objects.none()
    visible = Q(applicant=me) | Q(colleague=me)
    visible |= Q(pk__in=_approver_of().filter(approver=me).values("subject_id"))
    if user.has_perm(VIEW_TEAM):
        in_scope = Employee.objects.filter(employee_scope_filter(user)).values("pk")
        visible |= Q(applicant__in=in_scope)
    return ShiftSwap.objects.filter(visible)


def swap_get_for_user(user: Any, pk: int) -> ShiftSwap:
    """One swap the user may see, related rows joined; DoesNotExist otherwise."""
    return list_rows(swaps_for_user(user)).get(pk=pk)


def list_rows(qs: QuerySet[ShiftSwap]) -> QuerySet[ShiftSwap]:
    return qs.select_related("applicant", "colleague", "team", "payback_of").order_by(
        "-created_at", "-pk"
    )


def filter_swaps(
    qs: QuerySet[ShiftSwap], user: Any, params: dict[str, str], today: dt.date | None = None
) -> QuerySet[ShiftSwap]:
    """Apply the list's tab and filters (tab, status, month ``YYYY-MM``, q = name or 工号)."""
    me = employee_of(user)
    today = today or timezone.localdate()
    tab = params.get("tab", "mine")
    if tab == "mine":
        qs = qs.filter(Q(applicant=me) | Q(colleague=me))
    elif tab == "confirm":
        qs = qs.filter(colleague=me, status=SwapStatus.AWAITING_COLLEAGUE)
    elif tab == "payback":
        qs = paybacks_outstanding(qs, today)
    status = params.get("status", "")
    if status in SwapStatus.values:
        qs = qs.filter(status=status)
    month = parse_month(params.get("month", ""))
    if month is not None:
        qs = qs.filter(day__year=month.year, day__month=month.month)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(applicant__name__icontains=q)
            | Q(colleague__name__icontains=q)
            | Q(applicant__employee_no__iexact=q)
            | Q(colleague__employee_no__iexact=q)
        )
    return qs


def paybacks_outstanding(qs: QuerySet[ShiftSwap], today: dt.date) -> QuerySet[ShiftSwap]:
    """Approved swaps not yet paid back on ``today`` (待还班 and 逾期)."""
    return qs.filter(kind=SwapKind.SWAP, status=SwapStatus.APPROVED).filter(
        Q(paid_back_on__isnull=True) | Q(paid_back_on__gt=today)
    )


def paybacks_overdue(qs: QuerySet[ShiftSwap], today: dt.date) -> QuerySet[ShiftSwap]:
    """还班逾期: approved swaps with no payback in the roster and the deadline passed."""
    return qs.filter(
        kind=SwapKind.SWAP,
        status=SwapStatus.APPROVED,
        paid_back_on__isnull=True,
        payback_due__lt=today,
    )


def open_payback_request(swap: ShiftSwap) -> ShiftSwap | None:
    """The payback request (还班申请) of ``swap`` still in progress, if any."""
    return swap.paybacks.filter(status__in=OPEN_STATUSES).first()


def awaiting_my_confirmation(user: Any) -> int:
    """How many swaps wait for ``user`` to agree (待我确认)."""
    me = employee_of(user)
    if me is None:
        return 0
    return ShiftSwap.objects.filter(colleague=me, status=SwapStatus.AWAITING_COLLEAGUE).count()


def parse_month(text: str) -> dt.date | None:
    """``YYYY-MM`` → the 1st of that month; None when absent or not a month."""
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None
