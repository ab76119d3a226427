"""PDF responses — 打印件PDF: every printed form (投诉记录卡, 保修卡, 退件单, 回访单, 奖罚通知单 …)
opens inline in the browser's viewer with its Chinese file name and is never cached by a shared
cache (it carries personal data)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """An inline PDF named ``filename`` (RFC 6266 encoding keeps Chinese names), private."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response
