"""PDF of the printed forms — 客户投诉记录卡 / 投诉调查报告 as A4 PDF (UI.md: print view and PDF).

reportlab with its built-in Adobe CJK font ``STSong-Light`` (a CID font every PDF reader has), so
no font file ships with Kefu. The content is ``printing.PrintedForm`` — the same as the HTML
print page.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .printing import PrintedForm, rows_of

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "label": ParagraphStyle("label", parent=base, textColor=colors.HexColor("#333333")),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=24, alignment=1, spaceAfter=4
        ),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, alignment=2),
        "section": ParagraphStyle("section", parent=base, fontSize=11, leading=16, spaceBefore=6),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
    }


def _p(text: str, style: ParagraphStyle, *, raw: bool = False) -> Paragraph:
    """A paragraph of plain text (escaped, line breaks kept); ``raw`` for our own markup."""
    markup = text if raw else escape(text or "").replace("\n", "<br/>")
    return Paragraph(markup, style)


GRID = [
    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]
LABEL_BG = colors.HexColor("#EEF2F7")


def render(form: PrintedForm) -> bytes:
    """The form as an A4 PDF (bytes starting with ``%PDF``)."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{form.title} {form.number}",
        author="Kefu",
    )
    width = doc.width
    story: list = [
        _p(form.title, styles["title"]),
        _p(
            f"编号：{escape(form.number)}&nbsp;&nbsp;&nbsp;&nbsp;打印时间：{escape(form.printed_at)}",
            styles["meta"],
            raw=True,
        ),
        Spacer(1, 3 * mm),
    ]
    # Four columns: label, value, label, value; a wide cell spans the three value columns.
    label_w, value_w = 0.16 * width, 0.34 * width
    data, spans, label_cells = [], [], []
    for r, row in enumerate(rows_of(form)):
        if len(row) == 1 and row[0].wide:
            data.append([_p(row[0].label, styles["label"]), _p(row[0].value, styles["base"])])
            data[-1] += ["", ""]
            spans.append(("SPAN", (1, r), (3, r)))
        else:
            cells: list = []
            for cell in row:
                cells += [_p(cell.label, styles["label"]), _p(cell.value, styles["base"])]
            while len(cells) < 4:
                cells.append("")
            data.append(cells)
        label_cells += [("BACKGROUND", (0, r), (0, r), LABEL_BG)]
        if not (len(row) == 1 and row[0].wide):
            label_cells += [("BACKGROUND", (2, r), (2, r), LABEL_BG)]
    table = Table(data, colWidths=[label_w, value_w, label_w, value_w])
    table.setStyle(TableStyle(GRID + spans + label_cells))
    story.append(table)
    for sub in form.tables:
        story.append(_p(sub.title, styles["section"]))
        header = [_p(h, styles["label"]) for h in sub.headers]
        body = [[_p(v, styles["small"]) for v in row] for row in sub.rows] or [
            [_p(sub.empty, styles["small"])] + [""] * (len(sub.headers) - 1)
        ]
        inner = Table([header, *body], colWidths=[width / len(sub.headers)] * len(sub.headers))
        style = [*GRID, ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG)]
        if not sub.rows:
            style.append(("SPAN", (0, 1), (-1, 1)))
        inner.setStyle(TableStyle(style))
        story.append(inner)
    if form.signatures:
        # A borderless row of "签字：____" boxes, one per signer, spread over the width.
        story.append(Spacer(1, 10 * mm))
        n = len(form.signatures)
        cells = [_p(f"{s}：______________", styles["base"]) for s in form.signatures]
        story.append(Table([cells], colWidths=[width / n] * n))
    doc.build(story)
    return buffer.getvalue()
