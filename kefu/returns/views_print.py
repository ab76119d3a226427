"""快件退回单 (退件单, AS-6) — A4 print view and PDF with two parts.

[004]: "打出两联快件退回单，一联给快递公司人员签字后交由打单人员保管，一联由快递公司人员带回" —
part 1 (快递员联) goes with the courier, part 2 (订单员留存联) carries the courier's signature and is
kept by the order clerk until the parcel comes back (then: 原包裹已收到).
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kefu.core.pdf_web import pdf_response

from .choices import CaseType
from .models import ReturnCase
from .roles import VIEW
from .views import _visible

PARTS = (
    "第一联 快递员联（由快递员带回，凭此退回包裹）",
    "第二联 订单员留存联（快递员签字后交订单员保管）",
)


def slip_rows(case: ReturnCase) -> list[tuple[str, str]]:
    return [
        ("退换货单号", case.number),
        ("订单号", case.order_no or "—"),
        ("客户", case.customer.name),
        ("快递公司", case.courier or "—"),
        ("原发货单号", case.original_tracking_no or "—"),
        ("退回原因", case.reason_detail or "客户发货后取消订单"),
        (
            "出单时间",
            timezone.localtime(case.slip_issued_at).strftime("%Y-%m-%d %H:%M")
            if case.slip_issued_at
            else "—",
        ),
    ]


def _slip_case(request: HttpRequest, pk: int) -> ReturnCase:
    case = _visible(request, pk)
    if case.case_type != CaseType.INTERCEPT or case.slip_issued_at is None:
        raise Http404("该单没有退件单")
    return case


@login_required
@permission_required(VIEW, raise_exception=True)
def slip_print(request: HttpRequest, pk: int) -> HttpResponse:
    """退件单, A4 print page (two parts)."""
    case = _slip_case(request, pk)
    return render(
        request, "returns/slip_print.html", {"case": case, "rows": slip_rows(case), "parts": PARTS}
    )


def render_pdf(case: ReturnCase) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from kefu.complaints.pdf import _font

    font = _font()
    base = ParagraphStyle("b", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("t", parent=base, fontSize=16, leading=22, alignment=1)
    small = ParagraphStyle("s", parent=base, fontSize=9)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"快件退回单 {case.number}",
    )
    story: list[Any] = []
    for i, part in enumerate(PARTS):
        story += [Paragraph("快件退回单", title), Paragraph(escape(part), small), Spacer(1, 2 * mm)]
        data = [
            [Paragraph(escape(k), base), Paragraph(escape(v), base)] for k, v in slip_rows(case)
        ]
        data.append([Paragraph("快递员签字", base), Paragraph("", base)])
        data.append([Paragraph("签字日期", base), Paragraph("", base)])
        if i == 1:
            data.append([Paragraph("原包裹已收到（订单员签字、日期）", base), Paragraph("", base)])
        table = Table(data, colWidths=[0.3 * doc.width, 0.7 * doc.width], rowHeights=None)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEF2F7")),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story.append(table)
        if i == 0:
            story += [
                Spacer(1, 6 * mm),
                Paragraph(
                    "- - - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - - -",
                    small,
                ),
                Spacer(1, 6 * mm),
            ]
    doc.build(story)
    return buffer.getvalue()


@login_required
@permission_required(VIEW, raise_exception=True)
def slip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """退件单, PDF."""
    case = _slip_case(request, pk)
    return pdf_response(render_pdf(case), f"快件退回单-{case.number}.pdf")
