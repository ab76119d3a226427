"""空班按旷工 — the WFM-3 rule on a shift left empty after a swap: pure, data in, data out.

The seeds: "换班双方必须交待清楚,若交代不清造成误班、空班的按旷工处理,并按责任大小考核双方当事人"
([001]). When the person who took a shift over by an approved swap (接班人) never comes, the day
is judged a no-show for them as for anyone, and the person who handed the shift over (交班人) is
judged with them: the same no-show reading of the policy (``no_show_as``: 旷班 by default, the
seeds' "自行休息按旷工处理"; or 旷工) is added to the giver's day, which is usually a rest day.

Only a *settled* no-show counts (after the 补卡 deadline, like any no-show), and only while the
roster still shows the handed code in the holder's cell (a later roster change ends the link).
A giver already judged a no-show that day is not judged twice. "按责任大小考核" (the ¥20 换班交代不清
fine, PERF-6) stays a lead's decision in the incident ledger. ``Rules.swap_empty_shift_both``
(policy ``attendance.swap_empty_shift_both``) turns the rule off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from .choices import DayStatus, IncidentRule
from .classify import DayResult, Rules, no_show, severity
from .hooks import HandedShift

Key = tuple[int, dt.date]
NO_SHOW_RULES = (IncidentRule.TRUANCY, IncidentRule.ABSENCE)


def is_no_show(result: DayResult) -> bool:
    """A rostered day settled as never come (no clock at all, judged 旷班 or 旷工)."""
    return (
        result.status in (DayStatus.TRUANCY, DayStatus.ABSENT)
        and result.clock_in is None
        and result.clock_out is None
        and result.missing_in
        and result.missing_out
        and any(p.rule in NO_SHOW_RULES for p in result.penalties)
    )


def judge_empty_swap_shifts(
    results: Mapping[Key, DayResult],
    codes: Mapping[Key, str | None],
    handed: Iterable[HandedShift],
    rules_of: Callable[[dt.date], Rules],
    names: Mapping[Key, str] | None = None,
) -> dict[Key, DayResult]:
    """The day results to replace: the holder's no-show with the swap named, the giver's day with
    the same no-show added. ``results`` and ``codes`` hold the days being classified (the roster
    code of each); ``names`` the shift names (for the text)."""
    names = names or {}
    changed: dict[Key, DayResult] = {}
    for h in sorted(handed, key=lambda h: (h.day, h.holder_id, h.giver_id)):
        holder, giver = (h.holder_id, h.day), (h.giver_id, h.day)
        held = changed.get(holder, results.get(holder))
        if held is None or codes.get(holder) != h.code or not is_no_show(held):
            continue
        rules = rules_of(h.day)
        if not rules.swap_empty_shift_both:
            continue
        shift = names.get(holder) or "班次"
        status, penalty = no_show(rules, shift)
        changed[holder] = replace(
            held,
            penalties=tuple(
                replace(p, description=f"换班（{h.reference}）接{shift}后未到岗，造成空班")
                if p.rule in NO_SHOW_RULES
                else p
                for p in held.penalties
            ),
        )
        given = changed.get(giver, results.get(giver))
        if given is None or is_no_show(given):
            continue
        text = f"换班（{h.reference}）交出的{shift}无人到岗，交代不清造成空班，按旷工处理"
        changed[giver] = replace(
            given,
            status=status if severity(status) < severity(given.status) else given.status,
            penalties=(*given.penalties, replace(penalty, description=text)),
        )
    return changed
