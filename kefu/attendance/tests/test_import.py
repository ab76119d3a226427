"""Time-clock CSV import: UTF-8 and GBK, row errors in Chinese, idempotent, a background job."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.attendance import csvimport, services
from kefu.attendance.choices import DayStatus, Direction
from kefu.attendance.models import AttendanceDay, ClockEvent
from kefu.core.choices import JobKind, JobStatus
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent, BackgroundJob

from .conftest import TODAY
from .factories import local

D16 = dt.date(2026, 3, 16)
GOOD = "工号,时间,类型\nKF011,2026-03-16 08:25,上班\nKF011,2026/3/16 17:40:05,下班\nKF012,2026-03-16 08:51,\n"


def rows(text: str, encoding: str = "utf-8"):
    return csvimport.read_rows(text.encode(encoding))


# --- reading the file (no database) ---------------------------------------------------------------
def test_utf8_bom_and_gbk_read_alike() -> None:
    utf8 = csvimport.read_rows(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    gbk = rows(GOOD, "gbk")
    assert [r.values for r in utf8] == [r.values for r in gbk]
    assert utf8[1].values["time"] == dt.datetime(2026, 3, 16, 17, 40, 5)
    assert utf8[1].values["direction"] == Direction.OUT
    assert utf8[2].values["direction"] == Direction.UNKNOWN and utf8[2].line == 4


def test_columns_in_any_order_without_type_and_tab_separated() -> None:
    found = rows("打卡时间\t员工工号\n2026-03-16 08:25\tKF011\n")
    assert found[0].values == {"time": dt.datetime(2026, 3, 16, 8, 25), "employee_no": "KF011"}


def test_row_errors_are_chinese_and_beside_the_column() -> None:
    found = rows(
        "工号,时间,类型\n,2026-03-16 08:25,上班\nKF011,16/03/2026,上班\nKF011,2026-03-16 8:00,午休\n"
    )
    assert found[0].errors == {"employee_no": "请填写工号"}
    assert found[1].errors == {"time": csvimport.TIME_ERROR}
    assert found[2].errors == {"direction": "类型只能是“上班”“下班”或留空"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest", "请上传 CSV 文件（在 Excel 中“另存为” CSV 格式）"),
        (
            "姓名,日期\n张三,2026-03-16\n".encode(),
            "没有找到表头：第一行应包含“工号”和“时间”两列（“类型”可选）",
        ),
        ("工号,时间\n".encode(), "文件中没有打卡记录"),
        (
            b"\xff\xfe\x00\xd8\x00\xdc" * 3,
            "文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件",
        ),
    ],
)
def test_unusable_files_are_refused_under_the_field(data: bytes, message: str) -> None:
    with pytest.raises(DomainError) as info:
        csvimport.read_rows(data)
    assert info.value.message == message and info.value.fields == {"file": message}


def test_too_many_rows(monkeypatch) -> None:
    monkeypatch.setattr(csvimport, "MAX_ROWS", 2)
    with pytest.raises(DomainError, match="一次最多导入 2 行"):
        rows(GOOD)


# --- importing ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_import_adds_clocks_classifies_and_is_idempotent(org, roster, frozen) -> None:
    sup = org["supervisor"].user
    result = services.clock_import(actor=sup, rows=rows(GOOD))
    assert (result.created, result.unchanged, result.errors) == (3, 0, [])
    assert result.days > 0
    a1, a2 = org["agent_a1"], org["agent_a2"]
    assert AttendanceDay.objects.get(employee=a1, day=D16).status == DayStatus.NORMAL
    late = AttendanceDay.objects.get(employee=a2, day=D16)  # no type: before the midpoint = 上班
    assert (late.status, late.late_minutes) == (DayStatus.MISSED, 21)
    again = services.clock_import(actor=sup, rows=rows(GOOD))
    assert (again.created, again.unchanged) == (0, 3)
    assert ClockEvent.objects.count() == 3
    assert AuditEvent.objects.filter(action="attendance.import").count() == 2


@pytest.mark.django_db
def test_any_row_error_imports_nothing(org, roster, frozen) -> None:
    text = (
        "工号,时间,类型\n"
        "KF011,2026-03-16 08:25,上班\n"
        "KF999,2026-03-16 08:25,上班\n"
        "HR001,2026-03-16 08:25,上班\n"
        f"KF012,{TODAY} 11:00,上班\n"
        "KF012,2020-01-02 08:00,上班\n"
        "KF012,bad,上班\n"
    )
    result = services.clock_import(actor=org["supervisor"].user, rows=rows(text))
    assert [str(e) for e in result.errors] == [
        "第3行 工号：工号不存在或不在您的管理范围内（KF999）",
        "第4行 工号：工号不存在或不在您的管理范围内（HR001）",  # 行政人事部: not the supervisor's
        "第5行 时间：打卡时间不能晚于当前时间",
        "第6行 时间：打卡时间不在该员工的在职期间内",
        f"第7行 时间：{csvimport.TIME_ERROR}",
    ]
    assert not ClockEvent.objects.exists()
    assert result.summary == "发现 5 处错误，本次未导入任何数据"


@pytest.mark.django_db
def test_import_needs_the_right(org, roster, frozen) -> None:
    for who in ("agent_a1", "lead_a", "warehouse"):
        with pytest.raises(PermissionDeniedError):
            services.clock_import(actor=org[who].user, rows=rows(GOOD))
        with pytest.raises(PermissionDeniedError):
            services.clock_import_submit(actor=org[who].user, data=GOOD.encode())
    assert not ClockEvent.objects.exists() and not BackgroundJob.objects.exists()


@pytest.mark.django_db
def test_import_runs_as_a_background_job_with_its_result(org, roster, frozen) -> None:
    job = services.clock_import_submit(
        actor=org["supervisor"].user, data=GOOD.encode("gbk"), filename="3月.csv"
    )
    job.refresh_from_db()
    assert job.kind == JobKind.ATTENDANCE_IMPORT and job.status == JobStatus.SUCCEEDED
    assert job.result["created"] == 3 and job.result["errors"] == []
    assert job.progress_done == job.progress_total == 3


@pytest.mark.django_db
def test_job_page_shows_row_errors(org, roster, frozen, client_for) -> None:
    client = client_for(org["supervisor"].user)
    bad = "工号,时间\nKF999,2026-03-16 08:25\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/attendance/import/", {"file": SimpleUploadedFile("clock.csv", bad, "text/csv")}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "第2行" in page and "工号不存在或不在您的管理范围内（KF999）" in page
    # a file that cannot be read stays on the form with the message under the field
    response = client.post(
        "/attendance/import/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv")}
    )
    assert response.status_code == 422 and "没有找到表头" in response.content.decode()
    assert local(D16, 8).date() == D16
