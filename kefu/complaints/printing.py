"""The printed forms — 客户投诉记录卡 and 投诉调查报告 (CMP-4, CMP-5; [000] 第十、十五、十七条).

One description of each form, read by the A4 print page (HTML) and by the PDF (``pdf.py``), so
the two never differ. Values are already text as the viewer may see them (phones masked unless
the viewer may reveal them, SEC-1); nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.core.access import shown

from .choices import (
    REPORT_CHAIN,
    ApprovalStep,
    ComplainantType,
    Ground,
    ProcedureStatus,
    ReplyVia,
    Route,
    Sanction,
    SanctionTrigger,
    StepDecision,
)
from .models import Complaint, ComplaintStep, InvestigationReport
from .procedure import ProcedureAction
from .report import TEXT_ITEMS, YES_NO_ITEMS

CARD_TITLE = "客户投诉记录卡"
REPORT_TITLE = "投诉调查报告"
BLANK = "—"


def local(value: dt.datetime | None) -> str:
    """``YYYY-MM-DD HH:mm`` in Asia/Shanghai (UI.md), or a dash."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else BLANK


def yuan(value: Decimal | None) -> str:
    return f"¥{value:,.2f}" if value is not None else BLANK


def _label(choices: Any, value: str) -> str:
    return choices(value).label if value in choices.values else (value or BLANK)


@dataclass(frozen=True)
class Cell:
    """One labelled value of a form; ``wide`` takes the whole row."""

    label: str
    value: str
    wide: bool = False


@dataclass(frozen=True)
class Table:
    """A small table inside a form (处理记录, 具体责任者, 审核)."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str = "无"


@dataclass
class PrintedForm:
    """A printed form: its title, its number line, labelled cells, tables, signature line."""

    title: str
    number: str
    cells: list[Cell] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    signatures: tuple[str, ...] = ()
    printed_at: str = ""


ACTION_LABELS: dict[str, str] = {a.value: a.label for a in ProcedureAction}


def step_rows(steps: list[ComplaintStep]) -> list[tuple[str, ...]]:
    """处理记录 rows: 环节, 操作, 结果, 意见, 经办人, 时间."""
    return [
        (
            _label(ProcedureStatus, s.step),
            _label(ApprovalStep, s.approval_step)
            if s.approval_step
            else ACTION_LABELS.get(s.action, s.action),
            _label(StepDecision, s.decision),
            s.comment or BLANK,
            s.actor_name,
            local(s.at),
        )
        for s in steps
    ]


def _decision(c: Complaint) -> str:
    if c.accepted is None:
        return "待受理"
    if c.accepted:
        return "受理"
    return f"不受理（原因：{c.rejection_reason}）"


def record_card(c: Complaint, viewer: Any, steps: list[ComplaintStep]) -> PrintedForm:
    """客户投诉记录卡 (第十五条): complainant, demands, acceptance time and number, the handling
    department's opinion — plus the route, the reply and the history of the case."""
    ticket = c.ticket
    phone = shown(viewer, "phone", ticket.contact_phone) if ticket.contact_phone else BLANK
    cells = [
        Cell("受理编号", c.number or "（未受理）"),
        Cell("工单编号", ticket.number),
        Cell("受理时间", local(c.accepted_at)),
        Cell("收到投诉时间", local(ticket.received_at)),
        Cell("投诉客户名称", c.complainant_name),
        Cell("投诉客户类型", _label(ComplainantType, c.complainant_type)),
        Cell("联系人", ticket.contact_name or BLANK),
        Cell("联系电话", phone),
        Cell("受理渠道", ticket.get_channel_display()),
        Cell("订单号", ticket.order_no or BLANK),
        Cell("投诉范围", _label(Ground, c.ground), wide=True),
        Cell("客户要求", "、".join(c.demand_labels) or BLANK),
        Cell("涉及金额", yuan(c.amount_involved)),
        Cell("投诉内容", "\n".join(t for t in (ticket.title, ticket.description) if t), wide=True),
        Cell("受理决定", _decision(c), wide=True),
        Cell("处理途径", _label(Route, c.route) if c.route else BLANK, wide=True),
        Cell(
            "受理部门",
            c.investigating_department.name if c.investigating_department_id else BLANK,
        ),
        Cell("结案期限", local(ticket.resolution_due)),
        Cell("受理部门处理意见", c.handling_opinion or BLANK, wide=True),
    ]
    if c.route == Route.LEADERSHIP or c.leadership_decision:
        cells.append(Cell("领导裁定意见", c.leadership_decision or BLANK, wide=True))
    cells += [
        Cell("答复方式", _label(ReplyVia, c.reply_via) if c.reply_via else BLANK),
        Cell("结案时间", local(c.closed_at)),
        Cell("答复内容", c.reply_text or BLANK, wide=True),
    ]
    return PrintedForm(
        title=CARD_TITLE,
        number=c.number or ticket.number,
        cells=cells,
        tables=[
            Table("处理记录", ("环节", "操作", "结果", "意见", "经办人", "时间"), step_rows(steps))
        ],
        signatures=("登记人（客服）", "客服主管", "行政人事部"),
        printed_at=local(timezone.now()),
    )


def current_approvals(steps: list[ComplaintStep]) -> dict[str, ComplaintStep]:
    """The approvals of the current report: those after its last submission, by approval step."""
    last_submit = max(
        (i for i, s in enumerate(steps) if s.action == ProcedureAction.SUBMIT_INVESTIGATION),
        default=-1,
    )
    found: dict[str, ComplaintStep] = {}
    for s in steps[last_submit + 1 :]:
        if s.action == ProcedureAction.APPROVE and s.approval_step in REPORT_CHAIN:
            found[s.approval_step] = s
    return found


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def investigation_report(
    c: Complaint, report: InvestigationReport, steps: list[ComplaintStep]
) -> PrintedForm:
    """投诉调查报告 (第十、十七条): the investigation items, cause, course, the persons
    responsible with their shares, conclusion, countermeasures, prevention, and the approvals."""
    cells = [
        Cell("受理编号", c.number or c.ticket.number),
        Cell("投诉客户名称", c.complainant_name),
        Cell(
            "受理部门",
            c.investigating_department.name if c.investigating_department_id else BLANK,
        ),
        Cell("投诉范围", _label(Ground, c.ground)),
        Cell("客户要求", "、".join(c.demand_labels) or BLANK),
        Cell("涉及金额", yuan(c.amount_involved)),
    ]
    cells += [Cell(label, _yes_no(getattr(report, name))) for name, label in YES_NO_ITEMS.items()]
    cells.append(Cell("损失金额", yuan(report.loss_amount)))
    for name, label in TEXT_ITEMS.items():
        cells.append(Cell(label, getattr(report, name), wide=True))
    shares = [
        (
            s.department.name,
            s.team.name if s.team_id else BLANK,
            s.employee.name if s.employee_id else BLANK,
            f"{s.percent.normalize():f}%",
            _label(SanctionTrigger, s.sanction_trigger) if s.sanction_trigger else BLANK,
            _label(Sanction, s.sanction) if s.sanction else BLANK,
        )
        for s in report.shares.all()
    ]
    approvals = current_approvals(steps)
    approval_rows = []
    for step in REPORT_CHAIN:
        taken = approvals.get(step)
        approval_rows.append(
            (
                ApprovalStep(step).label,
                "同意" if taken else "待审核",
                (taken.comment or BLANK) if taken else BLANK,
                taken.actor_name if taken else BLANK,
                local(taken.at) if taken else BLANK,
            )
        )
    cells += [
        Cell("填报人", _person(report.submitted_by)),
        Cell("填报时间", local(report.submitted_at)),
    ]
    return PrintedForm(
        title=REPORT_TITLE,
        number=f"{c.number or c.ticket.number}（第{report.version}稿）",
        cells=cells,
        tables=[
            Table(
                "具体责任者",
                ("责任部门", "责任班组", "责任人", "责任比例", "处分判定项目", "处分建议"),
                shares,
                empty="投诉不成立，无责任者",
            ),
            Table("审核", ("审核环节", "结果", "意见", "审核人", "时间"), approval_rows),
        ],
        signatures=("受理部门负责人", "行政人事部", "总经理"),
        printed_at=local(timezone.now()),
    )


def _person(user: Any) -> str:
    employee = getattr(user, "employee", None) if user is not None else None
    return (employee.name if employee else "") or getattr(user, "username", "") or BLANK


def rows_of(form: PrintedForm) -> list[list[Cell]]:
    """The cells two to a row (a wide cell alone), as the A4 layout puts them."""
    rows: list[list[Cell]] = []
    pending: list[Cell] = []
    for cell in form.cells:
        if cell.wide:
            if pending:
                rows.append(pending)
                pending = []
            rows.append([cell])
            continue
        pending.append(cell)
        if len(pending) == 2:
            rows.append(pending)
            pending = []
    if pending:
        rows.append(pending)
    return rows
