"""换班 API — /api/v1/swaps/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["换班"])
