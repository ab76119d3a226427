"""Shapes of the service-request API — 工单接口的输入输出: explicit In/Out schemas and the
functions that turn a ticket into them (contact phones masked server-side, SEC-1)."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import DateTimeField, prefetch_related_objects
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from ninja import Field, Schema

from kefu.core.access import shown
from kefu.core.params import MAX_ID
from kefu.org.selectors import employee_of

from . import services
from .choices import Channel, Kind, Priority, ServiceMode, Status
from .models import Ticket, TicketAttachment, TicketMessage
from .services.clock import sla_summary_of_row
from .statemachine import Action

# The endpoint of each action under /tickets/{id}/ (also given to clients in ``actions``).
ACTION_PATHS: dict[str, str] = {
    Action.ACCEPT: "accept",
    Action.REPLY: "reply",
    Action.WAIT_CUSTOMER: "wait-customer",
    Action.CUSTOMER_REPLIED: "customer-replied",
    Action.TRANSFER: "transfer",
    Action.ACCEPT_TRANSFER: "accept-transfer",
    Action.REJECT_TRANSFER: "reject-transfer",
    Action.REASSIGN: "reassign",
    Action.RESOLVE: "resolve",
    Action.CLOSE: "close",
    Action.REOPEN: "reopen",
    Action.FOLLOW_UP: "follow-up",
    Action.FLAG_MAJOR_FAULT: "major-fault",
    Action.SUBMIT_FAULT_REPORT: "fault-report",
}
ID = Field(None, ge=1, le=MAX_ID)


# --- schemas --------------------------------------------------------------------------------
class Ref(Schema):
    id: int
    name: str


class CustomerRef(Schema):
    id: int
    code: str
    name: str


class SlaOut(Schema):
    stage: str = Field(
        description="on_time 正常 / warning 即将超时 / overdue 已超时 / paused / done"
    )
    label: str
    seconds: int | None = Field(description="距期限的秒数（负数为已超时）；暂停或已解决时为空")
    due: dt.datetime | None


class TicketRowOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    kind: str
    kind_label: str
    subkind: str
    channel: str
    channel_label: str
    priority: str
    priority_label: str
    title: str
    customer: CustomerRef
    owner: Ref | None
    received_at: dt.datetime
    resolution_due: dt.datetime | None
    sla: SlaOut
    service_mode: str = Field(
        description="服务方式：hotline 热线服务 / remote 远程服务 / onsite 上门服务"
    )
    service_mode_label: str
    red_flag: bool = Field(description="小红旗：客户有特殊要求")
    offline_message: bool = Field(
        description="留言：网站表单/邮件/信函/传真，或服务时间外的在线咨询"
    )


class MessageOut(Schema):
    id: int
    kind: str = Field(description="reply 回复客户 / note 内部备注 / customer 客户来信")
    kind_label: str
    via: str
    body: str
    author: str
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_by: str
    created_at: dt.datetime
    url: str = Field(description="下载地址（按调用者的数据范围校验）")


class FaultReportBody(Schema):
    occurred_at: str = Field("", max_length=60, description="发生时间")
    place: str = Field("", max_length=200, description="地点")
    symptoms: str = Field("", max_length=5000, description="故障现象")
    handling_plan: str = Field("", max_length=5000, description="处理预案")
    impact: str = Field("", max_length=5000, description="造成的影响")
    handling: str = Field("", max_length=5000, description="处理情况")
    cause: str = Field("", max_length=5000, description="原因分析")
    corrective_actions: str = Field("", max_length=5000, description="纠正预防措施")


class FaultReportOut(FaultReportBody):
    submitted_by: str
    submitted_at: dt.datetime


class ActionOut(Schema):
    code: str
    label: str
    endpoint: str


class TicketOut(TicketRowOut):
    subkind_label: str
    description: str
    demand: str
    tags: list[str]
    customer_grade: str
    contact_name: str
    contact_phone: str = Field(description="联系电话（无查看完整信息权限时脱敏）")
    order_no: str
    purchase_date: dt.date | None
    tracking_no: str
    red_flag_note: str = Field(description="特殊要求（插小红旗时填写）")
    contact_form_no: str = Field(description="工作联络单号（技术人员先行处理后补交）")
    service_mode_options: list[str] = Field(
        description="调用者现在可以升级到的服务方式（POST /tickets/{id}/service-mode）"
    )
    received_by: str
    first_responsible: Ref | None
    pending_owner: Ref | None
    pending_department: Ref | None
    department: Ref
    team: Ref | None
    responded: bool
    first_responded_at: dt.datetime | None
    followed_up: bool
    satisfied: bool | None
    major_fault: bool
    fault_report_complete: bool
    first_contact_resolution: bool
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_due: dt.datetime | None
    paused_since: dt.datetime | None
    first_response_breached: bool
    resolution_breached: bool
    messages: list[MessageOut]
    attachments: list[AttachmentOut]
    fault_report: FaultReportOut | None
    actions: list[ActionOut] = Field(description="调用者现在可以执行的操作")
    created_at: dt.datetime
    updated_at: dt.datetime


class TicketFilter(Schema):
    q: str = Field("", description="工单编号、订单号、快递单号、标题/描述/客户名称（包含）、电话")
    status: str = ""
    open: bool = Field(False, description="只看未结束的（新建、处理中、待客户、已转交）")
    kind: str = ""
    channel: str = ""
    priority: str = ""
    owner_id: int | None = ID
    team_id: int | None = ID
    customer_id: int | None = ID
    phone: str = Field("", description="电话：完整号码或尾号4位（客户档案电话或联系电话）")
    order_no: str = ""
    tracking_no: str = ""
    overdue: bool = Field(False, description="只看已超过解决期限的")
    major_fault: bool = False
    service_mode: str = Field("", description="服务方式：hotline / remote / onsite")
    red_flag: bool = Field(False, description="只看插了小红旗的")
    received_from: dt.datetime | None = Field(None, description="受理时间起（含）")
    received_to: dt.datetime | None = Field(None, description="受理时间止（不含）")
    page: int = Field(1, ge=1)
    page_size: int = 20


class TicketIn(Schema):
    channel: Channel
    kind: Kind
    subkind: str = Field("", max_length=20, description="售后、订单问题须选子类")
    customer_id: int = Field(ge=1, le=MAX_ID)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    demand: str = Field("", max_length=5000)
    priority: Priority = Priority.NORMAL
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=30)
    order_no: str = Field("", max_length=40)
    purchase_date: dt.date | None = None
    tracking_no: str = Field("", max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=20)
    received_at: dt.datetime | None = Field(None, description="受理时间；缺省为现在")
    unassigned: bool = Field(False, description="不指定处理人，留给本部门认领")
    red_flag: bool = Field(False, description="小红旗：客户有特殊要求（须填写 red_flag_note）")
    red_flag_note: str = Field("", max_length=200, description="特殊要求")


class QuickIn(Schema):
    phone: str = Field(min_length=1, max_length=30, description="来电号码")
    kind: Kind
    title: str = Field(max_length=200)
    subkind: str = Field("", max_length=20)
    channel: Channel = Channel.HOTLINE
    priority: Priority = Priority.NORMAL


class TicketPatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    demand: str | None = Field(None, max_length=5000)
    contact_name: str | None = Field(None, max_length=40)
    contact_phone: str | None = Field(None, max_length=30)
    order_no: str | None = Field(None, max_length=40)
    purchase_date: dt.date | None = None
    tracking_no: str | None = Field(None, max_length=40)
    priority: Priority | None = None
    tags: list[str] | None = Field(None, max_length=20)
    contact_form_no: str | None = Field(None, max_length=40, description="工作联络单号")
    red_flag: bool | None = Field(None, description="小红旗；取消时特殊要求一并清除")
    red_flag_note: str | None = Field(None, max_length=200, description="特殊要求")


class ServiceModeIn(Schema):
    mode: ServiceMode = Field(
        description="升级到的服务方式（只能向上：热线服务 → 远程服务 → 上门服务）"
    )
    reason: str = Field("", max_length=500, description="升级原因（必填）")


class ReplyIn(Schema):
    note: str = Field(max_length=5000, description="回复内容（客户所得到的答复）")
    via: TicketMessage.Via = TicketMessage.Via.NONE


class NoteIn(Schema):
    note: str = Field("", max_length=5000)
    via: TicketMessage.Via = TicketMessage.Via.NONE


class CustomerRepliedIn(Schema):
    note: str = Field("", max_length=5000, description="客户回复的内容")


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class TransferIn(Schema):
    target_id: int | None = Field(None, ge=1, le=MAX_ID, description="转交给的员工")
    target_department_id: int | None = Field(None, ge=1, le=MAX_ID, description="转交给的部门")
    reason: str = Field("", max_length=500)


class ReassignIn(Schema):
    target_id: int | None = Field(None, ge=1, le=MAX_ID, description="改派给的员工")
    reason: str = Field("", max_length=500, description="从处理人手中改派时必填")


class FollowUpIn(Schema):
    note: str = Field("", max_length=5000, description="回访情况")
    satisfied: bool | None = Field(None, description="客户是否满意")


class MajorFaultIn(Schema):
    note: str = Field("", max_length=5000, description="故障的发生时间、地点、现象和处理预案")


class InternalNoteIn(Schema):
    body: str = Field(max_length=5000)


# --- shaping ----------------------------------------------------------------------------------
def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    try:
        return user.employee.name
    except ObjectDoesNotExist:
        return user.get_username()


def _sla(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    return services.sla_summary(ticket, now=now)


def ticket_row(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """The list shape of a ticket (customer and owner joined by the selector)."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "status": ticket.status,
        "status_label": _label("status", ticket.status),
        "kind": ticket.kind,
        "kind_label": _label("kind", ticket.kind),
        "subkind": ticket.subkind,
        "channel": ticket.channel,
        "channel_label": _label("channel", ticket.channel),
        "priority": ticket.priority,
        "priority_label": _label("priority", ticket.priority),
        "title": ticket.title,
        "customer": {
            "id": ticket.customer_id,
            "code": ticket.customer.code,
            "name": ticket.customer.name,
        },
        "owner": _ref(ticket.owner),
        "received_at": ticket.received_at,
        "resolution_due": ticket.resolution_due,
        "sla": _sla(ticket, now),
        "service_mode": ticket.service_mode,
        "service_mode_label": _label("service_mode", ticket.service_mode),
        "red_flag": ticket.red_flag,
        "offline_message": ticket.offline_message,
    }


# The columns of a list row (``ticket_list_row``): read with ``.values()``, no model instances.
ROW_FIELDS = (
    "id",
    "number",
    "status",
    "kind",
    "subkind",
    "channel",
    "priority",
    "title",
    "customer_id",
    "customer__code",
    "customer__name",
    "owner_id",
    "owner__name",
    "received_at",
    "resolution_due",
    "first_response_due",
    "paused_since",
    "responded",
    "sla_level",
    "service_mode",
    "red_flag",
    "offline_message",
)
_LABELS: dict[str, dict[str, str]] = {
    "status": dict(Status.choices),
    "kind": dict(Kind.choices),
    "channel": dict(Channel.choices),
    "priority": dict(Priority.choices),
    "service_mode": dict(ServiceMode.choices),
}


def _label(field: str, value: str) -> str:
    # As ``get_FOO_display``: the choice's label, or the stored value when it is not a choice.
    return _LABELS[field].get(value, value)


def ticket_list_row(row: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """``ticket_row`` from a ``.values(*ROW_FIELDS)`` row: the same answer, without building a
    model instance per row (the list endpoint's hot path)."""
    return {
        "id": row["id"],
        "number": row["number"],
        "status": row["status"],
        "status_label": _label("status", row["status"]),
        "kind": row["kind"],
        "kind_label": _label("kind", row["kind"]),
        "subkind": row["subkind"],
        "channel": row["channel"],
        "channel_label": _label("channel", row["channel"]),
        "priority": row["priority"],
        "priority_label": _label("priority", row["priority"]),
        "title": row["title"],
        "customer": {
            "id": row["customer_id"],
            "code": row["customer__code"],
            "name": row["customer__name"],
        },
        "owner": {"id": row["owner_id"], "name": row["owner__name"]}
        if row["owner_id"] is not None
        else None,
        "received_at": row["received_at"],
        "resolution_due": row["resolution_due"],
        "sla": sla_summary_of_row(row, now=now),
        "service_mode": row["service_mode"],
        "service_mode_label": _label("service_mode", row["service_mode"]),
        "red_flag": row["red_flag"],
        "offline_message": row["offline_message"],
    }


def _attachment_url(attachment: TicketAttachment) -> str:
    return reverse(
        "api:ticket_attachment_download",
        kwargs={"ticket_id": attachment.ticket_id, "attachment_id": attachment.pk},
    )


@lru_cache(maxsize=8)
def _list_path(prefix: str) -> str:
    # Per script prefix (what reverse() depends on): reverse() walks the URL tree every time.
    return reverse("api:ticket_list")


def _as_stored(ticket: Ticket) -> None:
    """Times as a read from the database gives them (UTC), so a just-created request's answer is
    the same JSON as a later GET of it (a receipt time sent as +08:00 comes back as …Z)."""
    for attname in _datetime_attnames():
        value = getattr(ticket, attname)
        if value is not None and timezone.is_aware(value):
            setattr(ticket, attname, value.astimezone(dt.UTC))


@cache
def _datetime_attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in Ticket._meta.concrete_fields if isinstance(f, DateTimeField))


def ticket_out(ticket: Ticket, viewer: Any, *, created: bool = False) -> dict[str, Any]:
    """The detail shape of a ticket as ``viewer`` may see it (contact phone masked server-side).

    ``created``: ``ticket`` is the instance ``services.ticket_create`` just stored for ``viewer``
    without tags — nothing hangs off it yet (no message, attachment or fault report), its
    customer, people, department and team are the objects the service set, and its recorder is
    ``viewer``: the answer is built without reading anything back.
    """
    if created:
        _as_stored(ticket)
        messages: list[TicketMessage] = []
        attachments: list[TicketAttachment] = []
        tags: list[str] = []
        report = None
        received_by = employee_of(viewer).name  # type: ignore[union-attr]
    else:
        prefetch_related_objects(
            [ticket],
            "tags",
            "messages__author__employee",
            "attachments__uploaded_by__employee",
        )
        messages = list(ticket.messages.all())
        attachments = list(ticket.attachments.all())
        tags = [t.name for t in ticket.tags.all()]
        try:
            report = ticket.fault_report
        except ObjectDoesNotExist:
            report = None
        received_by = _user_name(ticket.received_by)
    now = timezone.now()
    actions, service_modes = services.actions_and_service_modes(viewer, ticket)
    fault_report = None
    if report is not None:
        fault_report = {
            **{name: getattr(report, name) for name in FaultReportBody.model_fields},
            "submitted_by": _user_name(report.submitted_by),
            "submitted_at": report.submitted_at,
        }
    return {
        **ticket_row(ticket, now),
        "subkind_label": ticket.get_subkind_display() if ticket.subkind else "",
        "description": ticket.description,
        "demand": ticket.demand,
        "tags": tags,
        "customer_grade": ticket.customer_grade,
        "contact_name": ticket.contact_name,
        "contact_phone": shown(viewer, "phone", ticket.contact_phone),
        "order_no": ticket.order_no,
        "purchase_date": ticket.purchase_date,
        "tracking_no": ticket.tracking_no,
        "red_flag_note": ticket.red_flag_note,
        "contact_form_no": ticket.contact_form_no,
        "service_mode_options": service_modes,
        "received_by": received_by,
        "first_responsible": _ref(ticket.first_responsible),
        "pending_owner": _ref(ticket.pending_owner),
        "pending_department": _ref(ticket.pending_department),
        "department": _ref(ticket.department),
        "team": _ref(ticket.team),
        "responded": ticket.responded,
        "first_responded_at": ticket.first_responded_at,
        "followed_up": ticket.followed_up,
        "satisfied": ticket.satisfied,
        "major_fault": ticket.major_fault,
        "fault_report_complete": ticket.fault_report_complete,
        "first_contact_resolution": ticket.first_contact_resolution,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "first_response_due": ticket.first_response_due,
        "paused_since": ticket.paused_since,
        "first_response_breached": ticket.first_response_breached,
        "resolution_breached": ticket.resolution_breached,
        "messages": [
            {
                "id": m.pk,
                "kind": m.kind,
                "kind_label": m.get_kind_display(),
                "via": m.via,
                "body": m.body,
                "author": _user_name(m.author),
                "created_at": m.created_at,
            }
            for m in messages
        ],
        "attachments": [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "uploaded_by": _user_name(a.uploaded_by),
                "created_at": a.created_at,
                "url": _attachment_url(a),
            }
            for a in attachments
        ],
        "fault_report": fault_report,
        "actions": [
            {
                "code": action.value,
                "label": action.label,
                "endpoint": f"{base}/{ticket.pk}/{ACTION_PATHS[action]}",
            }
            for base in (_list_path(get_script_prefix()),)  # once, not once per action
            for action in actions
        ],
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }
