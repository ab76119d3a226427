"""Publishing — 发布排班表 (WFM-2): a draft becomes the published version; publishing over a
published version re-issues the month (the old one is withdrawn, the people whose cells changed
are notified); a first publication tells every member of the team."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.core.models import Notification
from kefu.org.selectors import employee_of

from .. import selectors
from ..choices import RosterStatus
from ..models import Roster
from ..rostering.checker import check_roster
from .changes import notify_changed_cells
from .problem import ProblemContext, build_problem
from .rosters import month_label, require_publish


def publish_blockers(ctx: ProblemContext, cells: dict[tuple[int, dt.date], str]) -> list[str]:
    """Hard-rule breaks that stop a draft from being published (those not forced by fixed days
    and the past), as the checker words them — 发布前校验."""
    result = check_roster(ctx.problem, cells)
    fixed = {(p.id, d) for p in ctx.problem.people for d in p.fixed}
    out = []
    for v in result.violations:
        if v.day is not None and v.person_id is not None and (v.person_id, v.day) in fixed:
            continue
        out.append(v.message)
    return list(dict.fromkeys(out))


@transaction.atomic
def roster_publish(*, actor: Any, roster_id: int, reason: str = "") -> Roster:
    """发布排班表: the draft becomes the published version (WFM-2).

    Refused while the draft breaks a hard rule (the checker's messages, first five). When a
    published version exists, it is withdrawn (re-issue) and everyone whose cells changed is
    notified with the days; a first publication notifies every member of the team.
    """
    draft = Roster.objects.select_for_update().filter(pk=roster_id).first()
    if draft is None:
        raise DomainError("roster_missing", "排班表不存在", status=404)
    require_publish(actor, draft.team_id)
    if draft.status != RosterStatus.DRAFT:
        raise ConflictError("roster_not_draft", "只有草稿可以发布")
    ctx = build_problem(team_id=draft.team_id, month=draft.month)
    cells = selectors.roster_cells(draft.pk)
    blockers = publish_blockers(ctx, cells)
    if blockers:
        more = f"等{len(blockers)}处" if len(blockers) > 5 else ""
        raise DomainError(
            "roster_publish_rules",
            "排班表违反排班规则，不能发布：" + "；".join(blockers[:5]) + more,
        )
    now = timezone.now()
    me = employee_of(actor)
    old = (
        Roster.objects.select_for_update()
        .filter(team_id=draft.team_id, month=draft.month, status=RosterStatus.PUBLISHED)
        .first()
    )
    if old is not None:
        old.status = RosterStatus.WITHDRAWN
        old.withdrawn_at = now
        old.save(update_fields=["status", "withdrawn_at"])
    draft.status = RosterStatus.PUBLISHED
    draft.published_at = now
    draft.published_by = me
    draft.based_on = old or draft.based_on
    draft.change_reason = (reason or "").strip()[:300]
    draft.save(
        update_fields=["status", "published_at", "published_by", "based_on", "change_reason"]
    )
    notified = 0
    changed: list[tuple[int, dt.date, str, str]] = []
    if old is not None:
        old_cells = selectors.roster_cells(old.pk)
        changed = [
            (emp, day, old_cells.get((emp, day), ""), code)
            for (emp, day), code in cells.items()
            if old_cells.get((emp, day)) != code
        ]
        notified = notify_changed_cells(roster=draft, changes=changed, reason=draft.change_reason)
    else:
        notified = _notify_published(draft, {emp for emp, _ in cells})
    audit.record(
        actor=actor,
        action="roster.publish",
        obj=draft,
        before={"version": old.version} if old else None,
        after={
            "version": draft.version,
            "reissue": old is not None,
            "changed_cells": len(changed),
            "notified": notified,
        },
        reason=draft.change_reason,
    )
    return draft


def _notify_published(roster: Roster, employee_ids: set[int]) -> int:
    from kefu.org.models import Employee

    users = Employee.objects.filter(pk__in=employee_ids).values_list("user_id", flat=True)
    link = reverse("workforce:roster_detail", args=[roster.pk])
    made = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            title=f"{month_label(roster.month)}排班表已发布",
            body=f"{roster.team.name} {month_label(roster.month)}排班表（第{roster.version}版）已发布，请查看本人班次。",
            link=link,
        )
        for user_id in users
    )
    return len(made)
