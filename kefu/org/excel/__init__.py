"""Employee Excel files — 员工档案导入导出 (ORG-3).

One sheet 员工档案: a merged title row, a header row of Chinese column names, one employee per row.
Export writes it; import reads the same layout (the title row is optional, the header row is found
by its cells), so an exported file can be edited and imported again.

Nothing here writes to the database: ``plan_import`` resolves references and checks every row, and
``services.employees_import`` performs the writes it plans through the ordinary services. Upload
limits live in ``layout`` (patch them there).
"""

from kefu.core.xlsx import XLSX_CONTENT_TYPE, Column

from . import layout
from .export import ExportFile, export_employees
from .layout import COLUMNS, SHEET_TITLE
from .planning import ImportPlan, PlannedRow, plan_import, row_errors
from .reading import ImportResult, ImportRow, RowError, read_rows

__all__ = [
    "COLUMNS",
    "SHEET_TITLE",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ExportFile",
    "ImportPlan",
    "ImportResult",
    "ImportRow",
    "PlannedRow",
    "RowError",
    "export_employees",
    "layout",
    "plan_import",
    "read_rows",
    "row_errors",
]
