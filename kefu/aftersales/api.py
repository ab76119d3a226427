"""售后服务 API — mounted at /api/v1/aftersales/."""

from ninja import Router

router = Router(tags=["售后服务"])
