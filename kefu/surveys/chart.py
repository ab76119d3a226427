"""Statistics charts — 满意度图表, server-rendered inline SVG (no chart library, nothing fetched)."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = "#1677ff"
GOOD = "#52c41a"
TARGET = "#f5222d"


def month_rate_chart(months: list[dict[str, Any]], target: float) -> SafeString:
    """满意率 by month as columns, with the target (98%) as a dashed red line.

    ``months``: ``{"label": "2026-05", "rate": 97.5 | None, "count": 40}``. The y axis runs from
    the lower of 80% and the lowest rate (rounded down to 10) to 100%, so the gap to 98% shows.
    """
    width, height, left, bottom, top = 640, 240, 44, 36, 16
    plot_h = height - top - bottom
    rates = [m["rate"] for m in months if m["rate"] is not None]
    floor = min([80.0, *rates])
    floor = float(int(floor // 10 * 10))
    span = 100.0 - floor or 1.0

    def y(value: float) -> float:
        return round(top + plot_h * (100.0 - max(value, floor)) / span, 1)

    n = max(len(months), 1)
    slot = (width - left - 10) / n
    bar_w = min(48.0, slot * 0.6)
    bars = format_html_join(
        "",
        '<g data-month="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}">'
        "<title>{}：{}（{}份）</title></rect>"
        '<text x="{}" y="{}" text-anchor="middle" class="v">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="lbl">{}</text></g>',
        (
            (
                m["label"],
                round(left + i * slot + (slot - bar_w) / 2, 1),
                y(m["rate"]) if m["rate"] is not None else top + plot_h,
                round(bar_w, 1),
                round(top + plot_h - y(m["rate"]), 1) if m["rate"] is not None else 0,
                GOOD if m["rate"] is not None and m["rate"] >= target else BAR,
                m["label"],
                f"{m['rate']}%" if m["rate"] is not None else "—",
                m["count"],
                round(left + i * slot + slot / 2, 1),
                (y(m["rate"]) if m["rate"] is not None else top + plot_h) - 4,
                f"{m['rate']:g}" if m["rate"] is not None else "",
                round(left + i * slot + slot / 2, 1),
                height - bottom + 16,
                m["label"],
            )
            for i, m in enumerate(months)
        ),
    )
    ticks = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"></line>'
        '<text x="{}" y="{}" text-anchor="end" class="lbl">{}%</text>',
        (
            (left, width - 10, y(v), y(v), left - 6, y(v) + 4, int(v))
            for v in range(int(floor), 101, 5 if span <= 30 else 10)
        ),
    )
    ty = y(target)
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        'data-testid="stats-chart">'
        "<style>.lbl{{font-size:11px;fill:#6b778c}}.v{{font-size:11px;fill:#1f2d3d}}"
        ".grid{{stroke:#eef0f3;stroke-width:1}}</style>{}{}"
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5" '
        'stroke-dasharray="6 4" data-testid="target-line"></line>'
        '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="11">{} {}%</text></svg>',
        "各月服务满意率",
        width,
        height,
        ticks,
        bars,
        left,
        width - 10,
        ty,
        ty,
        TARGET,
        width - 12,
        ty - 4,
        TARGET,
        "目标",
        f"{target:g}",
    )


def distribution_chart(distribution: dict[int, int]) -> SafeString:
    """The 1–5 rating distribution as horizontal bars."""
    label_w, bar_w, row_h = 90, 360, 26
    total = sum(distribution.values()) or 1
    most = max(distribution.values(), default=0) or 1
    labels = {5: "5 非常满意", 4: "4 满意", 3: "3 一般", 2: "2 不满意", 1: "1 非常不满意"}
    rows = sorted(distribution.items(), reverse=True)
    bars = format_html_join(
        "",
        '<g data-rating="{}"><text x="{}" y="{}" text-anchor="end" class="lbl">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"></rect>'
        '<text x="{}" y="{}" class="lbl">{}（{}%）</text></g>',
        (
            (
                r,
                label_w - 8,
                i * row_h + 17,
                labels.get(r, str(r)),
                label_w,
                i * row_h + 5,
                round(bar_w * c / most, 1),
                row_h - 10,
                GOOD if r >= 4 else BAR,
                label_w + round(bar_w * c / most, 1) + 6,
                i * row_h + 17,
                c,
                round(100 * c / total, 1),
            )
            for i, (r, c) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        'data-testid="distribution-chart"><style>.lbl{{font-size:12px;fill:#1f2d3d}}</style>{}</svg>',
        "评分分布",
        label_w + bar_w + 90,
        row_h * len(rows) + 8,
        bars,
    )
