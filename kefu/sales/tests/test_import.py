"""Order-export import (PERF-1): validation in Chinese, all-or-nothing, idempotent, as a job."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kefu.core.choices import JobKind, JobStatus
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import BackgroundJob
from kefu.performance.models import MonthClose
from kefu.sales import orderfile, services
from kefu.sales.choices import LineSource
from kefu.sales.models import SalesLine

pytestmark = pytest.mark.django_db
D = Decimal

GOOD = (
    "订单号,商品,数量,单价,金额,买家,付款时间,备注\n"
    "O1001,净水器A,1,1999.00,,张三,2026-06-02 10:15,KF011 已核对\n"
    "O1001,滤芯,2,99.50,,张三,2026-06-02 10:15,KF011\n"
    "O1002,净水器B,1,,2588,李四,2026/6/3 9:00,客服KF021跟进\n"
)


def rows(text: str) -> list[Any]:
    return orderfile.read_rows(text.encode())


def test_read_and_import_creates_lines(org: dict[str, Any]) -> None:
    result = services.sales_import(actor=org["supervisor"].user, rows=rows(GOOD))
    assert result.errors == [] and (result.created, result.unchanged) == (3, 0)
    filter_ = SalesLine.objects.order_by("order_no", "item")
    got = [
        (x.order_no, x.item, x.agent.employee_no, x.day, x.quantity, x.unit_price, x.amount)
        for x in filter_
    ]
    assert got == [
        ("O1001", "净水器A", "KF011", dt.date(2026, 6, 2), 1, D("1999.00"), D("1999.00")),
        ("O1001", "滤芯", "KF011", dt.date(2026, 6, 2), 2, D("99.50"), D("199.00")),
        ("O1002", "净水器B", "KF021", dt.date(2026, 6, 3), 1, D("2588.00"), D("2588.00")),
    ]
    assert {x.source for x in filter_} == {LineSource.IMPORT}
    assert SalesLine.objects.get(item="滤芯").customer_name == "张三"


def test_reimport_adds_nothing(org: dict[str, Any]) -> None:
    services.sales_import(actor=org["supervisor"].user, rows=rows(GOOD))
    again = services.sales_import(actor=org["supervisor"].user, rows=rows(GOOD))
    assert (again.created, again.unchanged) == (0, 3)
    assert SalesLine.objects.count() == 3


def test_gbk_and_xlsx(org: dict[str, Any]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["订单号", "商品", "数量", "金额", "付款时间", "备注"])
    ws.append(["X1", "净水器", 2, 3000, dt.datetime(2026, 6, 5, 9, 0), "KF012"])
    buf = io.BytesIO()
    wb.save(buf)
    parsed = orderfile.read_rows(buf.getvalue())
    services.sales_import(actor=org["supervisor"].user, rows=parsed)
    services.sales_import(
        actor=org["supervisor"].user, rows=orderfile.read_rows(GOOD.encode("gbk"))
    )
    x = SalesLine.objects.get(order_no="X1")
    assert (x.quantity, x.unit_price, x.amount, x.agent.employee_no) == (
        2,
        D("1500.00"),
        D("3000.00"),
        "KF012",
    )
    assert SalesLine.objects.count() == 4


def test_row_errors_in_chinese_and_nothing_written(org: dict[str, Any]) -> None:
    text = (
        "订单号,商品,数量,单价,金额,买家,付款时间,备注\n"
        "O1,净水器,1,100,,甲,2026-06-02 10:00,KF011\n"
        "O2,净水器,0,100,,甲,2026-06-02 10:00,KF011\n"
        "O3,净水器,1,abc,,甲,2026-06-02 10:00,KF011\n"
        "O4,净水器,1,100,,甲,2026-06-02 10:00,无工号\n"
        "O5,净水器,1,100,,甲,2026-06-02 10:00,KF011 KF012\n"
        "O6,净水器,1,100,,甲,2099-06-02 10:00,KF011\n"
        "O1,净水器,1,100,,甲,2026-06-02 10:00,KF011\n"
        "O7,净水器,1,100,,甲,昨天,KF011\n"
        "O8,净水器,1,100,,甲,2026-06-02,HR001\n"
        "O9,净水器,1,,,甲,2026-06-02,KF011\n"
    )
    result = services.sales_import(actor=org["supervisor"].user, rows=rows(text))
    assert [str(e) for e in result.errors] == [
        "第3行 数量：数量必须是正整数",
        "第4行 单价：必须是数字",
        "第5行 备注：备注中没有找到工号，或该工号不在您的管理范围内",
        "第6行 备注：备注中有多个工号（KF011、KF012），无法确定客服",
        "第7行 付款时间：付款时间不能晚于今天",
        "第8行 订单号：与第2行的订单号和商品重复",
        f"第9行 付款时间：{orderfile.TIME_ERROR}",
        "第10行 备注：备注中没有找到工号，或该工号不在您的管理范围内",  # 行政人事部: not in scope
        "第11行 金额：请填写单价或金额",
    ]
    assert result.summary == "发现 9 处错误，本次未导入任何数据"
    assert not SalesLine.objects.exists()


def test_locked_month_refused(org: dict[str, Any]) -> None:
    MonthClose.objects.create(month=dt.date(2026, 6, 1), status="closing")
    result = services.sales_import(actor=org["supervisor"].user, rows=rows(GOOD))
    assert str(result.errors[0]) == "第2行 付款时间：2026年06月已月结，不能再导入"
    assert not SalesLine.objects.exists()


def test_file_level_errors() -> None:
    with pytest.raises(DomainError, match="没有找到表头"):
        orderfile.read_rows(b"a,b\n1,2\n")
    with pytest.raises(DomainError, match="没有订单记录"):
        orderfile.read_rows("订单号,商品,数量,单价,付款时间,备注\n".encode())
    with pytest.raises(DomainError, match="旧版"):
        orderfile.read_rows(b"\xd0\xcf\x11\xe0" + b"0" * 20)


def test_import_needs_the_right(org: dict[str, Any]) -> None:
    for who in ("agent_a1", "lead_a", "warehouse", "hr"):
        with pytest.raises(PermissionDeniedError):
            services.sales_import(actor=org[who].user, rows=rows(GOOD))
        with pytest.raises(PermissionDeniedError):
            services.sales_import_submit(actor=org[who].user, data=GOOD.encode())
    assert not SalesLine.objects.exists() and not BackgroundJob.objects.exists()


def test_clerk_imports_for_the_department(org: dict[str, Any]) -> None:
    # the 订单员 of 售后服务组 imports for the people of that department (AS003 回访员)
    text = "订单号,商品,数量,单价,付款时间,备注\nR1,滤芯,3,99,2026-06-02,回访 AS003\n"
    result = services.sales_import(actor=org["clerk"].user, rows=rows(text))
    assert result.created == 1
    assert SalesLine.objects.get().agent == org["visitor"]
    refused = services.sales_import(actor=org["clerk"].user, rows=rows(GOOD))
    assert len(refused.errors) == 3  # 客服部 agents are outside the clerk's scope


def test_import_as_background_job(org: dict[str, Any], client_for: Any) -> None:
    job = services.sales_import_submit(
        actor=org["manager"].user, data=GOOD.encode(), filename="6月.csv"
    )
    job.refresh_from_db()
    assert job.kind == JobKind.SALES_IMPORT and job.status == JobStatus.SUCCEEDED
    assert job.result["created"] == 3 and job.result["errors"] == []
    assert set(SalesLine.objects.values_list("import_job", flat=True)) == {job.pk}


def test_import_page_and_job_result(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["supervisor"].user)
    bad = "订单号,商品,数量,单价,付款时间,备注\nO1,净水器,1,100,2026-06-02,KF999\n".encode()
    response = client.post(
        "/sales/reports/import/", {"file": SimpleUploadedFile("o.csv", bad, "text/csv")}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "第2行" in page and "备注中没有找到工号" in page
    response = client.post(
        "/sales/reports/import/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv")}
    )
    assert response.status_code == 422 and "没有找到表头" in response.content.decode()
    assert client_for(org["agent_a1"].user).get("/sales/reports/import/").status_code == 403
