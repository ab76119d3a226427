"""换班 services (WFM-3): ask → colleague agrees → the chain approves → the roster changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent, CalendarDay, Notification
from kefu.org.approval_flow import approval_steps
from kefu.org.models import ApprovalStep
from kefu.swaps import services
from kefu.swaps.choices import SwapKind, SwapStatus
from kefu.swaps.models import ShiftSwap
from kefu.swaps.selectors import paybacks_overdue, swap_days
from kefu.workforce.models import Roster
from kefu.workforce.selectors import rostered_code

from .factories import future_month, publish_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org: dict[str, Any]) -> dt.date:
    first = future_month()
    publish_roster(org["team_a"], first, [org["agent_a1"], org["agent_a2"], org["lead_a"]])
    return first


def day(month: dt.date, n: int) -> dt.date:
    return month.replace(day=n)


def ask(org, month, **kw) -> ShiftSwap:  # type: ignore[no-untyped-def]
    values = {
        "actor": org["agent_a1"].user,
        "colleague": org["agent_a2"],
        "day": day(month, 10),
        "payback_day": day(month, 13),
        "reason": "家中有事",
    }
    values.update(kw)
    return services.swap_create(**values)


def approve_all(org, swap) -> ShiftSwap:  # type: ignore[no-untyped-def]
    for who in ("lead_a", "supervisor", "manager"):
        swap = services.swap_decide(actor=org[who].user, swap=swap, approve=True, comment="同意")
    return swap


def test_full_flow_updates_both_cells_on_both_days(org, month) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    swap = ask(org, month)
    assert swap.status == SwapStatus.AWAITING_COLLEAGUE
    assert (swap.applicant_code, swap.colleague_code) == ("day", "rest")
    assert (swap.payback_applicant_code, swap.payback_colleague_code) == ("rest", "day")
    assert Notification.objects.filter(
        recipient=a2.user, title__startswith="换班申请待您确认"
    ).exists()

    swap = services.swap_accept(actor=a2.user, swap=swap)
    assert swap.status == SwapStatus.PENDING
    # nobody is skipped: 组长 → 客服主管 → 客服部经理 (the swap rule's final level)
    assert [s.approver for s in approval_steps(swap)] == [
        org["lead_a"],
        org["supervisor"],
        org["manager"],
    ]
    swap = services.swap_decide(actor=org["lead_a"].user, swap=swap, approve=True)
    assert swap.status == SwapStatus.PENDING
    with pytest.raises(PermissionDeniedError):  # the manager's turn has not come
        services.swap_decide(actor=org["manager"].user, swap=swap, approve=True)
    swap = services.swap_decide(actor=org["supervisor"].user, swap=swap, approve=True)
    before = Roster.objects.get(team=org["team_a"], month=month, status="published")
    swap = services.swap_decide(actor=org["manager"].user, swap=swap, approve=True)
    assert swap.status == SwapStatus.APPROVED and swap.paid_back_on == day(month, 13)
    assert rostered_code(a1.pk, day(month, 10)) == "rest"
    assert rostered_code(a2.pk, day(month, 10)) == "day"
    assert rostered_code(a1.pk, day(month, 13)) == "day"
    assert rostered_code(a2.pk, day(month, 13)) == "rest"
    now = Roster.objects.get(team=org["team_a"], month=month, status="published")
    assert (
        now.version == before.version + 1
        and now.entries.get(employee=a1, day=day(month, 10)).source == "swap"
    )
    assert Notification.objects.filter(recipient=a1.user, title__contains="排班表已变更").exists()
    actions = set(
        AuditEvent.objects.filter(object_type="swaps.shiftswap").values_list("action", flat=True)
    )
    assert {"swaps.create", "swaps.accept", "swaps.approve"} <= actions


def test_payback_later_is_its_own_request_and_tracked(org, month) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    # 12th: a2 rests too, so a2 does not work seven days in a row before the payback
    from kefu.workforce.models import RosterEntry

    RosterEntry.objects.filter(employee=a2, day=day(month, 12)).update(code="rest")
    swap = ask(org, month, payback_day=None, payback_due=day(month, 20))
    swap = services.swap_accept(actor=a2.user, swap=swap)
    swap = approve_all(org, swap)
    assert swap.status == SwapStatus.APPROVED and swap.paid_back_on is None
    assert swap.payback_state(day(month, 15)) == "due"
    assert swap.payback_state(day(month, 21)) == "overdue"
    assert list(paybacks_overdue(ShiftSwap.objects.all(), day(month, 21))) == [swap]

    with pytest.raises(DomainError) as err:
        services.swap_payback_create(actor=a1.user, swap=swap, day=day(month, 14), reason="还班")
    assert err.value.code == "swap_no_shift"  # a2 rests on the 14th
    payback = services.swap_payback_create(
        actor=a1.user, swap=swap, day=day(month, 13), reason="还班"
    )
    assert payback.kind == SwapKind.PAYBACK and payback.payback_of == swap
    with pytest.raises(DomainError) as err:
        services.swap_payback_create(actor=a1.user, swap=swap, day=day(month, 19), reason="再还")
    assert err.value.code == "swap_payback_open"
    payback = services.swap_accept(actor=a2.user, swap=payback)
    approve_all(org, payback)
    swap.refresh_from_db()
    assert swap.paid_back_on == day(month, 13)
    assert swap.payback_state(day(month, 14)) == "done"
    assert (
        rostered_code(a1.pk, day(month, 13)) == "day"
        and rostered_code(a2.pk, day(month, 13)) == "rest"
    )


def test_decline_withdraw_and_reject(org, month) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    swap = ask(org, month)
    with pytest.raises(DomainError) as err:
        services.swap_decline(actor=a2.user, swap=swap, reason="")
    assert err.value.fields == {"reason": "请填写拒绝原因"}
    with pytest.raises(PermissionDeniedError):
        services.swap_accept(actor=a1.user, swap=swap)
    swap = services.swap_decline(actor=a2.user, swap=swap, reason="那天有事")
    assert swap.status == SwapStatus.DECLINED

    swap = ask(org, month)
    swap = services.swap_accept(actor=a2.user, swap=swap)
    with pytest.raises(PermissionDeniedError):
        services.swap_withdraw(actor=a2.user, swap=swap)
    swap = services.swap_withdraw(actor=a1.user, swap=swap, reason="不换了")
    assert swap.status == SwapStatus.WITHDRAWN
    assert not ApprovalStep.objects.filter(
        subject_id=swap.pk, state__in=["pending", "waiting"]
    ).exists()

    swap = ask(org, month)
    swap = services.swap_accept(actor=a2.user, swap=swap)
    with pytest.raises(DomainError) as err:
        services.swap_decide(actor=org["lead_a"].user, swap=swap, approve=False)
    assert err.value.code == "approval_comment_required"
    swap = services.swap_decide(
        actor=org["lead_a"].user, swap=swap, approve=False, comment="人手不足"
    )
    assert swap.status == SwapStatus.REJECTED
    assert rostered_code(a1.pk, day(month, 10)) == "day"


def test_rules_are_enforced_with_their_message(org, month) -> None:
    with pytest.raises(DomainError) as err:
        ask(org, month, colleague=org["agent_b1"])
    assert err.value.code == "swap_other_team" and err.value.fields == {
        "colleague": "只能与本班组的同事换班"
    }
    with pytest.raises(DomainError) as err:
        ask(org, month, payback_day=None)
    assert err.value.code == "swap_payback_required"
    with pytest.raises(DomainError) as err:
        ask(org, month, reason=" ")
    assert err.value.fields == {"reason": "请填写换班原因"}
    CalendarDay.objects.create(date=day(month, 10), kind="holiday", name="节日")
    with pytest.raises(DomainError) as err:
        ask(org, month)
    assert err.value.code == "swap_holiday"
    assert err.value.message == f"节假日当班人员不允许换班：{month.month}月10日为法定节假日"


def test_monthly_cap_and_consecutive_across_requests(org, month) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    ask(org, month)  # awaiting the colleague: the 10th and 13th are held
    assert swap_days([a2.pk], month, day(month, 28)) == {
        (a2.pk, day(month, 10)),
        (a2.pk, day(month, 13)),
    }
    with pytest.raises(DomainError) as err:
        ask(org, month, day=day(month, 14), payback_day=day(month, 17))
    assert err.value.code == "swap_consecutive"
    assert f"不允许连续换班：客服甲一{month.month}月13日已有换班或还班" in err.value.message
    ask(org, month, day=day(month, 2), payback_day=day(month, 5))
    ask(org, month, day=day(month, 18), payback_day=day(month, 21))
    with pytest.raises(DomainError) as err:
        ask(org, month, day=day(month, 26), payback_day=day(month, 29))
    assert err.value.code == "swap_monthly_cap"
    assert err.value.message.startswith(
        f"客服甲一{month.year}年{month.month}月已有3次换班，每人每月换班不得超过3次"
    )
    # a declined request no longer counts
    swap = ShiftSwap.objects.filter(applicant=a1).order_by("pk").first()
    services.swap_decline(actor=a2.user, swap=swap, reason="不方便")
    ask(org, month, day=day(month, 26), payback_day=day(month, 29))


def test_roster_changed_since_the_request_is_refused_at_approval(org, month) -> None:
    from kefu.workforce.services.changes import CellChange, roster_apply_change

    swap = services.swap_accept(actor=org["agent_a2"].user, swap=ask(org, month))
    roster_apply_change(
        actor=org["lead_a"].user,
        team_id=org["team_a"].pk,
        month=month,
        changes=[CellChange(org["agent_a1"].pk, day(month, 10), "night")],
        reason="调整",
    )
    with pytest.raises(DomainError) as err:
        services.swap_decide(actor=org["lead_a"].user, swap=swap, approve=True)
    assert err.value.code == "swap_roster_changed"


def test_checking_one_swap_is_a_handful_of_queries(
    org, month, django_assert_max_num_queries
) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    with django_assert_max_num_queries(10):
        check = services.swap_check(
            applicant=a1, colleague=a2, day=day(month, 10), payback_day=day(month, 13)
        )
    assert check.errors == []
