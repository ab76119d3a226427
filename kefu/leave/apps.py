from typing import Any

from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "kefu.leave"
    label = "leave"
    verbose_name = "请假"

    def ready(self) -> None:
        # The app owns the "leave" policy domain (请假与换班制度); core's post_migrate loads the
        # defaults as version 1.
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, LeavePolicy

        register_domain(DOMAIN, LeavePolicy, LABEL, DEFAULTS_FILE)

        # WFM-2: approved leave is fixed for the roster solver (请假日固定为请假).
        from kefu.workforce import selectors as workforce_selectors

        register = getattr(workforce_selectors, "register_fixed_days_source", None)
        if register is not None:
            from .selectors import approved_leave_days

            register(approved_leave_days)

        # WFM-6: the 考勤月报 lists leave days by type.
        from kefu.attendance.hooks import register_leave_type_source

        from .selectors import approved_leave_types

        register_leave_type_source("leave", approved_leave_types)

        # WFM-5: leave of half a day or less keeps the shift; attendance excuses that half.
        from kefu.attendance.hooks import register_part_leave_source

        from .selectors import approved_part_leave

        register_part_leave_source("leave", approved_part_leave)

    def seed_demo(self, actor: Any) -> None:
        """Demo leave for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_leave

        seed_demo_leave(actor)
