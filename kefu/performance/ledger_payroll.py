"""Payroll lines of the month close — placeholder of the foundation commit; the helper that owns
this module replaces it (see kefu/performance/payroll.py for the contract)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .payroll import PayLine


def ledger_payroll_lines(
    month: dt.date, employee_ids: Sequence[int] | None = None
) -> list[PayLine]:
    """This source's lines of ``month``."""
    return []
