"""Excel import and export of customers — 客户档案导入导出 (CRM-1, SEC-1)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from openpyxl import Workbook, load_workbook

from kefu.core.choices import JobKind, JobStatus
from kefu.core.models import AuditEvent, BackgroundJob
from kefu.customers import excel, services
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HEADERS = [c.label for c in excel.COLUMNS]
IMPORT_URL = "/customers/import/"
EXPORT_URL = "/customers/export/"


def xlsx(rows: list[list[Any]], *, headers: list[str] = HEADERS, title: bool = True) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "客户档案"
    if title:
        ws.append(["客户档案（导出时间 2025-01-01 09:00）"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(**cells: Any) -> list[Any]:
    assert set(cells) <= set(HEADERS), set(cells) - set(HEADERS)
    return [cells.get(h) for h in HEADERS]


def sheet_rows(content: bytes) -> tuple[Any, list[dict[str, Any]]]:
    ws = load_workbook(io.BytesIO(content)).active
    values = list(ws.iter_rows(values_only=True))
    header = list(values[1])
    return ws, [dict(zip(header, r, strict=True)) for r in values[2:]]


def upload(client: Any, content: bytes, name: str = "客户档案.xlsx") -> Any:
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


def imported(client: Any, content: bytes) -> tuple[dict[str, Any], str]:
    """Upload through the page and follow it to the job page (tasks run at once in tests)."""
    posted = upload(client, content)
    assert posted.status_code == 302, posted.content.decode()[:500]
    assert resolve(posted.url).url_name == "job_detail"
    page = client.get(posted.url)
    assert page.status_code == 200
    job = page.context["job"]
    assert job.kind == JobKind.CUSTOMER_IMPORT and job.status == JobStatus.SUCCEEDED
    assert bytes(BackgroundJob.objects.get(pk=job.pk).payload) == b""
    return job.result, page.content.decode()


def snapshot() -> list[Any]:
    return [
        list(Customer.objects.order_by("pk").values()),
        list(CustomerPhone.objects.order_by("pk").values_list("customer_id", "phone")),
    ]


# --- export -----------------------------------------------------------------------------------
def test_export_is_filtered_styled_and_audited(
    org: dict[str, Any], client_for: Any, supervisor: Any
) -> None:
    CustomerFactory(name="张三", region="上海", grade="key", phones=["13812345678", "02161234567"])
    CustomerFactory(name="李四", region="北京", phones=["13900001111"])
    response = client_for(supervisor).get(EXPORT_URL, {"region": "上海"})
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    ws, rows = sheet_rows(response.content)
    assert ws.title == "客户档案" and ws.freeze_panes == "A3"
    assert str(ws["A1"].value).startswith("客户档案（导出时间")
    assert len(rows) == 1
    (zhang,) = rows
    assert zhang["客户名称"] == "张三" and zhang["客户等级"] == "重点客户"
    # The supervisor may reveal personal data: the file carries whole numbers.
    assert zhang["电话"] == "13812345678、02161234567"
    assert isinstance(zhang["建档时间"], dt.datetime)
    event = AuditEvent.objects.get(action="customer.export")
    assert event.actor == supervisor
    assert event.after == {"count": 1, "filters": {"region": "上海"}}


def test_export_is_masked_for_those_who_may_not_reveal(
    org: dict[str, Any], client_for: Any, make_employee: Any
) -> None:
    CustomerFactory(name="张三", phones=["13812345678"])
    clerk = make_employee("agent").user  # an agent given the export right, not the reveal right
    clerk.user_permissions.add(Permission.objects.get(codename="export_customer"))
    _, rows = sheet_rows(client_for(clerk).get(EXPORT_URL).content)
    assert rows[0]["电话"] == "138****5678"


@pytest.mark.parametrize("who", ["agent_a1", "lead_a", "hr", "gm", "warehouse"])
def test_export_and_import_are_refused_without_the_right(
    org: dict[str, Any], client_for: Any, who: str
) -> None:
    CustomerFactory()
    client = client_for(org[who].user)
    before = snapshot()
    assert client.get(EXPORT_URL).status_code == 403
    assert client.get(IMPORT_URL).status_code == 403
    content = xlsx([row(客户名称="甲", 电话="13900001111")])
    assert upload(client, content).status_code == 403
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="customer.export").exists()
    assert not BackgroundJob.objects.exists()


# --- import -----------------------------------------------------------------------------------
def test_import_creates_customers_with_phones_and_grades(
    org: dict[str, Any], client_for: Any, supervisor: Any
) -> None:
    content = xlsx(
        [
            row(
                客户名称="上海某某贸易",
                客户类型="代理商",
                客户等级="大客户",
                地区="华东",
                电话="138-1234-5678、021 6123 4567",
                联系人="王先生",
            ),
            row(客户名称="李四", 电话=13900001111),  # a number typed as a number
        ]
    )
    result, page = imported(client_for(supervisor), content)
    assert result["errors"] == [] and (result["created"], result["updated"]) == (2, 0)
    assert "成功导入 2 条" in page and "/customers/" in page
    trade = Customer.objects.get(name="上海某某贸易")
    assert (trade.customer_type, trade.grade, trade.region) == ("distributor", "major", "华东")
    assert set(trade.phones.values_list("phone", flat=True)) == {"13812345678", "02161234567"}
    li = Customer.objects.get(name="李四")
    assert li.grade == "normal" and li.customer_type == "consumer"
    assert list(li.phones.values_list("phone", flat=True)) == ["13900001111"]
    # Each customer is audited as if entered by hand, and the import once.
    assert AuditEvent.objects.filter(action="customer.create").count() == 2
    assert AuditEvent.objects.get(action="customer.import").after["created"] == 2


def test_any_error_imports_nothing_and_lists_every_row(
    org: dict[str, Any], client_for: Any, supervisor: Any
) -> None:
    owner = CustomerFactory(name="张三", phones=["13812345678"])
    content = xlsx(
        [
            row(客户名称="好的一行", 电话="13700000001"),
            row(客户名称="重复老客户", 电话="+86 138 1234 5678"),
            row(客户名称="", 电话="13700000002"),
            row(客户名称="坏电话", 电话="12345"),
            row(客户名称="坏等级", 电话="13700000003", 客户等级="金牌"),
            row(客户名称="文件内重复", 电话="13700000001"),
            row(客户编号="C999999", 客户名称="不存在的编号", 电话="13700000004"),
            row(客户名称="坏类型", 电话="13700000005", 客户类型="个人"),
            row(客户名称="没有电话"),
        ]
    )
    before = snapshot()
    result, page = imported(client_for(supervisor), content)
    assert snapshot() == before
    by_line = {(e["row"], e["field"]): e["message"] for e in result["errors"]}
    assert owner.code in by_line[(4, "电话")]
    assert by_line[(5, "客户名称")] == "请填写客户名称"
    assert "电话格式不正确" in by_line[(6, "电话")]
    assert (7, "客户等级") in by_line
    assert by_line[(8, "电话")] == "电话 13700000001 与第3行重复"
    assert "不存在" in by_line[(9, "客户编号")]
    assert (10, "客户类型") in by_line
    assert by_line[(11, "电话")] == "请至少填写一个电话"
    assert "本次未导入任何数据" in page and 'data-testid="import-errors"' in page


def test_round_trip_export_edit_import(
    org: dict[str, Any], client_for: Any, supervisor: Any
) -> None:
    zhang = CustomerFactory(name="张三", region="上海", phones=["13812345678"])
    li = CustomerFactory(name="李四", region="北京", phones=["13900001111"])
    client = client_for(supervisor)
    exported = client.get(EXPORT_URL).content

    # Imported unchanged: nothing is written.
    before = snapshot()
    result, _ = imported(client, exported)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)
    assert snapshot() == before

    # Edited in Excel: a region changed, a number added, a new customer appended.
    wb = load_workbook(io.BytesIO(exported))
    ws = wb.active
    header = [c.value for c in ws[2]]
    for cells in ws.iter_rows(min_row=3):
        values = dict(zip(header, cells, strict=True))
        if values["客户编号"].value == zhang.code:
            values["地区"].value = "上海市浦东新区"
            values["电话"].value = "13812345678、13812340000"
    ws.append(row(客户名称="王五", 电话="13700001111", 客户等级="重点客户"))
    buffer = io.BytesIO()
    wb.save(buffer)
    result, _ = imported(client, buffer.getvalue())
    assert result["errors"] == []
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    zhang.refresh_from_db()
    assert zhang.region == "上海市浦东新区"
    assert set(zhang.phones.values_list("phone", flat=True)) == {"13812345678", "13812340000"}
    assert Customer.objects.get(name="王五").grade == "key"
    li.refresh_from_db()
    assert li.region == "北京"


def test_masked_numbers_of_an_export_leave_phones_alone(
    org: dict[str, Any], client_for: Any, supervisor: Any
) -> None:
    customer = CustomerFactory(name="张三", phones=["13812345678"])
    content = xlsx([row(客户编号=customer.code, 客户名称="张三", 电话="138****5678", 地区="上海")])
    result, _ = imported(client_for(supervisor), content)
    assert result["errors"] == [] and result["unchanged"] == 1
    assert list(customer.phones.values_list("phone", flat=True)) == ["13812345678"]
    new_masked = xlsx([row(客户名称="新客户", 电话="139****1111")])
    result, _ = imported(client_for(supervisor), new_masked)
    assert result["errors"][0]["message"] == "新客户须填写完整电话（不能含*）"


def test_a_file_that_is_not_usable_is_refused_under_the_field(
    org: dict[str, Any], client_for: Any, supervisor: Any, monkeypatch: Any
) -> None:
    client = client_for(supervisor)
    body = upload(client, b"not a workbook").content.decode()
    assert "文件不是有效的 Excel" in body
    body = upload(client, xlsx([row(客户名称="甲")], headers=["甲", "乙"])).content.decode()
    assert "未找到表头行" in body
    body = upload(client, b"x", name="客户.xls").content.decode()
    assert "请上传 .xlsx 格式" in body
    monkeypatch.setattr(excel.layout, "MAX_ROWS", 1)
    two = xlsx([row(客户名称="甲", 电话="13700000001"), row(客户名称="乙", 电话="13700000002")])
    assert "一次最多导入 1 行" in upload(client, two).content.decode()
    assert not BackgroundJob.objects.exists() and not Customer.objects.exists()


def test_import_service_refuses_a_role_without_the_right(org: dict[str, Any], agent: Any) -> None:
    rows = excel.read_rows(xlsx([row(客户名称="甲", 电话="13700000001")]))
    with pytest.raises(services.PermissionDeniedError):
        services.customers_import(actor=agent, rows=rows)
    assert not Customer.objects.exists()


def test_export_query_count_is_bounded(
    org: dict[str, Any], client_for: Any, supervisor: Any, django_assert_max_num_queries: Any
) -> None:
    CustomerFactory.create_batch(60, phones=None)
    client = client_for(supervisor)
    client.get(EXPORT_URL)
    # Session, user, permissions, two policies, the customers, their phones and the audited
    # export (lock, chain head, actor's name, insert, and on PostgreSQL two savepoints).
    with django_assert_max_num_queries(20):
        response = client.get(EXPORT_URL)
    assert len(sheet_rows(response.content)[1]) == 60
