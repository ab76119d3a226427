"""Choices for service requests — 工单 (TKT-1, TKT-2, TKT-6, TKT-7).

The labels are the regulations' own words (shared/UI.md): they are what people read in lists,
filters, exports and the audit timeline, so one term per concept across the product.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from kefu.core.errors import DomainError


class Channel(models.TextChoices):
    """受理渠道 (TKT-1): how the request reached the company."""

    HOTLINE = "hotline", "热线电话"
    ONLINE_CHAT = "online_chat", "在线客服（旺旺/千牛/QQ）"
    EMAIL = "email", "邮件"
    LETTER = "letter", "信函"
    FAX = "fax", "传真"
    VISIT = "visit", "来访"
    WEB_FORM = "web_form", "网站表单"
    STORE = "store", "门店转交"
    STAFF_REFERRAL = "staff_referral", "员工转介"

    @property
    def is_online(self) -> bool:
        """线上渠道? Online channels run their SLA clock on the online schedule (24/7 by default)."""
        return self.value in ONLINE_CHANNELS


# 线上渠道: the customer reaches the shop through the internet at any hour, and the shop's
# platform (旺旺/千牛) measures response times around the clock. Email is deliberately *not* here:
# like letters and faxes it is answered in working hours (the seeds list it with 信函/传真 among
# the written channels, [003][004]). Every other channel is 线下 (offline).
CHANNEL_VALUES: frozenset[str] = frozenset(Channel.values)
ONLINE_CHANNELS: frozenset[str] = frozenset({Channel.ONLINE_CHAT.value, Channel.WEB_FORM.value})


def is_online_channel(channel: str) -> bool:
    """线上渠道? (works on plain strings, as stored)."""
    return channel in ONLINE_CHANNELS


class Kind(models.TextChoices):
    """工单类型 (TKT-2)."""

    INQUIRY = "inquiry", "咨询"
    COMPLAINT = "complaint", "投诉"
    SUGGESTION = "suggestion", "建议/批评"
    PRAISE = "praise", "表扬"
    AFTER_SALES = "after_sales", "售后"
    ORDER_ISSUE = "order_issue", "订单问题"


class Subkind(models.TextChoices):
    """工单子类 (TKT-2): the breakdown of 售后 and 订单问题; other kinds have none."""

    RETURN = "return", "退货"
    EXCHANGE = "exchange", "换货"
    REPAIR = "repair", "维修"
    REPAIR_REPORT = "repair_report", "报修"
    CHASE = "chase", "催件"
    SHORT_SHIPPED = "short_shipped", "少发"
    DAMAGED = "damaged", "损坏"
    ADDRESS_CHANGE = "address_change", "改地址"
    ADD_ITEMS = "add_items", "加单"


# Which sub-kinds belong to which kind. A kind missing here has no sub-kinds.
SUBKINDS_BY_KIND: Mapping[str, tuple[str, ...]] = {
    Kind.AFTER_SALES.value: (
        Subkind.RETURN.value,
        Subkind.EXCHANGE.value,
        Subkind.REPAIR.value,
        Subkind.REPAIR_REPORT.value,
    ),
    Kind.ORDER_ISSUE.value: (
        Subkind.CHASE.value,
        Subkind.SHORT_SHIPPED.value,
        Subkind.DAMAGED.value,
        Subkind.ADDRESS_CHANGE.value,
        Subkind.ADD_ITEMS.value,
    ),
}


# The values as sets, built once: ``Choices.values`` rebuilds its list on every access, and every
# request recorded is checked against these (issue #3).
KIND_VALUES: frozenset[str] = frozenset(Kind.values)
SUBKIND_VALUES: frozenset[str] = frozenset(Subkind.values)


def kind_subkind_error(kind: str, subkind: str) -> str | None:
    """Why ``(kind, subkind)`` is not a valid pair, in Chinese; None when it is.

    A kind with sub-kinds needs one of its own (statistics by 退货/换货/催件… are how the monthly
    reports break after-sales and order problems down); a kind without sub-kinds takes none.
    """
    if kind not in KIND_VALUES:
        return f"未知的工单类型：{kind}"
    allowed = SUBKINDS_BY_KIND.get(kind, ())
    if not allowed:
        return f"{Kind(kind).label}类工单没有子类" if subkind else None
    if subkind in allowed:
        return None
    label = Kind(kind).label
    if not subkind:
        return f"{label}类工单须选择子类（{'/'.join(Subkind(s).label for s in allowed)}）"
    shown = Subkind(subkind).label if subkind in SUBKIND_VALUES else subkind
    return f"“{shown}”不是{label}类工单的子类"


def check_kind_subkind(kind: str, subkind: str) -> None:
    """Raise ``DomainError("ticket_kind_invalid")`` for an invalid pair, keyed by the field at fault."""
    message = kind_subkind_error(kind, subkind)
    if message is not None:
        field = "kind" if kind not in KIND_VALUES else "subkind"
        raise DomainError("ticket_kind_invalid", message, fields={field: message})


class Priority(models.TextChoices):
    """优先级."""

    LOW = "low", "低"
    NORMAL = "normal", "普通"
    HIGH = "high", "高"
    URGENT = "urgent", "紧急"


PRIORITY_VALUES: frozenset[str] = frozenset(Priority.values)


class Status(models.TextChoices):
    """工单状态 (TKT-6): 受理 → 解决 → 回复 → 反馈, see statemachine.py."""

    NEW = "new", "新建"
    IN_PROGRESS = "in_progress", "处理中"
    WAITING_CUSTOMER = "waiting_customer", "待客户"
    TRANSFERRED = "transferred", "已转交"
    RESOLVED = "resolved", "已解决"
    CLOSED = "closed", "已关闭"


# While the ticket is in one of these, the SLA clock does not run: the company is waiting on the
# customer (待客户), or it considers the matter settled (已解决/已关闭; a 重新打开 resumes it).
CLOCK_PAUSED_STATUSES: frozenset[str] = frozenset(
    {Status.WAITING_CUSTOMER.value, Status.RESOLVED.value, Status.CLOSED.value}
)
OPEN_STATUSES: frozenset[str] = frozenset(
    {
        Status.NEW.value,
        Status.IN_PROGRESS.value,
        Status.WAITING_CUSTOMER.value,
        Status.TRANSFERRED.value,
    }
)


class FaultReportField(models.TextChoices):
    """故障分析报告的内容 (TKT-7, [000]): every item must be filled before the ticket may close."""

    OCCURRED_AT = "occurred_at", "发生时间"
    PLACE = "place", "地点"
    SYMPTOMS = "symptoms", "故障现象"
    HANDLING_PLAN = "handling_plan", "处理预案"
    IMPACT = "impact", "造成的影响"
    HANDLING = "handling", "处理情况"
    CAUSE = "cause", "原因分析"
    CORRECTIVE_ACTIONS = "corrective_actions", "纠正预防措施"


class SlaStage(models.TextChoices):
    """时限状态: where a ticket stands against its deadline (shown as a coloured tag)."""

    ON_TIME = "on_time", "正常"
    WARNING = "warning", "即将超时"
    OVERDUE = "overdue", "已超时"


class ServiceMode(models.TextChoices):
    """服务方式 (TKT-8, [000] 服务方式): the ladder a request climbs when the rung below fails.

    热线应答 first; 远程服务 when the hotline cannot clear the fault (with the customer's consent,
    over the internet); 上门服务 when neither can — a technician goes to the customer.
    """

    HOTLINE = "hotline", "热线服务"
    REMOTE = "remote", "远程服务"
    ONSITE = "onsite", "上门服务"


# The rungs in order; a request only ever moves to a later one (never back).
SERVICE_LADDER: tuple[str, ...] = (
    ServiceMode.HOTLINE.value,
    ServiceMode.REMOTE.value,
    ServiceMode.ONSITE.value,
)


def default_service_mode(channel: str) -> str:
    """The rung a new request starts on, by its 受理渠道.

    Every channel starts on the first rung: whether the customer phoned, chatted, wrote or came
    to the counter, the first answer comes from the 客服 desk ([000]: "首先可以通过热线电话请求
    帮助和指导"). Remote access needs the customer's consent and an on-site visit needs a
    technician, both decided on the request, never by the way it arrived.
    """
    return ServiceMode.HOTLINE.value


def higher_service_modes(current: str) -> list[str]:
    """The rungs above ``current`` (the choices of 升级服务方式); none above 上门服务."""
    if current not in SERVICE_LADDER:
        return list(SERVICE_LADDER)
    return list(SERVICE_LADDER[SERVICE_LADDER.index(current) + 1 :])


def service_mode_change_error(current: str, target: str) -> str | None:
    """Why ``current`` → ``target`` is not an escalation, in Chinese; None when it is.

    Skipping a rung is allowed (the hotline may see at once that only a visit helps, and remote
    access needs a consent the customer may refuse); staying or going back is not.
    """
    if target not in SERVICE_LADDER:
        return "请选择要升级到的服务方式"
    if target == current:
        return f"已经是{ServiceMode(target).label}"
    if target not in higher_service_modes(current):
        return (
            f"服务方式只能逐级升级，不能从{ServiceMode(current).label}"
            f"退回{ServiceMode(target).label}"
        )
    return None
