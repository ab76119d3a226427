"""考勤 API — /api/v1/attendance/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["考勤"])
