"""销售与提成 API — /api/v1/sales/."""

from ninja import Router

router = Router(tags=["销售与提成"])
