"""审批流转 (ORG-4): steps along the reporting line, one level at a time, inbox page."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent, Notification
from kefu.org.approval_flow import (
    approval_can_decide,
    approval_cancel,
    approval_current,
    approval_decide,
    approval_start,
    approval_steps,
    approvals_pending_for_user,
)
from kefu.org.choices import ApprovalState

pytestmark = pytest.mark.django_db


def _start(org: dict[str, Any], days: float = 1) -> Any:
    subject = org["team_a"]  # any model instance can be the subject
    approval_start(
        subject=subject,
        kind="leave",
        applicant=org["agent_a1"],
        title="请假 1 天",
        link="/leave/1/",
        days=days,
    )
    return subject


def test_leave_of_one_day_climbs_to_the_department_head_one_level_at_a_time(org):
    subject = _start(org)
    steps = approval_steps(subject)
    assert [s.approver for s in steps] == [org["lead_a"], org["supervisor"], org["manager"]]
    assert [s.state for s in steps] == ["pending", "waiting", "waiting"]
    assert Notification.objects.filter(recipient=org["lead_a"].user, link="/leave/1/").exists()
    # 不得越级: the supervisor may not decide before the team lead.
    with pytest.raises(PermissionDeniedError):
        approval_decide(actor=org["supervisor"].user, subject=subject, approve=True)
    assert approval_current(subject).approver == org["lead_a"]
    assert approval_can_decide(org["lead_a"].user, subject)
    assert not approval_can_decide(org["supervisor"].user, subject)
    assert approval_decide(actor=org["lead_a"].user, subject=subject, approve=True) == "pending"
    assert approval_current(subject).approver == org["supervisor"]
    assert approval_decide(actor=org["supervisor"].user, subject=subject, approve=True) == "pending"
    assert approval_decide(actor=org["manager"].user, subject=subject, approve=True) == "approved"
    assert approval_current(subject) is None
    assert Notification.objects.filter(
        recipient=org["agent_a1"].user, title__startswith="已批准"
    ).exists()
    assert AuditEvent.objects.filter(action="approval.approve").count() == 3


def test_longer_leave_goes_on_to_the_deputy_gm(org):
    subject = _start(org, days=2)
    assert [s.approver for s in approval_steps(subject)][-1] == org["dgm"]


def test_rejection_needs_a_comment_and_ends_the_request(org):
    subject = _start(org)
    with pytest.raises(DomainError) as err:
        approval_decide(actor=org["lead_a"].user, subject=subject, approve=False)
    assert err.value.code == "approval_comment_required"
    assert approval_current(subject).state == ApprovalState.PENDING
    assert (
        approval_decide(
            actor=org["lead_a"].user, subject=subject, approve=False, comment="人手不足"
        )
        == "rejected"
    )
    states = [s.state for s in approval_steps(subject)]
    assert states == ["rejected", "cancelled", "cancelled"]
    with pytest.raises(DomainError) as err:
        approval_decide(actor=org["supervisor"].user, subject=subject, approve=True)
    assert err.value.code == "approval_not_pending"


def test_cannot_start_twice_and_cancel_closes_open_steps(org):
    subject = _start(org)
    with pytest.raises(DomainError) as err:
        _start(org)
    assert err.value.code == "approval_already_started"
    assert approval_cancel(actor=org["agent_a1"].user, subject=subject, reason="不请了") == 3
    assert approval_current(subject) is None
    _start(org)  # a new round after withdrawal continues the numbering
    assert [s.position for s in approval_steps(subject)] == [0, 1, 2, 3, 4, 5]


def test_inbox_lists_only_what_waits_for_me(org, client_for, django_assert_max_num_queries):
    _start(org)
    assert list(approvals_pending_for_user(org["supervisor"].user)) == []
    client = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(15):
        page = client.get("/org/approvals/")
    assert page.status_code == 200
    assert "请假 1 天" in page.content.decode()
    other = client_for(org["supervisor"].user).get("/org/approvals/").content.decode()
    assert "请假 1 天" not in other and "没有待审批的事项" in other
    approval_decide(actor=org["lead_a"].user, subject=org["team_a"], approve=True)
    done = client.get("/org/approvals/?tab=decided").content.decode()
    assert "请假 1 天" in done and "已同意" in done
