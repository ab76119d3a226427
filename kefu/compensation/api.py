"""投诉赔偿与处分扣款 API — /api/v1/compensation/."""

from ninja import Router

router = Router(tags=["投诉赔偿与处分扣款"])
