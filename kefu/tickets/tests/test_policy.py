"""Ticket policy (domain ``tickets``) and the ticket vocabulary (TKT-1, TKT-2, TKT-4, TKT-7, CMP-6).

The schema refuses every table that would leave a ticket without a target or an alert ladder
that goes down; the defaults match REQUIREMENTS.md where it gives numbers, and do not repeat the
numbers the ``sla`` domain holds.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from kefu.core.errors import DomainError
from kefu.core.models import Policy
from kefu.core.policy import (
    DOMAIN_LABELS,
    DOMAINS,
    default_bodies,
    policy_for,
    validate_body,
)
from kefu.org.choices import LEVEL_RANK
from kefu.tickets.choices import (
    ONLINE_CHANNELS,
    SUBKINDS_BY_KIND,
    Channel,
    Kind,
    Priority,
    Status,
    Subkind,
    check_kind_subkind,
    is_online_channel,
    kind_subkind_error,
)
from kefu.tickets.policy import DEFAULTS_FILE, DOMAIN, TicketsPolicy, tickets_policy


def body(**changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(default_bodies()[DOMAIN])
    result.update(changes)
    return result


def refused(data: dict[str, Any]) -> DomainError:
    with pytest.raises(DomainError) as exc:
        validate_body(DOMAIN, data)
    assert exc.value.code == "policy_invalid"
    return exc.value


# --- vocabulary -----------------------------------------------------------------------------
def test_channels_of_tkt1_and_their_clock():
    assert [c.label for c in Channel] == [
        "热线电话",
        "在线客服（旺旺/千牛/QQ）",
        "邮件",
        "信函",
        "传真",
        "来访",
        "网站表单",
        "门店转交",
        "员工转介",
    ]
    assert {"online_chat", "web_form"} == ONLINE_CHANNELS
    assert Channel.ONLINE_CHAT.is_online and Channel.WEB_FORM.is_online
    assert not Channel.HOTLINE.is_online and not Channel.EMAIL.is_online
    assert is_online_channel("online_chat") and not is_online_channel("letter")


def test_kinds_subkinds_priorities_statuses_of_tkt2():
    assert [k.label for k in Kind] == ["咨询", "投诉", "建议/批评", "表扬", "售后", "订单问题"]
    assert [Subkind(s).label for s in SUBKINDS_BY_KIND[Kind.AFTER_SALES]] == [
        "退货",
        "换货",
        "维修",
        "报修",
    ]
    assert [Subkind(s).label for s in SUBKINDS_BY_KIND[Kind.ORDER_ISSUE]] == [
        "催件",
        "少发",
        "损坏",
        "改地址",
        "加单",
    ]
    assert [p.label for p in Priority] == ["低", "普通", "高", "紧急"]
    assert [s.label for s in Status] == ["新建", "处理中", "待客户", "已转交", "已解决", "已关闭"]
    every_subkind = [s for subs in SUBKINDS_BY_KIND.values() for s in subs]
    assert sorted(every_subkind) == sorted(Subkind.values)  # each belongs to exactly one kind


@pytest.mark.parametrize(
    ("kind", "subkind", "error"),
    [
        ("inquiry", "", None),
        ("after_sales", "repair", None),
        ("order_issue", "address_change", None),
        ("complaint", "return", "投诉类工单没有子类"),
        ("after_sales", "", "售后类工单须选择子类（退货/换货/维修/报修）"),
        ("after_sales", "chase", "“催件”不是售后类工单的子类"),
        ("order_issue", "refund", "“refund”不是订单问题类工单的子类"),
        ("gossip", "", "未知的工单类型：gossip"),
    ],
)
def test_kind_subkind_validity(kind, subkind, error):
    assert kind_subkind_error(kind, subkind) == error


def test_check_kind_subkind_raises_on_the_field_at_fault():
    check_kind_subkind("after_sales", "exchange")
    with pytest.raises(DomainError) as exc:
        check_kind_subkind("order_issue", "")
    assert exc.value.code == "ticket_kind_invalid"
    assert exc.value.fields == {"subkind": "订单问题类工单须选择子类（催件/少发/损坏/改地址/加单）"}
    with pytest.raises(DomainError) as exc:
        check_kind_subkind("gossip", "")
    assert exc.value.fields == {"kind": "未知的工单类型：gossip"}


# --- registration and defaults ----------------------------------------------------------------
def test_domain_is_registered_by_the_app():
    assert DOMAINS[DOMAIN] is TicketsPolicy
    assert DOMAIN_LABELS[DOMAIN] == "工单规则"
    with DEFAULTS_FILE.open("rb") as handle:
        assert default_bodies()[DOMAIN] == tomllib.load(handle)


def test_default_body_validates():
    assert isinstance(validate_body(DOMAIN, default_bodies()[DOMAIN]), TicketsPolicy)


@pytest.mark.django_db
def test_defaults_are_loaded_after_migrate_and_read_by_day():
    row = Policy.objects.get(domain=DOMAIN)
    assert row.version == 1
    assert tickets_policy() == policy_for(DOMAIN)
    assert tickets_policy().complaint.basis == "calendar_days"


def test_default_numbers_match_the_requirements():
    policy = validate_body(DOMAIN, default_bodies()[DOMAIN])
    # CMP-6: the 7 days are the sla domain's; the ticket policy says how they are counted and
    # warns 2 days and 1 day before.
    assert policy.complaint.basis == "calendar_days"
    assert policy.complaint.warn_days_before == [2, 1]
    # TKT-4: real-time channels use the greeting/reception standards of the sla domain.
    assert policy.realtime_first_response == {
        "online_chat": "first_greeting_seconds",
        "hotline": "reception_minutes",
        "visit": "reception_minutes",
    }
    assert policy.online_hours == [("00:00", "24:00")]
    assert policy.online_ignores_holidays is True
    assert policy.offline_hours is None  # falls back to sla.business_hours
    # The escalation ladder: owner → team lead → supervisor → manager.
    assert [r.notify for r in policy.escalation] == [
        "owner",
        "team_lead",
        "supervisor",
        "department_head",
    ]
    # TKT-7: top management is told at once.
    assert {"deputy_gm", "gm"} <= set(policy.major_fault.notify_roles)
    assert policy.major_fault.notify_sales_signer is True


def test_numbers_of_the_sla_domain_are_not_repeated():
    raw = DEFAULTS_FILE.read_text(encoding="utf-8")
    body_keys = _all_keys(default_bodies()[DOMAIN])
    for name in [
        "complaint_close_days",
        "first_greeting_seconds",
        "reply_seconds",
        "reception_minutes",
        "unpaid_order_chase_hours",
        "business_hours",
    ]:
        assert name not in body_keys
    assert "unpaid_order_chase_hours" in raw  # referenced in a comment, read from the sla domain


def _all_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _all_keys(v)}
    return set()


# --- the schema refuses broken tables ---------------------------------------------------------
def _targets(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    return list(rows)


CATCH_ALL = {"first_response_minutes": 240, "resolution_hours": 24}


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        (
            {"targets": _targets({"kind": "inquiry", **CATCH_ALL})},
            "targets",
            "时限规则表须以一条不带条件的兜底规则结尾（且只能有一条）",
        ),
        (
            {"targets": _targets(CATCH_ALL, {"kind": "inquiry", **CATCH_ALL})},
            "targets",
            "兜底规则",
        ),
        ({"targets": _targets(CATCH_ALL, CATCH_ALL)}, "targets", "只能有一条"),
        (
            {"targets": _targets({"first_response_minutes": 240})},
            "targets",
            "兜底规则须同时设置首次响应时限和解决时限",
        ),
        (
            {"targets": _targets({"kind": "complaint", "resolution_hours": 24}, CATCH_ALL)},
            "targets.0",
            "投诉的解决时限由投诉结案时限（服务时限制度）决定，不能在此设置",
        ),
        (
            {"targets": _targets({"subkind": "return", "first_response_minutes": 5}, CATCH_ALL)},
            "targets.0",
            "指定子类时须同时指定工单类型",
        ),
        (
            {
                "targets": _targets(
                    {"kind": "inquiry", "subkind": "return", "first_response_minutes": 5},
                    CATCH_ALL,
                )
            },
            "targets.0",
            "子类 return 不属于工单类型 inquiry",
        ),
        (
            {"targets": _targets({"kind": "gossip", "first_response_minutes": 5}, CATCH_ALL)},
            "targets.0.kind",
            "未知的工单类型：gossip",
        ),
        (
            {"targets": _targets({"priority": "asap", "first_response_minutes": 5}, CATCH_ALL)},
            "targets.0.priority",
            "未知的优先级：asap",
        ),
        (
            {"targets": _targets({"kind": "inquiry"}, CATCH_ALL)},
            "targets.0",
            "每条规则至少设置首次响应时限或解决时限之一",
        ),
        (
            {"targets": _targets({"first_response_minutes": 0, "resolution_hours": 24})},
            "targets.0.first_response_minutes",
            "必须大于 0",
        ),
        ({"targets": []}, "targets", "至少需要 1 项"),
        (
            {"realtime_first_response": {"pigeon": "reception_minutes"}},
            "realtime_first_response",
            "未知的渠道：pigeon",
        ),
        (
            {"realtime_first_response": {"hotline": "reply_seconds"}},
            "realtime_first_response.hotline",
            "只能是",
        ),
        ({"warn_before_hours": [1, 2]}, "warn_before_hours", "预警小时数须从大到小排列且不重复"),
        ({"warn_before_hours": [0]}, "warn_before_hours", "预警小时数须大于0"),
        (
            {
                "complaint": {
                    "basis": "moons",
                    "warn_days_before": [2, 1],
                    "pause_while_waiting": True,
                }
            },
            "complaint.basis",
            "只能是",
        ),
        (
            {
                "complaint": {
                    "basis": "calendar_days",
                    "warn_days_before": [1, 2],
                    "pause_while_waiting": True,
                }
            },
            "complaint.warn_days_before",
            "投诉预警天数须从大到小排列且不重复",
        ),
        (
            {
                "escalation": [
                    {"notify": "owner", "after_hours": 0},
                    {"notify": "team_lead", "after_hours": 0},
                ]
            },
            "escalation",
            "升级梯级的超时小时数须逐级递增",
        ),
        (
            {
                "escalation": [
                    {"notify": "supervisor", "after_hours": 0},
                    {"notify": "team_lead", "after_hours": 2},
                ]
            },
            "escalation",
            "升级梯级须逐级向上（不得回到同级或下级）",
        ),
        (
            {
                "escalation": [
                    {"notify": "team_lead", "after_hours": 0},
                    {"notify": "owner", "after_hours": 2},
                ]
            },
            "escalation",
            "处理人（owner）只能是升级梯级的第一级",
        ),
        (
            {"escalation": [{"notify": "mayor", "after_hours": 0}]},
            "escalation.0.notify",
            "通知对象只能是 owner 或职级",
        ),
        ({"escalation": []}, "escalation", "至少需要 1 项"),
        (
            {
                "major_fault": {
                    "notify_roles": ["gm", "king"],
                    "notify_responsible_department": True,
                    "notify_sales_signer": True,
                }
            },
            "major_fault.notify_roles",
            "未知的角色：king",
        ),
        (
            {
                "major_fault": {
                    "notify_roles": ["gm", "gm"],
                    "notify_responsible_department": True,
                    "notify_sales_signer": True,
                }
            },
            "major_fault.notify_roles",
            "通知角色不能重复",
        ),
        ({"online_hours": [["08:00", "12:00"], ["11:00", "18:00"]]}, "online_hours", "重叠"),
        ({"online_hours": [["18:00", "08:00"]]}, "online_hours", "开始须早于结束"),
        ({"offline_hours": [["08:60", "12:00"]]}, "offline_hours.0.0", "格式不正确"),
        ({"surprise": 1}, "surprise", "不允许的字段"),
    ],
)
def test_schema_refuses(changes, path, message):
    error = refused(body(**changes))
    assert path in error.fields, error.fields
    assert message in error.fields[path]


def test_an_ascending_ladder_from_any_level_is_accepted():
    policy = validate_body(
        DOMAIN,
        body(
            escalation=[
                {"notify": "supervisor", "after_hours": 1},
                {"notify": "gm", "after_hours": 48},
            ]
        ),
    )
    ranks = [LEVEL_RANK[r.notify] for r in policy.escalation]
    assert ranks == sorted(ranks)


def test_offline_hours_may_be_set():
    policy = validate_body(DOMAIN, body(offline_hours=[["08:30", "12:00"], ["13:30", "18:00"]]))
    assert policy.offline_hours == [("08:30", "12:00"), ("13:30", "18:00")]


def test_rule_matching():
    policy = validate_body(DOMAIN, default_bodies()[DOMAIN])
    urgent, _high, complaint, major = policy.targets[:4]
    assert urgent.matches(kind="praise", subkind="", priority="urgent", customer_grade="")
    assert not urgent.matches(kind="praise", subkind="", priority="high", customer_grade="")
    assert complaint.matches(kind="complaint", subkind="", priority="low", customer_grade="key")
    assert major.matches(kind="inquiry", subkind="", priority="low", customer_grade="major")
    assert not major.matches(kind="inquiry", subkind="", priority="low", customer_grade="")
    assert policy.targets[-1].is_catch_all
    assert not any(rule.is_catch_all for rule in policy.targets[:-1])
