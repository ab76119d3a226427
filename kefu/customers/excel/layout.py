"""The 客户档案 workbook layout: sheet title, columns, formats and upload limits."""

from kefu.core.xlsx import Column

SHEET_TITLE = "客户档案"
# Technical limits of one upload (not business rules): they bound one job's memory and time.
# Every new row goes through customer_create, so a full file finishes in well under a minute.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 40
# Between the numbers of one 电话 cell; not the space, which people type inside a number.
PHONE_SEPARATORS = ("、", ",", "，", ";", "；", "/", "\n")
_CHUNK = 500  # values per IN (...) lookup, well under every backend's parameter limit

# Column kinds: text | datetime (kefu.core.xlsx) and this sheet's customer_type | phones.
COLUMNS: tuple[Column, ...] = (
    Column("code", "客户编号", 11),
    Column("name", "客户名称", 22),
    Column("customer_type", "客户类型", 11, "customer_type"),
    Column("grade", "客户等级", 10),
    Column("region", "地区", 12),
    Column("address", "地址", 32),
    Column("phones", "电话", 28, "phones"),
    Column("contact_person", "联系人", 10),
    Column("notes", "备注", 30),
    Column("created_at", "建档时间", 17, "datetime"),
    Column("updated_at", "更新时间", 17, "datetime"),
)
# Where a service's DomainError field is shown: the column the user edits.
FIELD_LABELS: dict[str, str] = {c.key: c.label for c in COLUMNS} | {"phone": "电话"}
TEXT_COLUMNS = {"code", "phones"}
