"""Excel on pages — Excel 上传与下载: the upload form and the download response every module uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils.http import content_disposition_header

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
