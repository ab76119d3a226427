"""The compensation module's part of the month close — 月结接口 (CMP-9, PERF-8).

Registered from ``apps.ready()``: the close preparer imports the month's responsibility findings
(idempotent) and the payroll source reports 赔偿扣款（本月） and 赔偿结转下月. The close job calls
``services.compensation_book_month`` itself before it takes the payroll snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kefu.performance.payroll import PayLine

from .selectors import compensation_payroll_lines
from .services import compensation_import_month


def compensation_preparer(month: dt.date, actor: object) -> str:
    """Close preparer "compensation": 导入责任认定 of ``month``; returns its summary."""
    return compensation_import_month(month=month, actor=actor)


def compensation_payroll_source(
    month: dt.date, employee_ids: Sequence[int] | None
) -> list[PayLine]:
    """Payroll source "compensation" (see ``selectors.compensation_payroll_lines``)."""
    return compensation_payroll_lines(month, employee_ids)
