"""Customer Excel pages — 客户档案导入 / 导出 (CRM-1)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.errors import PermissionDeniedError
from kefu.core.xlsx_web import XlsxUploadForm, submit_upload_as_job, xlsx_download

from . import excel, services
from .views import list_filters


@login_required
@permission_required("customers.export_customer", raise_exception=True)
def customer_export(request: HttpRequest) -> HttpResponse:
    """导出: the customers of the list page (same filters) as an .xlsx file, masked, audited."""
    filters = list_filters(request.GET)
    exported = excel.export_customers(actor=request.user, filters=filters)
    try:
        services.customers_export_record(actor=request.user, count=exported.count, filters=filters)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    return xlsx_download(exported.content, exported.filename)


@login_required
@permission_required("customers.import_customer", raise_exception=True)
def customer_import(request: HttpRequest) -> HttpResponse:
    """导入: upload a 客户档案 file. A file that cannot be read is refused here, under the field;
    a readable one is imported in the background and the browser goes to the job's page."""
    form = XlsxUploadForm(
        request.POST or None, request.FILES or None, max_bytes=excel.layout.MAX_FILE_BYTES
    )
    submitted = submit_upload_as_job(request, form, services.customers_import_submit)
    if submitted is not None:
        return submitted
    return render(
        request,
        "customers/customer_import.html",
        {
            "form": form,
            "columns": [c for c in excel.COLUMNS if c.kind != "datetime"],
            "max_rows": excel.layout.MAX_ROWS,
            "max_mb": excel.layout.MAX_FILE_BYTES // (1024 * 1024),
        },
    )
