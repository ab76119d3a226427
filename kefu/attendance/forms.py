"""Forms of the 考勤 pages: 补卡申请, 审批, 打卡记录导入 (CSV), 重新计算, 报送."""

from __future__ import annotations

from typing import Any

from django import forms

from . import csvimport
from .services.corrections import REASON_MAX


class CorrectionForm(forms.Form):
    """补卡申请: the day, 上班/下班, the time the person really came or left, the reason."""

    required_marks = True

    day = forms.DateField(
        label="考勤日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择考勤日期", "invalid": "日期格式不正确"},
    )
    direction = forms.ChoiceField(
        label="补卡类型",
        choices=[("", "请选择"), ("in", "上班"), ("out", "下班")],
        error_messages={"required": "请选择补卡类型", "invalid_choice": "请选择上班或下班"},
    )
    time = forms.TimeField(
        label="实际打卡时间",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "请填写补卡时间", "invalid": "时间格式不正确（HH:MM）"},
    )
    reason = forms.CharField(
        label="补卡原因",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "请填写补卡原因",
            "max_length": f"补卡原因不能超过{REASON_MAX}字",
        },
    )


class DecisionForm(forms.Form):
    """审批: 同意 or 驳回 with a comment (required to reject)."""

    decision = forms.ChoiceField(
        label="审批结果",
        choices=[("approve", "同意"), ("reject", "驳回")],
        error_messages={"required": "请选择审批结果", "invalid_choice": "请选择同意或驳回"},
    )
    comment = forms.CharField(
        label="审批意见",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "审批意见不能超过500字"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "驳回时请填写审批意见")
        return data


class CsvUploadForm(forms.Form):
    """One time-clock CSV no larger than the import's limit."""

    required_marks = True

    file = forms.FileField(
        label="打卡记录文件（.csv）", error_messages={"required": "请选择要导入的文件"}
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > csvimport.MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"文件过大，请不要超过 {csvimport.MAX_FILE_BYTES // (1024 * 1024)} MB"
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("请上传 .csv 格式的文件")
        return upload


class RecomputeForm(forms.Form):
    """重新计算考勤 for a date range."""

    date_from = forms.DateField(
        label="开始日期", error_messages={"required": "请选择开始日期", "invalid": "日期格式不正确"}
    )
    date_to = forms.DateField(
        label="结束日期", error_messages={"required": "请选择结束日期", "invalid": "日期格式不正确"}
    )


class SubmitReportForm(forms.Form):
    """已报送行政人事部 of one department's month."""

    department = forms.IntegerField(min_value=1, error_messages={"required": "请选择部门"})
    month = forms.CharField(max_length=7, error_messages={"required": "请选择月份"})
    note = forms.CharField(label="备注", required=False, max_length=200)
