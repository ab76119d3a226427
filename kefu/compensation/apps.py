from typing import Any

from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "kefu.compensation"
    label = "compensation"
    verbose_name = "投诉赔偿与处分扣款"

    def ready(self) -> None:
        # CMP-9: before a month is reviewed and closed, the complaint findings are imported and
        # the month's instalments booked; the payroll reads this month's instalment and carry-over.
        from kefu.performance.payroll import register_close_preparer, register_payroll_source

        from .payroll import compensation_payroll_source, compensation_preparer

        register_close_preparer("compensation", compensation_preparer)
        register_payroll_source("compensation", compensation_payroll_source)

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_compensation

        seed_demo_compensation(actor)
