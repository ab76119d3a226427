"""Customer Excel files — 客户档案导入导出 (CRM-1).

One sheet 客户档案: a merged title row, a header row of Chinese column names, one customer per
row, its phones in one cell separated by "、". Export writes it; import reads the same layout, so
an exported file can be edited and imported again. The shared mechanics (cells, header row,
limits, styling) are ``kefu.core.xlsx``; upload limits live in ``layout`` (patch them there).

Nothing here writes to the database: ``plan_import`` checks every row, and
``services.customers_import`` performs the writes it plans through the ordinary services.
"""

from kefu.core.xlsx import XLSX_CONTENT_TYPE, ExportFile, ImportResult, ImportRow, RowError

from . import layout
from .export import export_customers
from .layout import COLUMNS, SHEET_TITLE
from .planning import ImportPlan, PlannedRow, plan_import, row_errors
from .reading import read_rows, split_phones

__all__ = [
    "COLUMNS",
    "SHEET_TITLE",
    "XLSX_CONTENT_TYPE",
    "ExportFile",
    "ImportPlan",
    "ImportResult",
    "ImportRow",
    "PlannedRow",
    "RowError",
    "export_customers",
    "layout",
    "plan_import",
    "read_rows",
    "row_errors",
    "split_phones",
]
