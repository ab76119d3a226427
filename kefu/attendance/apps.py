from typing import Any

from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "kefu.attendance"
    label = "attendance"
    verbose_name = "考勤"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the defaults as version 1.
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, AttendancePolicy

        register_domain(DOMAIN, AttendancePolicy, LABEL, DEFAULTS_FILE)

        # WFM-5 → PERF: every classified 迟到/早退/旷工/旷班/缺卡 is an attendance incident.
        from kefu.workforce.incidents import register_incident_source

        from .selectors import SOURCE, attendance_incidents

        register_incident_source(SOURCE, attendance_incidents)

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_attendance

        seed_demo_attendance(actor)
