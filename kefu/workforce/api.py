"""排班 API — /api/v1/workforce/: shifts, coverage, staffing, rosters, incidents."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["排班"])
