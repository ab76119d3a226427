"""绩效奖惩·计分卡 API — mounted in config/api.py."""

from ninja import Router

router = Router(tags=["绩效奖惩·计分卡"])
