"""Employee Excel pages — 员工档案导入 / 导出 (ORG-3)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.errors import PermissionDeniedError
from kefu.core.xlsx_web import XlsxUploadForm, submit_upload_as_job, xlsx_download

from . import excel, services
from .views import list_filters

IMPORT_PERMISSION = "org.import_employee"


@login_required
@permission_required("org.view_employee", raise_exception=True)
def employee_export(request: HttpRequest) -> HttpResponse:
    """导出: the employees of the list page (same filters, same scope) as an .xlsx file."""
    filters = list_filters(request.GET)
    exported = excel.export_employees(actor=request.user, filters=filters)
    try:
        services.employees_export_record(actor=request.user, count=exported.count, filters=filters)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    return xlsx_download(exported.content, exported.filename)


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def employee_import(request: HttpRequest) -> HttpResponse:
    """导入: upload a 员工档案 file. A file that cannot be read is refused here, under the field;
    a readable one is imported in the background and the browser goes to the job's page, which
    shows the progress and then every row error, or how many were created and updated."""
    form = XlsxUploadForm(
        request.POST or None, request.FILES or None, max_bytes=excel.layout.MAX_FILE_BYTES
    )
    submitted = submit_upload_as_job(request, form, services.employees_import_submit)
    if submitted is not None:
        return submitted
    return render(
        request,
        "org/employee_import.html",
        {
            "form": form,
            "columns": excel.COLUMNS,
            "max_rows": excel.layout.MAX_ROWS,
            "max_mb": excel.layout.MAX_FILE_BYTES // (1024 * 1024),
        },
    )
