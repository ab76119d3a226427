"""Demo return visits — 演示回访 for ``manage.py seed_demo``: plans from the demo installations,
a few recorded visits (满意, 无人接听, 发现问题) and this year's key-customer campaign.

Made through the services by the demo people who would act: the plans by the system, the visits
by a 回访员 when one exists, otherwise by a supervisor. Idempotent: plans are generated once,
visits are recorded only while fewer than three are done, the campaign once per year — a second
seed writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from kefu.org.choices import Role

from . import services
from .choices import TaskStatus
from .models import CarePlan, VisitTask
from .services.common import today


def _recorder() -> Any:
    users = get_user_model().objects.filter(is_active=True, employee__isnull=False)
    for role in (Role.RETURN_VISITOR, Role.SUPERVISOR, Role.CS_MANAGER):
        user = users.filter(groups__name=role.label).order_by("id").first()
        if user is not None:
            return user
    return None


def seed_demo_visits(actor: Any) -> None:
    from kefu.aftersales.models import Installation

    # A second seed changes nothing and writes no audit event: plans are generated only once
    # (the daily run keeps them moving), the campaign only while the year has none.
    planned = VisitTask.objects.filter(installation__isnull=False).exists()
    if Installation.objects.exists() and not planned:
        services.generate_visit_plans()
    recorder = _recorder()
    if recorder is None:
        return
    done = VisitTask.objects.filter(status=TaskStatus.DONE).count()
    if done < 3:
        employee = recorder.employee
        open_tasks = list(
            VisitTask.objects.filter(status=TaskStatus.PLANNED).order_by("due_date", "id")[
                : 3 - done
            ]
        )
        outcomes = [
            {"outcome": "satisfied", "notes": "客户表示产品运行正常，对服务满意"},
            {"outcome": "no_answer", "notes": "电话无人接听"},
            {
                "outcome": "problem",
                "notes": "客户反映设备偶有异响",
                "follow_up": "corrective",
                "problem": "设备偶有异响，安排技术人员检查安装支架",
                "action_department": employee.department_id,
            },
        ]
        for task, values in zip(open_tasks, outcomes, strict=False):
            if task.assignee_id != employee.pk and not recorder.has_perm(
                "visits.reassign_visittask"
            ):
                continue
            services.visit_record(actor=recorder, task=task, **values)
    supervisor = (
        get_user_model()
        .objects.filter(groups__name=Role.SUPERVISOR.label, is_active=True)
        .order_by("id")
        .first()
    )
    year = today().year
    if supervisor is not None and not CarePlan.objects.filter(year=year).exists():
        services.care_campaign_generate(actor=supervisor, year=year)
