"""Excel import and export of employees — 员工档案导入导出 (ORG-3)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from openpyxl import Workbook, load_workbook

from kefu.core.choices import JobKind, JobStatus
from kefu.core.jobs import job_create
from kefu.core.models import AuditEvent, BackgroundJob, Notification
from kefu.org import excel, services
from kefu.org.choices import EmployeeStatus, Level, Role
from kefu.org.models import Employee
from kefu.org.tasks import employees_import_task
from kefu.org.tests.factories import EmployeeFactory, PositionFactory, TeamFactory

pytestmark = pytest.mark.django_db

HEADERS = [c.label for c in excel.COLUMNS]
IMPORT_URL = "/org/employees/import/"
EXPORT_URL = "/org/employees/export/"


def xlsx(rows: list[list[Any]], *, headers: list[str] = HEADERS, title: bool = False) -> bytes:
    """A workbook as a person would type it: optional title row, header row, data rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "员工档案"
    if title:
        ws.append(["员工档案（导出时间 2025-01-01 09:00）"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(**cells: Any) -> list[Any]:
    """One data row in HEADERS order from label=value pairs (unknown labels are a test bug)."""
    assert set(cells) <= set(HEADERS), set(cells) - set(HEADERS)
    return [cells.get(h) for h in HEADERS]


def new_row(no: str, name: str, **cells: Any) -> list[Any]:
    base = {
        "工号": no,
        "姓名": name,
        "手机号": "13900000000",
        "入职日期": dt.date(2025, 3, 1),
        "部门编码": "CS",
        "职位": "客服代表",
    }
    base.update(cells)
    return row(**base)


def exported_row(actor: Any, no: str, **changes: Any) -> list[Any]:
    """The row of employee ``no`` as the export writes it, with some cells changed."""
    _, rows = sheet_rows(excel.export_employees(actor=actor, filters={"q": no}).content)
    found = next(r for r in rows if r["工号"] == no)
    assert set(changes) <= set(HEADERS)
    found.update(changes)
    return [found[h] for h in HEADERS]


def upload(client: Any, content: bytes, name: str = "员工档案.xlsx") -> Any:
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


def imported(client: Any, content: bytes) -> tuple[dict[str, Any], str]:
    """Upload through the page and follow it to the job page; returns (job result, page HTML).

    Tests run tasks with the ImmediateBackend, so the job has finished by the time the upload
    redirects; its page shows the result exactly as a user returning to it later would see it.
    """
    posted = upload(client, content)
    assert posted.status_code == 302, posted.content.decode()[:500]
    assert resolve(posted.url).url_name == "job_detail"
    page = client.get(posted.url)
    assert page.status_code == 200
    job = page.context["job"]
    assert job.kind == JobKind.EMPLOYEE_IMPORT and job.status == JobStatus.SUCCEEDED
    assert job.result is not None
    # The uploaded file (personal data) is not kept once the job has ended.
    assert bytes(BackgroundJob.objects.get(pk=job.pk).payload) == b""
    return job.result, page.content.decode()


def snapshot() -> list[tuple[Any, ...]]:
    """Everything an import could change, to prove that nothing did."""
    people = list(
        Employee.objects.order_by("employee_no").values_list(
            "employee_no",
            "name",
            "phone",
            "id_number",
            "hire_date",
            "department_id",
            "team_id",
            "superior_id",
            "position_id",
            "speciality",
            "base_points",
            "monthly_bonus",
            "status",
            "left_on",
        )
    )
    memberships = list(
        Employee.objects.order_by("employee_no", "user__groups__name").values_list(
            "employee_no", "user__groups__name"
        )
    )
    return people + memberships


def sheet_rows(content: bytes) -> tuple[Any, list[dict[str, Any]]]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb["员工档案"]
    values = list(ws.iter_rows(values_only=True))
    header = list(values[1])
    return ws, [dict(zip(header, r, strict=True)) for r in values[2:]]


# --- export -----------------------------------------------------------------------------------
def test_export_layout_and_audit(client_for, hr, org):
    manager_user = org["manager"].user
    manager_user.groups.add(Group.objects.get(name=Role.SUPERVISOR.label))
    org["agent_a1"].speciality = "presales"
    org["agent_a1"].save()

    response = client_for(hr).get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    ws, rows = sheet_rows(response.content)
    assert ws["A1"].value.startswith("员工档案（导出时间 ")
    assert "A1:P1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == HEADERS
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["D"].width > ws.column_dimensions["B"].width
    by_no = {r["工号"]: r for r in rows}
    assert set(by_no) == set(Employee.objects.values_list("employee_no", flat=True))
    a1 = by_no["KF011"]
    # HR may reveal personal data: the file carries the whole values.
    assert a1["手机号"] == "13812345678"
    assert a1["身份证号"] == "110101199003071234"
    assert a1["入职日期"] == dt.datetime(2024, 1, 2)
    assert ws.cell(row=3, column=5).is_date
    assert isinstance(a1["基点数"], int | float) and a1["基点数"] == 1
    assert isinstance(a1["月绩效奖金"], int | float) and a1["月绩效奖金"] == 1000
    assert a1["部门编码"] == "CS" and a1["部门"] == "客服部" and a1["班组"] == "售前组"
    assert a1["直接上级工号"] == "KF010" and a1["职位"] == "客服代表"
    assert a1["专长"] == "售前" and a1["角色"] == "客服代表" and a1["状态"] == "在职"
    assert by_no["KF001"]["角色"] == "客服主管、客服部经理"
    event = AuditEvent.objects.get(action="employee.export")
    assert event.actor_id == hr.pk
    assert event.after == {"count": len(rows), "filters": {}}


def test_export_keeps_list_filters(client_for, hr, org):
    response = client_for(hr).get(EXPORT_URL, {"department": org["cs_sub"].pk, "status": "active"})

    _, rows = sheet_rows(response.content)
    assert [r["工号"] for r in rows] == ["AS001"]
    event = AuditEvent.objects.get(action="employee.export")
    assert event.after == {
        "count": 1,
        "filters": {"department_id": org["cs_sub"].pk, "status": "active"},
    }


def test_export_for_supervisor_is_their_department_only(supervisor, org):
    exported = excel.export_employees(actor=supervisor, filters={})

    _, rows = sheet_rows(exported.content)
    expected = set(
        Employee.objects.filter(department__in=[org["cs"], org["cs_sub"]]).values_list(
            "employee_no", flat=True
        )
    )
    assert {r["工号"] for r in rows} == expected
    assert "HR001" not in expected and "G001" not in expected
    assert exported.count == len(expected)


def test_export_for_agent_masks_personal_data(agent, org):
    exported = excel.export_employees(actor=agent, filters={})

    _, rows = sheet_rows(exported.content)
    assert [r["工号"] for r in rows] == ["KF011"]
    assert rows[0]["手机号"] == "138****5678"
    assert rows[0]["身份证号"] == "110***********1234"


@pytest.mark.parametrize("extra", [2, 40])
def test_export_query_count_is_bounded(client_for, hr, org, django_assert_max_num_queries, extra):
    for i in range(extra):
        EmployeeFactory(
            department=org["cs"],
            team=org["team_a"],
            superior=org["lead_a"],
            position=org["agent_position"],
            roles=[Role.AGENT, Role.TEAM_LEAD] if i % 2 else [Role.AGENT],
        )
    client = client_for(hr)
    with django_assert_max_num_queries(20):
        response = client.get(EXPORT_URL)
    _, rows = sheet_rows(response.content)
    assert len(rows) == Employee.objects.count()


# --- round trip -------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["hr", "agent"])
def test_exported_file_reimports_without_changes(client_for, hr, org, who):
    # The agent's export is masked: the masked values must be read as "unchanged".
    actor = hr if who == "hr" else org["agent_a1"].user
    org["agent_b1"].speciality = "complaints"
    org["agent_b1"].save()
    content = excel.export_employees(actor=actor, filters={}).content
    before = snapshot()
    events_before = AuditEvent.objects.filter(action__startswith="employee.").count()

    result, body = imported(client_for(hr), content)

    assert result["errors"] == []
    assert (result["created"], result["updated"]) == (0, 0)
    assert result["unchanged"] > 0
    assert "成功导入 0 条，更新 0 条" in body
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action__in=["employee.create", "employee.update"]).exists()
    assert AuditEvent.objects.filter(action__startswith="employee.").count() == events_before + 1


def test_round_trip_with_a_left_employee(client_for, hr, org):
    services.employee_leave(actor=hr, employee=org["agent_a2"], left_on=dt.date(2025, 2, 1))
    content = excel.export_employees(actor=hr, filters={}).content
    _, rows = sheet_rows(content)
    assert {r["工号"]: r["离职日期"] for r in rows}["KF012"] == dt.datetime(2025, 2, 1)
    before = snapshot()

    result, _ = imported(client_for(hr), content)

    assert result["errors"] == [] and (result["created"], result["updated"]) == (0, 0)
    assert snapshot() == before


# --- import: creating and updating ------------------------------------------------------------
def test_import_creates_employees_with_roles_and_superiors(client_for, hr, org):
    # N001 reports to N002, which appears later in the file: superiors are created first.
    content = xlsx(
        [
            new_row(
                "N001",
                "新人一",
                班组="售后组",
                直接上级工号="N002",
                角色="客服代表、组长",
                专长="售后",
                基点数=1.5,
                月绩效奖金=1200,
            ),
            new_row(
                "N002",
                "新组长",
                部门编码=None,
                部门="客服部",
                职位="组长",
                直接上级工号="KF002",
                角色="组长",
            ),
            new_row("N003", "新人三", 直接上级工号="N001", 手机号=13911112222, 入职日期="2025/3/5"),
            # An existing employee moved under a person created by this same file.
            exported_row(hr, "KF012", 直接上级工号="N002"),
        ]
    )
    result, body = imported(client_for(hr), content)

    assert result["errors"] == []
    assert (result["created"], result["updated"]) == (3, 1)
    assert "成功导入 3 条，更新 1 条" in body
    n1, n2, n3 = (Employee.objects.get(employee_no=no) for no in ("N001", "N002", "N003"))
    assert n2.superior == org["supervisor"]
    assert n1.superior == n2 and n3.superior == n1
    assert Employee.objects.get(employee_no="KF012").superior == n2
    assert n1.team == org["team_b"] and n1.department == org["cs"]
    assert n2.department == org["cs"] and n2.position.name == "组长"
    assert n1.speciality == "aftersales"
    assert n1.base_points == Decimal("1.5") and n1.monthly_bonus == Decimal("1200")
    assert n3.phone == "13911112222" and n3.hire_date == dt.date(2025, 3, 5)
    assert n3.base_points == Decimal("1") and n3.monthly_bonus == Decimal("0")
    assert sorted(n1.user.groups.values_list("name", flat=True)) == ["客服代表", "组长"]
    assert list(n2.user.groups.values_list("name", flat=True)) == ["组长"]
    assert list(n3.user.groups.values_list("name", flat=True)) == ["客服代表"]
    assert n1.user.username == "N001" and not n1.user.has_usable_password()
    assert AuditEvent.objects.filter(action="employee.create").count() == 3
    summary = AuditEvent.objects.get(action="employee.import")
    assert summary.after == {"rows": 4, "created": 3, "updated": 1, "unchanged": 0}


def test_import_updates_only_changed_fields(client_for, hr, org):
    content = xlsx(
        [exported_row(hr, "KF011", 月绩效奖金=1500, 班组="售后组", 直接上级工号="KF020")]
    )

    result, _ = imported(client_for(hr), content)

    assert result["errors"] == [] and (result["created"], result["updated"]) == (0, 1)
    a1 = Employee.objects.get(employee_no="KF011")
    assert a1.monthly_bonus == Decimal("1500")
    assert a1.team == org["team_b"] and a1.superior == org["lead_b"]
    assert a1.name == "客服甲一" and a1.phone == "13812345678"
    event = AuditEvent.objects.get(action="employee.update")
    changed = {k for k in event.after if event.after[k] != event.before[k]}
    assert changed == {"monthly_bonus", "team", "superior"}


def test_import_with_partial_columns_leaves_other_fields(client_for, hr, org):
    content = xlsx([["KF012", 800]], headers=["工号", "月绩效奖金"])

    result, _ = imported(client_for(hr), content)

    assert result["errors"] == [] and result["updated"] == 1
    a2 = Employee.objects.get(employee_no="KF012")
    assert a2.monthly_bonus == Decimal("800")
    assert a2.name == "客服甲二" and a2.team == org["team_a"]
    assert list(a2.user.groups.values_list("name", flat=True)) == ["客服代表"]


def test_import_changes_roles_of_existing_employee(client_for, hr, org):
    content = xlsx([["KF011", "组长、客服代表"]], headers=["工号", "角色"])

    result, _ = imported(client_for(hr), content)

    assert result["errors"] == [] and result["updated"] == 1
    labels = sorted(org["agent_a1"].user.groups.values_list("name", flat=True))
    assert labels == ["客服代表", "组长"]


def test_masked_personal_data_is_never_stored(client_for, hr, org):
    headers = ["工号", "姓名", "手机号", "身份证号", "入职日期", "部门编码", "职位"]
    content = xlsx(
        [
            [
                "KF011",
                "客服甲一（改）",
                "138****5678",
                "110***********1234",
                dt.date(2024, 1, 2),
                "CS",
                "客服代表",
            ],
            [
                "N010",
                "新人",
                "139****0000",
                "110***********9999",
                dt.date(2025, 3, 1),
                "CS",
                "客服代表",
            ],
        ],
        headers=headers,
    )

    result, _ = imported(client_for(hr), content)

    assert result["errors"] == []
    assert (result["created"], result["updated"]) == (1, 1)
    a1 = Employee.objects.get(employee_no="KF011")
    assert a1.name == "客服甲一（改）"
    assert a1.phone == "13812345678" and a1.id_number == "110101199003071234"
    new = Employee.objects.get(employee_no="N010")
    assert new.phone == "" and new.id_number == ""
    assert not Employee.objects.filter(phone__contains="*").exists()
    assert not Employee.objects.filter(id_number__contains="*").exists()


def test_new_employee_recorded_as_left(client_for, hr, org):
    content = xlsx([new_row("N020", "老员工", 状态="离职", 离职日期=dt.date(2025, 4, 1))])

    result, _ = imported(client_for(hr), content)

    assert result["errors"] == [] and result["created"] == 1
    gone = Employee.objects.get(employee_no="N020")
    assert gone.status == EmployeeStatus.LEFT and gone.left_on == dt.date(2025, 4, 1)
    assert not gone.user.is_active


# --- import: refusing -------------------------------------------------------------------------
def test_one_bad_row_imports_nothing(client_for, hr, org):
    before = snapshot()
    content = xlsx(
        [
            new_row("N001", "好人一"),
            exported_row(hr, "KF011", 月绩效奖金=9999),
            new_row("N002", "坏手机", 手机号="12345"),
            new_row("N003", "好人三"),
        ],
        title=True,
    )

    result, body = imported(client_for(hr), content)

    # Row errors are a normal outcome of the job: it succeeds and lists them.
    # Title row 1, header row 2: the bad row is the 5th row of the sheet.
    assert result["errors"] == [
        {"row": 5, "field": "手机号", "message": "格式不正确（11位手机号或区号-座机号）"}
    ]
    assert (result["created"], result["updated"]) == (0, 0)
    assert 'data-testid="import-errors"' in body
    assert "<td>第5行</td><td>手机号</td><td>格式不正确（11位手机号或区号-座机号）</td>" in body
    assert "发现 1 处错误，本次未导入任何数据" in body
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action__startswith="employee.").exists()
    notice = Notification.objects.get(recipient=hr)
    assert notice.body == "发现 1 处错误，本次未导入任何数据"


def test_every_bad_row_is_reported(hr, org):
    rows = excel.read_rows(
        xlsx(
            [
                new_row("N001", "", 入职日期="明天"),
                new_row("N002", "甲", 部门编码="NOPE", 角色="超级管理员"),
                new_row("N001", "重复"),
                new_row("N003", "乙", 班组="不存在组", 直接上级工号="X999", 职位="宇航员"),
                new_row("N004", "丙", 基点数="很多", 身份证号="123"),
                exported_row(hr, "KF011", 状态="离职", 离职日期=dt.date(2025, 1, 1)),
            ]
        )
    )

    result = services.employees_import(actor=hr, rows=rows)

    found = {(e.line, e.field) for e in result.errors}
    assert found == {
        (2, "姓名"),
        (2, "入职日期"),
        (3, "部门"),
        (3, "角色"),
        (4, "工号"),
        (5, "班组"),
        (5, "直接上级工号"),
        (5, "职位"),
        (6, "基点数"),
        (6, "身份证号"),
        (7, "状态"),
    }
    messages = {str(e) for e in result.errors}
    assert "第4行 工号：与第2行重复" in messages
    assert "第3行 部门：部门编码“NOPE”不存在" in messages
    assert "第3行 角色：未知角色：超级管理员" in messages
    assert not Employee.objects.filter(employee_no__startswith="N").exists()


def test_superiors_in_a_cycle_are_refused(hr, org):
    rows = excel.read_rows(
        xlsx(
            [new_row("N001", "甲", 直接上级工号="N002"), new_row("N002", "乙", 直接上级工号="N001")]
        )
    )

    result = services.employees_import(actor=hr, rows=rows)

    assert {(e.line, e.field) for e in result.errors} == {(2, "直接上级工号"), (3, "直接上级工号")}
    assert not Employee.objects.filter(employee_no__in=["N001", "N002"]).exists()


def test_subordinates_of_a_failed_row_are_named(hr, org):
    rows = excel.read_rows(
        xlsx(
            [
                new_row("N003", "丙", 直接上级工号="N002"),
                new_row("N002", "乙", 直接上级工号="N001"),
                new_row("N001", "甲", 职位="不存在的职位"),
                exported_row(hr, "KF011", 直接上级工号="N001"),
            ]
        )
    )

    result = services.employees_import(actor=hr, rows=rows)

    assert [str(e) for e in result.errors] == [
        "第2行 直接上级工号：直接上级（第3行）有错误",
        "第3行 直接上级工号：直接上级（第4行）有错误",
        "第4行 职位：职位“不存在的职位”不存在",
        "第5行 直接上级工号：直接上级（第4行）有错误",
    ]
    assert not Employee.objects.filter(employee_no__startswith="N").exists()
    assert Employee.objects.get(employee_no="KF011").superior == org["lead_a"]


def test_write_time_refusal_rolls_back_everything(hr, org):
    # A login with this username exists without an employee: only employee_create notices.
    get_user_model().objects.create(username="N002")
    rows = excel.read_rows(xlsx([new_row("N001", "甲"), new_row("N002", "乙")]))

    result = services.employees_import(actor=hr, rows=rows)

    assert [str(e) for e in result.errors] == ["第3行 工号：已存在"]
    assert not Employee.objects.filter(employee_no="N001").exists()
    assert not AuditEvent.objects.filter(action="employee.create").exists()


@pytest.mark.parametrize("who", ["agent_a1", "supervisor", "manager"])
def test_roles_without_import_permission_are_refused(client_for, org, who):
    client = client_for(org[who].user)
    content = xlsx([new_row("N001", "甲"), exported_row(org["hr"].user, "KF011", 月绩效奖金=1)])
    before = snapshot()
    last_event = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    page = client.get(IMPORT_URL)
    posted = upload(client, content)

    for response in (page, posted):
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()
    assert snapshot() == before
    assert not BackgroundJob.objects.exists()
    assert not AuditEvent.objects.filter(seq__gt=last_event).exists()
    with pytest.raises(services.PermissionDeniedError):
        services.employees_import_submit(actor=org[who].user, data=content)
    assert not BackgroundJob.objects.exists()
    with pytest.raises(services.PermissionDeniedError):
        services.employees_import(actor=org[who].user, rows=excel.read_rows(content))
    assert snapshot() == before


def test_sysadmin_may_import(client_for, sysadmin, org):
    client = client_for(sysadmin)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert "导入员工档案" in page.content.decode() and 'type="file"' in page.content.decode()

    result, _ = imported(client, xlsx([new_row("N001", "甲")]))

    assert result["errors"] == [] and Employee.objects.filter(employee_no="N001").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"this is not a spreadsheet", "员工档案.xlsx", "不是有效的 Excel"),
        (b"PK\x03\x04" + b"\x00" * 200, "员工档案.xlsx", "文件已损坏"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "员工档案.xlsx", "旧版 .xls"),
        (b"a,b,c", "员工档案.csv", "请上传 .xlsx"),
    ],
)
def test_unreadable_file_is_a_chinese_error(client_for, hr, org, content, name, message):
    before = snapshot()

    response = upload(client_for(hr), content, name)

    # Refused at once, under the field: no job is created for a file that cannot be read.
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "has-error" in response.content.decode()
    assert not BackgroundJob.objects.exists()
    assert snapshot() == before


def test_file_without_header_row(client_for, hr, org):
    content = xlsx([["KF011", "x"]], headers=["编号", "名字"])

    response = upload(client_for(hr), content)

    assert response.status_code == 200
    assert "未找到表头行" in response.content.decode()
    assert not BackgroundJob.objects.exists()


def test_file_size_and_row_limits(client_for, hr, org, monkeypatch):
    content = xlsx([new_row("N001", "甲"), new_row("N002", "乙"), new_row("N003", "丙")])
    monkeypatch.setattr(excel.layout, "MAX_ROWS", 2)

    response = upload(client_for(hr), content)

    assert "一次最多导入 2 行" in response.content.decode()
    monkeypatch.setattr(excel.layout, "MAX_ROWS", 2000)
    monkeypatch.setattr(excel.layout, "MAX_FILE_BYTES", 1024)
    response = upload(client_for(hr), content)
    assert "文件过大" in response.content.decode()
    assert not Employee.objects.filter(employee_no__startswith="N").exists()
    assert not BackgroundJob.objects.exists()


# --- list page buttons ------------------------------------------------------------------------
def test_list_page_shows_excel_buttons_only_with_permission(client_for, hr, supervisor, org):
    body = client_for(hr).get("/org/employees/", {"status": "active"}).content.decode()
    assert reverse("org:employee_import") in body
    assert f"{reverse('org:employee_export')}?status=active" in body

    body = client_for(supervisor).get("/org/employees/").content.decode()
    assert reverse("org:employee_import") not in body
    assert reverse("org:employee_export") in body  # export follows view rights, scoped and masked


def test_supervisor_exports_their_department_through_the_page(client_for, supervisor, org):
    response = client_for(supervisor).get(EXPORT_URL)
    assert response.status_code == 200
    _, rows = sheet_rows(response.content)
    exported_nos = {row["工号"] for row in rows}
    assert "KF011" in exported_nos and "AS001" in exported_nos
    assert "HR001" not in exported_nos and "G001" not in exported_nos
    event = AuditEvent.objects.get(action="employee.export")
    assert event.actor_id == supervisor.pk
    assert event.after["count"] == len(rows)


def test_user_without_any_role_cannot_export(client_for, org):
    from kefu.org.tests.factories import UserFactory

    outsider = UserFactory(username="nobody")
    before = AuditEvent.objects.count()
    response = client_for(outsider).get(EXPORT_URL)
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_import_resolves_position_and_team_by_name(hr, org):
    PositionFactory(name="质检员", level=Level.AGENT)
    TeamFactory(department=org["cs"], name="质检组")
    rows = excel.read_rows(xlsx([new_row("N001", "甲", 职位="质检员", 班组="质检组")]))

    result = services.employees_import(actor=hr, rows=rows)

    assert result.ok
    employee = Employee.objects.get(employee_no="N001")
    assert employee.position.name == "质检员" and employee.team.name == "质检组"


# --- import as a background job ---------------------------------------------------------------
def test_import_reports_progress_every_twenty_writes(hr, org):
    rows = excel.read_rows(
        xlsx(
            [new_row(f"N{i:03d}", f"新人{i}") for i in range(44)]
            + [new_row("N999", "老员工", 状态="离职", 离职日期=dt.date(2025, 4, 1))]
        )
    )
    calls: list[tuple[int, int]] = []

    result = services.employees_import(
        actor=hr, rows=rows, progress=lambda done, total: calls.append((done, total))
    )

    assert result.ok and result.created == 45
    # 45 creations and one recorded departure: 46 writes.
    assert calls == [(0, 46), (20, 46), (40, 46), (46, 46)]


def test_rows_with_errors_report_no_progress(hr, org):
    rows = excel.read_rows(xlsx([new_row("N001", "甲", 手机号="12345")]))
    calls: list[tuple[int, int]] = []

    result = services.employees_import(actor=hr, rows=rows, progress=lambda *a: calls.append(a))

    assert not result.ok and calls == []


def test_import_job_page_and_notification(client_for, hr, org):
    client = client_for(hr)
    content = xlsx([new_row(f"N{i:03d}", f"新人{i}") for i in range(25)])

    posted = upload(client, content, "三月入职.xlsx")

    job = BackgroundJob.objects.get()
    assert posted.url == f"/jobs/{job.pk}/"
    assert job.created_by == hr and job.description == "三月入职.xlsx"
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (25, 25)
    assert job.result == {"created": 25, "updated": 0, "unchanged": 0, "errors": []}
    assert Employee.objects.filter(employee_no__startswith="N").count() == 25
    notice = Notification.objects.get(recipient=hr)
    assert notice.title == "导入员工档案：已完成"
    assert notice.body == "成功导入 25 条，更新 0 条"
    assert notice.link == f"/jobs/{job.pk}/"
    # The notification leads back to the same result.
    page = client.get(notice.link)
    body = page.content.decode()
    assert "导入员工档案" in body and "三月入职.xlsx" in body
    assert "成功导入 25 条，更新 0 条" in body
    assert 'hx-trigger="every 1s"' not in body
    event = AuditEvent.objects.get(action="job.create")
    assert event.actor_id == hr.pk and event.after["kind"] == "org.employee_import"
    assert event.after["payload_bytes"] == len(content)


def test_job_fails_when_the_creator_lost_the_permission(client_for, hr, org):
    content = xlsx([new_row("N001", "甲")])
    # Submitted while allowed (created directly: with the ImmediateBackend, submitting would run
    # it at once), then run after the role was taken away.
    job = job_create(actor=hr, kind=JobKind.EMPLOYEE_IMPORT, payload=content)
    hr.groups.clear()

    employees_import_task.enqueue(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "您已没有导入员工档案的权限，本次未导入任何数据"
    assert not Employee.objects.filter(employee_no="N001").exists()
    notice = Notification.objects.get(recipient=hr)
    assert notice.title == "导入员工档案：失败" and notice.body == job.error
    body = client_for(hr).get(f"/jobs/{job.pk}/").content.decode()
    assert "您已没有导入员工档案的权限" in body
