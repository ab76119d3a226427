"""绩效奖惩·台账 API — /api/v1/performance/: incidents (奖惩事件), appeals (申诉), the catalogue
(奖惩条目) and the import of the workforce incidents (a background job).

Amounts sent in are magnitudes (≥0): the rule's category gives the sign (扣分/罚款/处分 negative,
加分/奖励 positive). Amounts returned are signed, as booked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.core.jobs import job_url
from kefu.org.models import Employee
from kefu.org.selectors import employees_for_user

from . import selectors
from .models import Appeal, Incident
from .periods import month_end
from .selectors import parse_month
from .services import ledger
from .services.imports import incident_import_submit
from .services.ledger import ADD_APPEAL, CONFIRM, DECIDE, IMPORT, RECORD, VIEW, VIEW_APPEAL

router = Router(tags=["绩效奖惩·台账"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class IncidentOut(Schema):
    id: int
    employee_id: int
    employee_no: str
    employee_name: str
    team_id: int | None
    day: dt.date
    month: dt.date = Field(description="计入月份（月初）")
    rule: str
    rule_name: str
    category: str
    points: Decimal
    money: Decimal
    quantity: Decimal
    occurrence: int | None
    dismissal_proposed: bool
    source: str
    evidence_ref: str
    evidence_link: str
    description: str
    status: str
    reverses_id: int | None
    policy_version: int | None
    created_at: dt.datetime
    confirmed_at: dt.datetime | None

    @staticmethod
    def resolve_employee_no(obj: Incident) -> str:
        return obj.employee.employee_no

    @staticmethod
    def resolve_employee_name(obj: Incident) -> str:
        return obj.employee.name

    @staticmethod
    def resolve_team_id(obj: Incident) -> int | None:
        return obj.employee.team_id


class IncidentFilters(Schema):
    month: str = Field("", description="计入月份 YYYY-MM")
    team: str = ""
    employee: str = ""
    category: str = ""
    status: str = ""
    source: str = ""
    q: str = Field("", description="姓名/工号/条目")
    page: int = 1
    page_size: int = 20


class IncidentIn(Schema):
    employee_id: int
    day: dt.date
    rule: str = Field(description="条目代码（仅可手工登记的条目）")
    points: Decimal | None = Field(None, ge=0, description="分值（正数；留空按制度默认）")
    money: Decimal | None = Field(None, ge=0, description="金额（正数；留空按制度默认）")
    quantity: Decimal | None = Field(None, ge=0, description="数量（按数量计的条目）")
    description: str = Field("", max_length=500)
    evidence_link: str = Field("", max_length=300)
    propose_only: bool = Field(False, description="仅提议（待确认）")


class RevokeIn(Schema):
    reason: str = Field(max_length=1000)
    corrected_points: Decimal | None = Field(None, ge=0, description="更正后分值（正数）")
    corrected_money: Decimal | None = Field(None, ge=0, description="更正后金额（正数）")


class RevokeOut(Schema):
    incident: IncidentOut
    reversal_id: int | None
    corrected_id: int | None


class AppealIn(Schema):
    reason: str = Field(max_length=1000)


class AppealOut(Schema):
    id: int
    incident_id: int
    employee_id: int
    employee_name: str
    reason: str
    filed_at: dt.datetime
    status: str
    decided_at: dt.datetime | None
    decision_note: str
    corrected_points: Decimal | None
    corrected_money: Decimal | None

    @staticmethod
    def resolve_employee_name(obj: Appeal) -> str:
        return obj.employee.name


class AppealFilters(Schema):
    status: str = ""
    month: str = ""
    page: int = 1
    page_size: int = 20


class DecideIn(Schema):
    decision: str = Field(description="upheld 维持原判 | revoked 撤销 | corrected 更正")
    reason: str = Field(max_length=1000)
    corrected_points: Decimal | None = Field(None, ge=0)
    corrected_money: Decimal | None = Field(None, ge=0)


class CatalogueOut(Schema):
    code: str
    name: str
    category: str
    category_label: str
    points: Decimal
    points_min: Decimal | None
    points_max: Decimal | None
    money: Decimal
    money_min: Decimal | None
    money_max: Decimal | None
    per_unit: str
    escalation: str | None
    escalation_steps: list[str]
    manual: bool
    requirement: str


class ImportIn(Schema):
    month: str = Field("", description="YYYY-MM（整月，至今天）")
    start: dt.date | None = None
    end: dt.date | None = None


class JobOut(Schema):
    queued: bool
    message: str
    job_id: int
    job_url: str


class ConfirmedOut(Schema):
    confirmed: int


class BulkConfirmIn(Schema):
    ids: list[int] = Field(max_length=500)


def _incident(request: HttpRequest, pk: int) -> Incident:
    return selectors.incident_get_for_user(request.user, pk)


@router.get("/incidents", response={200: Page[IncidentOut], 403: ErrorOut})
def incident_list(request: HttpRequest, filters: Query[IncidentFilters]) -> dict:
    """奖惩台账: own lines, or the scope's for holders of 查看本范围奖惩事件 (ORG-5)."""
    require_perm(request, VIEW)
    params = {k: str(getattr(filters, k))[:40] for k in selectors.FILTER_KEYS}
    qs = selectors.filter_incidents(selectors.incidents_for_user(request.user), params)
    return paginate(qs, filters.page, filters.page_size)


@router.get("/incidents/{int:pk}", response={200: IncidentOut, **ERRORS})
def incident_detail(request: HttpRequest, pk: int) -> Incident:
    require_perm(request, VIEW)
    return _incident(request, pk)


@router.post("/incidents", response={201: IncidentOut, **ERRORS})
def incident_create(request: HttpRequest, body: IncidentIn) -> Status:
    """登记奖惩事件 for someone in scope; confirmed at once for holders of 确认 unless
    ``propose_only``."""
    require_perm(request, RECORD)
    try:
        employee = employees_for_user(request.user).get(pk=body.employee_id)
    except Employee.DoesNotExist as exc:
        raise DomainError(
            "employee_not_found", "员工不存在或不在您的管理范围内", fields={"employee_id": "无效"}
        ) from exc
    incident = ledger.incident_record(
        actor=request.user,
        employee=employee,
        day=body.day,
        rule_code=body.rule,
        points=body.points,
        money=body.money,
        quantity=body.quantity,
        description=body.description,
        evidence_link=body.evidence_link,
        propose_only=body.propose_only,
    )
    return Status(201, _incident(request, incident.pk))


@router.post("/incidents/{int:pk}/confirm", response={200: IncidentOut, **ERRORS})
def incident_confirm(request: HttpRequest, pk: int) -> Incident:
    """确认 a proposal of someone in scope."""
    require_perm(request, CONFIRM)
    ledger.incident_confirm(actor=request.user, incident=_incident(request, pk))
    return _incident(request, pk)


@router.post("/incidents/{int:pk}/reject", response={200: IncidentOut, **ERRORS})
def incident_reject(request: HttpRequest, pk: int, body: AppealIn) -> Incident:
    """驳回 a proposal of someone in scope (reason required); it becomes 已撤销, never counted."""
    require_perm(request, CONFIRM)
    ledger.incident_reject(actor=request.user, incident=_incident(request, pk), reason=body.reason)
    return _incident(request, pk)


@router.post("/incidents/confirm", response={200: ConfirmedOut, **ERRORS})
def incident_confirm_bulk(request: HttpRequest, body: BulkConfirmIn) -> dict:
    """批量确认: the proposals among ``ids`` in scope; the number confirmed."""
    require_perm(request, CONFIRM)
    return {"confirmed": ledger.incidents_confirm_bulk(actor=request.user, incident_ids=body.ids)}


@router.post("/incidents/{int:pk}/revoke", response={200: RevokeOut, **ERRORS})
def incident_revoke(request: HttpRequest, pk: int, body: RevokeIn) -> dict:
    """撤销 / 更正 (客服部经理): a reversal entry in the first open month; with corrected amounts
    (magnitudes) also the corrected line."""
    require_perm(request, DECIDE)
    reversal, corrected = ledger.incident_revoke(
        actor=request.user,
        incident=_incident(request, pk),
        reason=body.reason,
        corrected_points=body.corrected_points,
        corrected_money=body.corrected_money,
    )
    return {
        "incident": _incident(request, pk),
        "reversal_id": reversal.pk if reversal else None,
        "corrected_id": corrected.pk if corrected else None,
    }


@router.post("/incidents/{int:pk}/appeals", response={201: AppealOut, **ERRORS})
def incident_appeal(request: HttpRequest, pk: int, body: AppealIn) -> Status:
    """申诉 — the employee's own confirmed line, within the policy's window."""
    require_perm(request, ADD_APPEAL)
    appeal = ledger.appeal_file(
        actor=request.user, incident=_incident(request, pk), reason=body.reason
    )
    return Status(201, selectors.appeal_get_for_user(request.user, appeal.pk))


@router.get("/appeals", response={200: Page[AppealOut], 403: ErrorOut})
def appeal_list(request: HttpRequest, filters: Query[AppealFilters]) -> dict:
    """申诉 the caller may see, pending first."""
    require_perm(request, VIEW_APPEAL)
    params = {"status": filters.status[:20], "month": filters.month[:20]}
    qs = selectors.filter_appeals(selectors.appeals_for_user(request.user), params)
    return paginate(qs, filters.page, filters.page_size)


@router.post("/appeals/{int:pk}/decide", response={200: AppealOut, **ERRORS})
def appeal_decide(request: HttpRequest, pk: int, body: DecideIn) -> Appeal:
    """处理申诉: upheld 维持原判 / revoked 撤销 / corrected 更正 (with corrected magnitudes)."""
    require_perm(request, DECIDE)
    appeal = selectors.appeal_get_for_user(request.user, pk)
    ledger.appeal_decide(
        actor=request.user,
        appeal=appeal,
        decision=body.decision,
        reason=body.reason,
        corrected_points=body.corrected_points,
        corrected_money=body.corrected_money,
    )
    return selectors.appeal_get_for_user(request.user, pk)


@router.get("/catalogue", response={200: list[CatalogueOut], 403: ErrorOut})
def catalogue(request: HttpRequest, day: dt.date | None = None) -> list[dict]:
    """奖惩条目 of the policy in force on ``day`` (today by default)."""
    require_perm(request, VIEW)
    rows = selectors.catalogue(day or timezone.localdate())
    return [
        {
            **row.rule.model_dump(),
            "category_label": row.category_label,
            "escalation_steps": row.escalation_steps,
        }
        for row in rows
    ]


@router.post("/imports", response={202: JobOut, **ERRORS})
def incident_import(request: HttpRequest, body: ImportIn) -> Status:
    """导入各模块事件 (考勤, 交接班, 在线, 例会, 带教) for a month or a date range — a background
    job; poll ``job_url``."""
    require_perm(request, IMPORT)
    if body.month:
        start = parse_month(body.month)
        if start is None:
            raise DomainError("month_invalid", "月份格式应为 YYYY-MM", fields={"month": "格式错误"})
        end = min(month_end(start), timezone.localdate())
    elif body.start and body.end:
        start, end = body.start, body.end
    else:
        raise DomainError("range_required", "请填写月份或开始、结束日期", fields={"month": "必填"})
    job = incident_import_submit(actor=request.user, start=start, end=end)
    return Status(
        202,
        {
            "queued": True,
            "message": "已提交后台导入各模块事件",
            "job_id": job.pk,
            "job_url": job_url(job),
        },
    )
