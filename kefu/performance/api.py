"""绩效奖惩·台账 API — mounted in config/api.py."""

from ninja import Router

router = Router(tags=["绩效奖惩·台账"])
