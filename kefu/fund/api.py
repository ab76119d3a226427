"""部门基金 API — /api/v1/fund/."""

from ninja import Router

router = Router(tags=["部门基金"])
