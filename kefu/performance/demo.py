"""Demo data of the performance module — filled in by the ledger work (idempotent)."""

from __future__ import annotations

from typing import Any


def seed_demo_performance(actor: Any) -> None:
    """Seed demo incidents, appeals and a closed month (idempotent)."""
