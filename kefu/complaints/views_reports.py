"""Complaint reports — 投诉统计 (CMP-7, RPT-1) with its Excel export, and 责任认定 (CMP-8..11).

The statistics are ``selectors.complaint_stats`` (the API's figures); the chart is drawn here as
inline SVG — no chart library, nothing fetched from elsewhere. The export is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from kefu.core.errors import PermissionDeniedError
from kefu.core.params import query_id
from kefu.core.xlsx_web import xlsx_download
from kefu.org.models import Department

from . import excel, selectors, services
from .forms import last_month, parse_month

PAGE_SIZES = (20, 50, 100)
BAR = "#1677ff"


def _month(request: HttpRequest) -> dt.date:
    return parse_month(request.GET.get("month")) or last_month()


def ground_chart(by_ground: list[dict[str, Any]]) -> SafeString:
    """A horizontal bar chart of the month's complaints by 投诉范围, as inline SVG."""
    label_w, bar_w, row_h, top = 300, 320, 26, 8
    most = max((g["count"] for g in by_ground), default=0) or 1
    height = top * 2 + row_h * len(by_ground)
    bars = format_html_join(
        "",
        '<g data-ground="{}"><text x="{}" y="{}" text-anchor="end" class="lbl">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"></rect>'
        '<text x="{}" y="{}" class="num">{}</text></g>',
        (
            (
                g["ground"],
                label_w - 8,
                top + i * row_h + 17,
                g["label"],
                label_w,
                top + i * row_h + 5,
                round(bar_w * g["count"] / most, 1),
                row_h - 10,
                BAR,
                label_w + round(bar_w * g["count"] / most, 1) + 6,
                top + i * row_h + 17,
                g["count"],
            )
            for i, g in enumerate(by_ground)
        ),
    )
    width = label_w + bar_w + 40
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        "<style>.lbl{{font-size:12px;fill:#1f2d3d}}.num{{font-size:12px;fill:#6b778c}}</style>"
        "{}</svg>",
        "按投诉范围统计",
        width,
        height,
        bars,
    )


def closure_chart(stats: dict[str, Any]) -> SafeString:
    """One stacked bar: closed on time / closed late / still open, as inline SVG."""
    on_time = stats["closed_on_time"]
    late = stats["closed"] - on_time
    still_open = stats["open"]
    total = on_time + late + still_open
    parts = [
        ("按期结案", on_time, "#2e7d32"),
        ("超期结案", late, "#e53935"),
        ("未结案", still_open, "#c5ccd6"),
    ]
    width, x = 660.0, 0.0
    rects = []
    legend = []
    for i, (label, count, color) in enumerate(parts):
        w = round(width * count / total, 1) if total else 0
        if w:
            rects.append((x, w, color, label, count))
        x += w
        legend.append((i * 150, color, label, count))
    bar = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="22" fill="{}"><title>{} {}</title></rect>',
        rects,
    )
    keys = format_html_join(
        "",
        '<rect x="{}" y="32" width="12" height="12" fill="{}"></rect>'
        '<text x="{}" y="43" class="lbl" data-part="{}">{} {}</text>',
        ((lx, color, lx + 16, label, label, count) for lx, color, label, count in legend),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} 50" width="100%" '
        'xmlns="http://www.w3.org/2000/svg"><style>.lbl{{font-size:12px;fill:#1f2d3d}}</style>'
        '<rect x="0" y="0" width="{}" height="22" fill="#f4f6f9"></rect>{}{}</svg>',
        "结案情况",
        int(width),
        int(width),
        bar,
        keys,
    )


@login_required
@permission_required(selectors.STATS_PERMISSION, raise_exception=True)
def stats(request: HttpRequest) -> HttpResponse:
    """投诉统计: the month's complaints by ground, department, person, acceptance, closure time."""
    month = _month(request)
    figures = selectors.complaint_stats(request.user, month)
    context = {
        "stats": figures,
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "title": excel.title_of(month),
        "ground_chart": ground_chart(figures["by_ground"]),
        "closure_chart": closure_chart(figures),
    }
    return render(request, "complaints/stats.html", context)


@login_required
@permission_required(selectors.STATS_PERMISSION, raise_exception=True)
def stats_export(request: HttpRequest) -> HttpResponse:
    """导出投诉统计表 (Excel), audited."""
    month = _month(request)
    exported = excel.export_stats(actor=request.user, month=month)
    try:
        services.stats_export_record(actor=request.user, month=month, count=exported.count)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    return xlsx_download(exported.content, exported.filename)


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    """责任认定: responsibility findings by closing month, as far as the reader may see them
    (行政人事部 and the leadership all, 主管/经理 their department's, everyone their own)."""
    g = request.GET
    month = parse_month(g.get("month"))
    department = query_id(g.get("department"))
    qs = selectors.responsibility_findings_for_user(
        request.user,
        month=month,
        department_id=department,
        service_only=g.get("service") == "1",
    )
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(g.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": g,
        "filtered": any(g.get(k) for k in ("month", "department", "service")),
    }
    if request.htmx and request.htmx.target == "finding-table":  # type: ignore[attr-defined]
        return render(request, "complaints/_finding_table.html", context)
    context["departments"] = list(Department.objects.order_by("code").values_list("pk", "name"))
    return render(request, "complaints/finding_list.html", context)
