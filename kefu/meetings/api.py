"""例会与带教 API — /api/v1/meetings/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["例会与带教"])
