"""Return-visit writes — 回访服务: the only path that changes visit tasks and care plans."""

from .care import care_campaign_generate, care_task_record
from .plans import PlanResult, generate_visit_plans, visit_plans_submit
from .visits import (
    corrective_action_close,
    visit_plan_after_close,
    visit_reassign,
    visit_record,
)

__all__ = [
    "PlanResult",
    "care_campaign_generate",
    "care_task_record",
    "corrective_action_close",
    "generate_visit_plans",
    "visit_plan_after_close",
    "visit_plans_submit",
    "visit_reassign",
    "visit_record",
]
