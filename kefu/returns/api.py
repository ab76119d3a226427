"""退换货 API — mounted at /api/v1/returns/."""

from ninja import Router

router = Router(tags=["退换货"])
