"""回访 API — mounted at /api/v1/visits/."""

from ninja import Router

router = Router(tags=["回访"])
