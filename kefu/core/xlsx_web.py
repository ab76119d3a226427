"""Excel on pages — Excel 上传与下载: the upload form and the download response every module uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header

from .errors import DomainError, PermissionDeniedError
from .xlsx import XLSX_CONTENT_TYPE


class XlsxUploadForm(forms.Form):
    """One .xlsx file no larger than ``max_bytes`` (the module's upload limit, read per request)."""

    file = forms.FileField(label="Excel 文件（.xlsx）")

    required_marks = True

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"文件过大，请不要超过 {self.max_bytes // (1024 * 1024)} MB"
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx attachment; the Chinese file name survives every browser (RFC 6266 encoding)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


def submit_upload_as_job(
    request: HttpRequest, form: forms.Form, submit: Callable[..., Any]
) -> HttpResponse | None:
    """On a valid POST, hand the form's ``file`` (an Excel or CSV upload) to ``submit`` (an ``*_import_submit`` service) and redirect
    to the job's page. A file the service refuses gets its message under the field (None is
    returned and the page re-renders with the form); a refused permission is a 403."""
    if request.method != "POST" or not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        job = submit(actor=request.user, data=upload.read(), filename=upload.name)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error("file", exc.message)
        return None
    return redirect("job_detail", pk=job.pk)
