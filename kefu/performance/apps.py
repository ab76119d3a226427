from typing import Any

from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "kefu.performance"
    label = "performance"
    verbose_name = "绩效奖惩"

    def ready(self) -> None:
        # The app owns its policy domain (rule catalogue); core loads the defaults as version 1.
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, PerformancePolicy

        register_domain(DOMAIN, PerformancePolicy, LABEL, DEFAULTS_FILE)

        # The month close adds up every module's payroll lines (kefu/performance/payroll.py);
        # before the review and the close, the month's workforce incidents are booked again.
        from .ledger_payroll import ledger_payroll_lines
        from .payroll import register_close_preparer, register_payroll_source
        from .scorecard_payroll import scorecard_payroll_lines
        from .services.imports import prepare_month

        register_payroll_source("ledger", ledger_payroll_lines)
        register_payroll_source("scorecard", scorecard_payroll_lines)
        register_close_preparer("ledger", prepare_month)

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_performance

        seed_demo_performance(actor)
