"""The org app's tests count people exactly, so their company is the core one without the
售后服务组's after-sales staff (which only the after-sales modules' tests need)."""

from __future__ import annotations

from typing import Any

import pytest

from .factories import make_org


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_org(aftersales_staff=False)
