"""The 员工档案 workbook layout: sheet title, columns, formats and upload limits."""

from kefu.core.xlsx import Column

from ..choices import Role

SHEET_TITLE = "员工档案"
# Technical limits of one upload (not business rules): they keep one request's memory and run
# time bounded. The import runs as a background job, and every new row goes through
# employee_create (about 4-7 ms each), so one file finishes in seconds; larger lists are split.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# The header row is looked for among the first rows only, so a stray "工号" deep in the data
# cannot be mistaken for it.
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 60
ROLE_SEPARATORS = ("、", ",", "，", ";", "；", "/", "\n")
_CHUNK = 500  # ids per IN (...) lookup, well under every backend's parameter limit

# Column kinds: text | date | number (kefu.core.xlsx) and this sheet's speciality | roles | status.


COLUMNS: tuple[Column, ...] = (
    Column("employee_no", "工号", 12),
    Column("name", "姓名", 10),
    Column("phone", "手机号", 15),
    Column("id_number", "身份证号", 21),
    Column("hire_date", "入职日期", 12, "date"),
    Column("department_code", "部门编码", 11),
    Column("department_name", "部门", 14),
    Column("team_name", "班组", 12),
    Column("superior_no", "直接上级工号", 13),
    Column("position_name", "职位", 12),
    Column("speciality", "专长", 14, "speciality"),
    Column("base_points", "基点数", 9, "number"),
    Column("monthly_bonus", "月绩效奖金", 12, "number"),
    Column("roles", "角色", 22, "roles"),
    Column("status", "状态", 8, "status"),
    Column("left_on", "离职日期", 12, "date"),
)
COLUMN_BY_LABEL = {c.label: c for c in COLUMNS}

# Where a service's DomainError field (or a column key) is shown: the column the user edits.
FIELD_LABELS: dict[str, str] = {
    **{c.key: c.label for c in COLUMNS},
    "department": "部门",
    "team": "班组",
    "superior": "直接上级工号",
    "position": "职位",
}
NUMBER_FORMATS = {"base_points": "0.00", "monthly_bonus": "#,##0.00"}
TEXT_COLUMNS = {"employee_no", "phone", "id_number", "department_code", "superior_no"}

# Role labels as the 角色 column writes them (the groups carry the same Chinese names).
ROLE_BY_LABEL = {role.label: role.value for role in Role}
