"""全勤奖与请假 — which approved leave costs the full-attendance bonus (PERF-4 b, WFM-4/5).

The seed's 全勤奖 (004 ④ "每人每月有100元全勤奖") is cancelled only by 忘记打卡未签卡 (视为脱岗),
私自离岗 and 旷工 — the ledger rules marked ``breaks_full_attendance``. Leave approved in advance
is not 旷工 ("经部门主管批准后方可生效,否则按旷工处理"), and leave beyond the 调休 quota already
arrives from the attendance module as an absence line. So by default every leave type keeps the
bonus; ``performance.full_attendance_kept_leave`` lists the leave types (codes of the ``leave``
domain) that keep it, and approved leave of any type *not* listed, on a day of the month, costs
it. A company that pays 全勤奖 only for no 事假/病假 removes those two codes from the list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

from .periods import month_end


def leave_keeps_full_attendance(leave_type: str, kept: Collection[str]) -> bool:
    """Whether approved leave of ``leave_type`` keeps 全勤奖 under the policy's ``kept`` list."""
    return leave_type in kept


def leave_costing_full_attendance(
    month: dt.date, kept: Collection[str], employee_ids: Iterable[int] | None = None
) -> dict[int, list[str]]:
    """Per employee: the names of the leave types that cost 全勤奖 in ``month`` — approved (or
    reported back) leave of a type not in ``kept`` with a day on leave in the month. One query."""
    from kefu.leave.choices import TAKEN_STATUSES
    from kefu.leave.models import LeaveRequest

    start, end = month, month_end(month)
    rows = LeaveRequest.objects.filter(
        status__in=TAKEN_STATUSES, start_day__lte=end, end_day__gte=start
    ).exclude(leave_type__in=list(kept))
    if employee_ids is not None:
        rows = rows.filter(applicant_id__in=list(employee_ids))
    found: dict[int, list[str]] = defaultdict(list)
    for leave in rows.only(
        "applicant_id", "leave_type", "type_name", "start_day", "end_day", "returned_on"
    ).order_by("start_day", "pk"):
        if leave_keeps_full_attendance(leave.leave_type, kept):
            continue
        if any(start <= day <= end for day in leave.leave_dates()):
            names = found[leave.applicant_id]
            if leave.type_name not in names:
                names.append(leave.type_name)
    return dict(found)
