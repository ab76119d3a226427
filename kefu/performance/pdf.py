"""PDF of the month-close forms — 奖罚通知单 / 人事公布单 as A4 PDF (UI.md: print view and PDF).

reportlab with the built-in Adobe CJK font ``STSong-Light``, as kefu/complaints/pdf.py does (no
font file ships with Kefu). The content is ``closing_outputs.Notice`` / ``Publication`` — the
same as the HTML print pages.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kefu.complaints.pdf import GRID, LABEL_BG, _styles

from .closing_outputs import Approval, Notice, Publication, PublicationItem


def _p(text: Any, style: Any) -> Paragraph:
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


def _yuan(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _pts(value: Decimal) -> str:
    return f"{value:+.2f}" if value else "0"


def _doc(buffer: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=title,
        author="Kefu",
    )


def _table(
    headers: Sequence[str], rows: list[list[str]], widths: list[float], empty: str, styles: dict
) -> Table:
    head = [_p(h, styles["label"]) for h in headers]
    body = [[_p(v, styles["small"]) for v in r] for r in rows] or [
        [_p(empty, styles["small"])] + [""] * (len(headers) - 1)
    ]
    table = Table([head, *body], colWidths=widths, repeatRows=1)
    style = [*GRID, ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG)]
    if not rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    return table


def _approval(approval: Approval, width: float, styles: dict) -> Table:
    cells = [
        [
            _p("经理审核", styles["label"]),
            _p(f"{approval.reviewed_by or '______'}  {approval.reviewed_at}", styles["base"]),
            _p("总经理批准", styles["label"]),
            _p(f"{approval.approved_by or '______'}  {approval.approved_at}", styles["base"]),
        ]
    ]
    table = Table(cells, colWidths=[0.16 * width, 0.34 * width, 0.16 * width, 0.34 * width])
    table.setStyle(
        TableStyle(
            [
                *GRID,
                ("BACKGROUND", (0, 0), (0, 0), LABEL_BG),
                ("BACKGROUND", (2, 0), (2, 0), LABEL_BG),
            ]
        )
    )
    return table


def _head(title: str, number: str, month: str, printed_at: str, status: str, styles: dict) -> list:
    return [
        _p(title, styles["title"]),
        _p(
            f"月份：{month}    编号：{number}    状态：{status}    打印时间：{printed_at}",
            styles["meta"],
        ),
        Spacer(1, 3 * mm),
    ]


def notice_pdf(notice: Notice) -> bytes:
    """奖罚通知单 as an A4 PDF (bytes starting with ``%PDF``)."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = _doc(buffer, f"{notice.title} {notice.month_label}")
    width = doc.width
    story: list = _head(
        notice.title,
        notice.number,
        notice.month_label,
        notice.printed_at,
        notice.approval.status_label,
        styles,
    )
    widths = [0.11, 0.10, 0.13, 0.36, 0.08, 0.10, 0.12]
    rows: list[list[str]] = []
    for e in notice.entries:
        for i, line in enumerate(e.lines):
            rows.append(
                [
                    e.employee_no if i == 0 else "",
                    e.name if i == 0 else "",
                    f"{line.day:%Y-%m-%d}",
                    line.rule_name,
                    line.category,
                    _pts(line.points),
                    _yuan(line.money),
                ]
            )
        rows.append(["", "", "", f"{e.name} 小计", "", _pts(e.points_total), _yuan(e.money_total)])
    story.append(
        _table(
            ["工号", "姓名", "日期", "奖惩条目", "类别", "分值", "金额"],
            rows,
            [w * width for w in widths],
            "本月没有奖惩记录",
            styles,
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(
        _p(
            f"奖励合计 {_yuan(notice.rewards_total)}    罚款合计 {_yuan(notice.penalties_total)}"
            f"    净额 {_yuan(notice.money_total)}",
            styles["base"],
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(_approval(notice.approval, width, styles))
    doc.build(story)
    return buffer.getvalue()


def _items(items: list[PublicationItem]) -> list[list[str]]:
    return [
        [
            i.employee_no,
            i.name,
            i.department,
            i.what,
            f"{i.day:%Y-%m-%d}" if i.day else "",
            i.note,
        ]
        for i in items
    ]


def publication_pdf(pub: Publication) -> bytes:
    """人事公布单 as an A4 PDF."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = _doc(buffer, f"{pub.title} {pub.month_label}")
    width = doc.width
    story: list = _head(
        pub.title, pub.number, pub.month_label, pub.printed_at, pub.approval.status_label, styles
    )
    headers = ["工号", "姓名", "部门", "事项", "日期", "说明"]
    widths = [w * width for w in (0.10, 0.10, 0.14, 0.32, 0.12, 0.22)]
    for title, items, empty in (
        ("一、处分", pub.sanctions, "本月无处分"),
        ("二、建议辞退", pub.dismissals, "本月无建议辞退"),
        ("三、奖励", pub.rewards, "本月无奖励"),
    ):
        story.append(_p(title, styles["section"]))
        story.append(_table(headers, _items(items), widths, empty, styles))
    story.append(Spacer(1, 6 * mm))
    story.append(_approval(pub.approval, width, styles))
    doc.build(story)
    return buffer.getvalue()
