"""Roster changes after publishing — 排班变更 (WFM-2): a published roster is frozen; any change
(a team lead's edit, an approved swap 换班, approved leave 请假) re-issues it as a new published
version, withdraws the old one and tells the people whose cells changed.

Callers check their own permissions and rules (swap limits, leave notice, the hard-rule checker)
before calling; this module only versions, writes and notifies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import DomainError
from kefu.core.models import Notification
from kefu.org.models import Employee
from kefu.org.selectors import employee_of

from ..choices import TO_FILL_NOTE, EntrySource, RosterStatus
from ..models import Roster, RosterEntry
from ..rostering.problem import LEAVE, OFF_CODES, REST
from ..selectors import month_start
from ..shifts import shift_names


@dataclass(frozen=True)
class CellChange:
    """One cell to change — 调整: ``employee_id`` works ``code`` on ``day``."""

    employee_id: int
    day: dt.date
    code: str
    note: str = ""


def _check_codes(changes: Sequence[CellChange]) -> None:
    for change in changes:
        names = shift_names(change.day)
        if change.code not in names and change.code not in OFF_CODES:
            raise DomainError("roster_unknown_code", f"未知班次：{change.code}")


@transaction.atomic
def roster_apply_change(
    *,
    actor: Any,
    team_id: int,
    month: dt.date,
    changes: Sequence[CellChange],
    reason: str,
    source: str = EntrySource.MANUAL,
) -> Roster:
    """Re-issue the team's published roster of ``month`` with ``changes`` — 重新发布排班表.

    The old version becomes 已撤回; the new one is published at once (it replaces a frozen,
    already-issued roster). The team's open draft of the same month, if any, gets the same
    changes so publishing it later does not undo them. Each person whose cell changed is
    notified. Returns the new published roster.
    """
    month = month_start(month)
    if not changes:
        raise DomainError("roster_no_change", "没有需要调整的排班")
    if any(month_start(c.day) != month for c in changes):
        raise DomainError("roster_change_other_month", "调整的日期不在该月排班表内")
    _check_codes(changes)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise DomainError(
            "roster_reason_required", "请填写变更原因", fields={"reason": "请填写变更原因"}
        )
    old = (
        Roster.objects.select_for_update()
        .filter(team_id=team_id, month=month, status=RosterStatus.PUBLISHED)
        .first()
    )
    if old is None:
        raise DomainError("roster_not_published", "该月排班表尚未发布，请直接修改草稿", status=409)
    cells = {(e.employee_id, e.day): e for e in old.entries.all()}
    for change in changes:
        if (change.employee_id, change.day) not in cells:
            raise DomainError("roster_not_member", "该员工不在此排班表中，无法调整", status=409)
    wanted = {(c.employee_id, c.day): c for c in changes}
    changed = [k for k, c in wanted.items() if cells[k].code != c.code]
    if not changed:
        raise DomainError("roster_no_change", "排班没有变化")
    now = timezone.now()
    me = employee_of(actor)
    old.status = RosterStatus.WITHDRAWN
    old.withdrawn_at = now
    old.save(update_fields=["status", "withdrawn_at"])
    top = Roster.objects.filter(team_id=team_id, month=month).aggregate(m=Max("version"))["m"]
    new = Roster.objects.create(
        team_id=team_id,
        month=month,
        version=(top or 0) + 1,
        status=RosterStatus.PUBLISHED,
        based_on=old,
        change_reason=reason,
        created_by=me,
        published_by=me,
        published_at=now,
    )
    rows = []
    for key, entry in cells.items():
        change = wanted.get(key)
        if change is not None and change.code != entry.code:
            rows.append(
                RosterEntry(
                    roster=new,
                    employee_id=entry.employee_id,
                    day=entry.day,
                    code=change.code,
                    source=source,
                    note=change.note[:200],
                )
            )
        else:
            rows.append(
                RosterEntry(
                    roster=new,
                    employee_id=entry.employee_id,
                    day=entry.day,
                    code=entry.code,
                    source=entry.source,
                    note=entry.note,
                )
            )
    RosterEntry.objects.bulk_create(rows, batch_size=2000)
    draft = Roster.objects.filter(team_id=team_id, month=month, status=RosterStatus.DRAFT).first()
    if draft is not None:
        for key in changed:
            c = wanted[key]
            RosterEntry.objects.filter(roster=draft, employee_id=key[0], day=key[1]).update(
                code=c.code, source=source, note=c.note[:200]
            )
    notify_changed_cells(
        roster=new,
        changes=[(k[0], k[1], cells[k].code, wanted[k].code) for k in changed],
        reason=reason,
    )
    audit.record(
        actor=actor,
        action="roster.reissue",
        obj=new,
        before={"version": old.version},
        after={
            "version": new.version,
            "changes": [
                {"employee": k[0], "day": k[1].isoformat(), "code": wanted[k].code} for k in changed
            ],
        },
        reason=reason,
    )
    return new


def notify_changed_cells(
    *,
    roster: Roster,
    changes: Sequence[tuple[int, dt.date, str, str]],
    reason: str = "",
) -> int:
    """Tell each person whose cells changed in the re-issued ``roster`` what changed — 变更通知.

    ``changes`` holds (employee id, day, old code, new code). One notification per person,
    listing their days in order. Returns the number of notifications.
    """
    names = shift_names(roster.month)
    link = reverse("workforce:roster_detail", args=[roster.pk])
    by_person: dict[int, list[str]] = {}
    for emp_id, day, before, after in sorted(changes, key=lambda c: (c[0], c[1])):
        if before == after:
            continue
        by_person.setdefault(emp_id, []).append(
            f"{day.month}月{day.day}日 {names.get(before, before or '未排')}→{names.get(after, after)}"
        )
    users = dict(Employee.objects.filter(pk__in=by_person).values_list("pk", "user_id"))
    tail = f"。原因：{reason}" if reason else ""
    made = Notification.objects.bulk_create(
        Notification(
            recipient_id=users[emp_id],
            title=f"排班表已变更（{roster.month:%Y年%m月} 第{roster.version}版）"[:200],
            body="；".join(lines) + tail,
            link=link,
        )
        for emp_id, lines in by_person.items()
        if emp_id in users
    )
    return len(made)


@transaction.atomic
def roster_release_leave(
    *,
    actor: Any,
    team_id: int,
    employee_id: int,
    restore: Mapping[dt.date, str | None],
    reason: str,
    ref: str,
) -> list[dt.date]:
    """Give 请假 cells back — 销假/撤销请假还原排班 (WFM-2, WFM-4).

    ``restore`` maps each day the leave no longer covers to the code the leave replaced, or None
    when it is not known (leave approved before its month was published was a fixed day for the
    solver, so no shift was ever rostered). Only cells still 请假 change: a known code comes back;
    an unknown one becomes 休息 noted ``待排班`` (the grid marks it) and the team leader is asked to
    roster it. Published months are re-issued (``roster_apply_change``, which also updates an open
    draft); a month only drafted gets the draft cells changed. Returns the days left to fill.
    """
    from ..selectors import roster_draft, roster_published

    by_month: dict[dt.date, list[dt.date]] = {}
    for day in sorted(restore):
        by_month.setdefault(month_start(day), []).append(day)
    to_fill: list[dt.date] = []
    last: Roster | None = None
    for month, days in sorted(by_month.items()):
        published = roster_published(team_id, month)
        target = published or roster_draft(team_id, month)
        if target is None:
            continue
        current = dict(
            RosterEntry.objects.filter(
                roster=target, employee_id=employee_id, day__in=days
            ).values_list("day", "code")
        )
        changes = []
        for day in days:
            if current.get(day) != LEAVE:
                continue
            code = restore[day]
            if code is None:
                to_fill.append(day)
                changes.append(CellChange(employee_id, day, REST, note=f"{TO_FILL_NOTE}（{ref}）"))
            else:
                changes.append(CellChange(employee_id, day, code, note=ref))
        if not changes:
            continue
        if published is not None:
            last = roster_apply_change(
                actor=actor,
                team_id=team_id,
                month=month,
                changes=changes,
                reason=reason,
                source=EntrySource.LEAVE,
            )
        else:
            for c in changes:
                RosterEntry.objects.filter(
                    roster=target, employee_id=employee_id, day=c.day
                ).update(code=c.code, source=EntrySource.LEAVE, note=c.note[:200])
            audit.record(
                actor=actor,
                action="roster.release_leave",
                obj=target,
                after={"changes": [{"day": c.day.isoformat(), "code": c.code} for c in changes]},
                reason=reason,
            )
            last = target
    if to_fill and last is not None:
        _ask_lead_to_fill(last, employee_id, to_fill, reason)
    return to_fill


def _ask_lead_to_fill(roster: Roster, employee_id: int, days: list[dt.date], reason: str) -> None:
    """Tell the team leader which 休息 cells wait for a shift (销假待排班)."""
    from ..selectors import team_lead_of

    leader = team_lead_of(employee_id)
    if leader is None:
        return
    name = Employee.objects.filter(pk=employee_id).values_list("name", flat=True).first() or ""
    text = "、".join(f"{d.month}月{d.day}日" for d in days)
    Notification.objects.create(
        recipient_id=leader.user_id,
        title=f"销假待排班：{name} {text}"[:200],
        body=(
            f"{reason}。原班次未知（请假在排班表发布前已批准），已暂记为休息，请在排班表中安排班次。"
        )[:500],
        link=f"{reverse('workforce:roster_grid')}?team={roster.team_id}&month={roster.month:%Y-%m}",
    )
