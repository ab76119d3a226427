"""The printed 回访单 (CRM-4) — one description read by the A4 print page and by the PDF, so the
two never differ. Only recorded (已回访) tasks print; values are text as the viewer sees them (no
phone numbers on the sheet). Nothing here writes."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

from .models import CorrectiveAction, VisitTask

TITLE = "回访单"
BLANK = "—"
SIGNATURES = ("回访员签字", "客服主管审核")
ACTION_HEADERS = ("问题及纠正措施", "责任部门", "完成期限", "状态", "整改结果")


def local(value: dt.datetime | None) -> str:
    """``YYYY-MM-DD HH:mm`` in Asia/Shanghai (UI.md), or a dash."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else BLANK


@dataclass(frozen=True)
class Receipt:
    """The content of one printed 回访单."""

    number: str
    printed_at: str
    rows: list[tuple[str, str]]
    notes: str
    actions: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def receipt(task: VisitTask, actions: list[CorrectiveAction], *, max_attempts: int) -> Receipt:
    source = task.get_source_display() + ("（保修期内）" if task.in_warranty else "")
    linked = []
    if task.installation_id and task.installation is not None:
        linked.append(f"安装记录 {task.installation.number}")
    if task.ticket is not None:
        linked.append(f"工单 {task.ticket.number}")
    follow_up = BLANK
    if task.follow_up_ticket is not None:
        follow_up = f"转工单 {task.follow_up_ticket.number}"
    elif task.follow_up:
        follow_up = task.get_follow_up_display()
    rows = [
        ("客户", f"{task.customer.name}（{task.customer.code}）"),
        ("回访来源", source),
        ("关联", "，".join(linked) or BLANK),
        ("计划回访日期", f"{task.due_date:%Y-%m-%d}"),
        ("第几次回访", f"{task.attempt} / {max_attempts}"),
        ("回访员", task.assignee.name if task.assignee else BLANK),
        ("回访人", task.visited_by.name if task.visited_by else BLANK),
        ("回访时间", local(task.visited_at)),
        ("回访结果", task.get_outcome_display() if task.outcome else BLANK),
        ("问题处理", follow_up),
    ]
    return Receipt(
        number=task.receipt_no,
        printed_at=local(timezone.now()),
        rows=rows,
        notes=task.notes or BLANK,
        actions=[
            (
                a.description,
                a.department.name if a.department else BLANK,
                f"{a.due_date:%Y-%m-%d}" if a.due_date else BLANK,
                a.get_status_display(),
                a.result or BLANK,
            )
            for a in actions
        ],
    )


def render_pdf(form: Receipt) -> bytes:
    """The 回访单 as an A4 PDF (reportlab, the built-in CJK font like the complaint forms)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from kefu.complaints.pdf import _font

    font = _font()
    base = ParagraphStyle("b", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("t", parent=base, fontSize=18, leading=24, alignment=1)
    meta = ParagraphStyle("m", parent=base, fontSize=9, alignment=2)
    section = ParagraphStyle("s", parent=base, fontSize=11, leading=16, spaceBefore=6)

    def p(text: str, style: Any = base) -> Any:
        return Paragraph(escape(text or "").replace("\n", "<br/>"), style)

    grid = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    label_bg = colors.HexColor("#EEF2F7")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{TITLE} {form.number}",
    )
    story: list[Any] = [
        p(TITLE, title),
        p(f"编号：{form.number}　　打印时间：{form.printed_at}", meta),
        Spacer(1, 3 * mm),
    ]
    data = [[p(k), p(v)] for k, v in form.rows] + [[p("回访记录"), p(form.notes)]]
    table = Table(data, colWidths=[0.25 * doc.width, 0.75 * doc.width])
    table.setStyle(TableStyle([*grid, ("BACKGROUND", (0, 0), (0, -1), label_bg)]))
    story.append(table)
    if form.actions:
        story += [Spacer(1, 3 * mm), p("纠正措施", section)]
        rows = [[p(h) for h in ACTION_HEADERS]] + [[p(v) for v in r] for r in form.actions]
        widths = [0.34, 0.14, 0.13, 0.1, 0.29]
        actions = Table(rows, colWidths=[w * doc.width for w in widths], repeatRows=1)
        actions.setStyle(TableStyle([*grid, ("BACKGROUND", (0, 0), (-1, 0), label_bg)]))
        story.append(actions)
    story += [
        Spacer(1, 12 * mm),
        p("　　　　".join(f"{s}：＿＿＿＿＿＿" for s in SIGNATURES)),
    ]
    doc.build(story)
    return buffer.getvalue()
