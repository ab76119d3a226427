"""满意度调查 API — mounted at /api/v1/surveys/."""

from ninja import Router

router = Router(tags=["满意度调查"])
