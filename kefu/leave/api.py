"""请假 API — /api/v1/leave/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["请假"])
