"""交接班与在线 API — /api/v1/duty/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["交接班与在线"])
