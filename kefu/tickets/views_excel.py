"""Ticket Excel download — 工单导出 (the list's filters)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.xlsx_web import xlsx_download

from . import excel, services
from .forms import list_filters


@login_required
@permission_required("tickets.export_ticket", raise_exception=True)
def ticket_export(request: HttpRequest) -> HttpResponse:
    """导出: the requests of the list page (same filters) as an .xlsx file, masked, audited."""
    filters = list_filters(request.GET, request.user)
    try:
        exported = excel.export_tickets(actor=request.user, filters=filters)
        services.tickets_export_record(actor=request.user, count=exported.count, filters=filters)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        # Too many rows: back to the same list, with the reason on top.
        messages.error(request, exc.message)
        query = request.GET.urlencode()
        return redirect(f"/tickets/?{query}" if query else "/tickets/")
    return xlsx_download(exported.content, exported.filename)
