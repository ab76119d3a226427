"""Printed forms — 打印 客户投诉记录卡 / 投诉调查报告: an A4 print page and a PDF of each.

Both read ``printing`` (the same content) for a complaint the viewer may see (else 404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.pdf_web import pdf_response

from . import pdf, printing
from .models import Complaint, InvestigationReport
from .views import _visible


def _report_of(complaint: Complaint) -> InvestigationReport:
    report = getattr(complaint, "report", None)
    if report is None:
        raise Http404("该投诉还没有调查报告")
    return report


def _card(request: HttpRequest, pk: int) -> printing.PrintedForm:
    complaint = _visible(request, pk)
    return printing.record_card(complaint, request.user, list(complaint.steps.all()))


def _investigation(request: HttpRequest, pk: int) -> printing.PrintedForm:
    complaint = _visible(request, pk)
    report = _report_of(complaint)
    return printing.investigation_report(complaint, report, list(complaint.steps.all()))


def _page(request: HttpRequest, form: printing.PrintedForm, pk: int, kind: str) -> HttpResponse:
    context = {"form": form, "rows": printing.rows_of(form), "pk": pk, "kind": kind}
    return render(request, "complaints/print.html", context)


def _pdf(form: printing.PrintedForm) -> HttpResponse:
    return pdf_response(pdf.render(form), f"{form.title}-{form.number}.pdf")


@login_required
def card_print(request: HttpRequest, pk: int) -> HttpResponse:
    """客户投诉记录卡, A4 print page."""
    return _page(request, _card(request, pk), pk, "card")


@login_required
def card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """客户投诉记录卡, PDF."""
    return _pdf(_card(request, pk))


@login_required
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    """投诉调查报告, A4 print page (404 until a report was submitted)."""
    return _page(request, _investigation(request, pk), pk, "report")


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """投诉调查报告, PDF."""
    return _pdf(_investigation(request, pk))
