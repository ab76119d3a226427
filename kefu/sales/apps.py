from typing import Any

from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "kefu.sales"
    label = "sales"
    verbose_name = "销售与提成"

    def ready(self) -> None:
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, SalesPolicy

        register_domain(DOMAIN, SalesPolicy, LABEL, DEFAULTS_FILE)

        # PERF-2: the month's commission is a payroll column; PERF-3: the rankings' awards are
        # booked (and ticket inquiry counts stored) before a month is reviewed and closed.
        from kefu.performance.payroll import register_close_preparer, register_payroll_source

        from .payroll import sales_payroll
        from .services import sales_close_prepare

        register_payroll_source("sales", sales_payroll)
        register_close_preparer("sales", sales_close_prepare)

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_sales

        seed_demo_sales(actor)
