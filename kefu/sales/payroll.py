"""Payroll source "sales" — 销售提成 into the month close's payroll input (PERF-2).

Commission is computed live from the month's sales lines and inquiry counts
(``selectors.month_figures``, a constant number of queries for any head count); the close stores
it in PayrollLine ("commission" column), which is the frozen figure of a closed month. The awards
of the rankings are ledger lines (``sales_awards_book``) and reach the payroll through the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from kefu.performance.payroll import PayLine

from .selectors import month_figures


def sales_payroll(month: dt.date, employee_ids: Sequence[int] | None) -> Iterable[PayLine]:
    """One "commission" line per agent with a commission in ``month``."""
    for agent, fig in month_figures(month, employee_ids).items():
        if fig.commission:
            note = f"销售额 ¥{fig.sales:,.2f}，转化率 {fig.conversion * 100:.2f}%，提成比例 {fig.rate * 100:g}%"
            yield PayLine(agent, "commission", fig.commission, note)
