"""The demo sales data: made once, numbers on the commission page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from kefu.sales.demo import seed_demo_sales
from kefu.sales.models import InquiryCount, SalesLine
from kefu.sales.selectors import current_month, month_figures

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_gives_commissions(org: dict[str, Any]) -> None:
    admin = get_user_model().objects.create_superuser("admin-demo", password="x-pass-123")
    seed_demo_sales(admin)
    lines, counts = SalesLine.objects.count(), InquiryCount.objects.count()
    assert lines > 0 and counts > 0
    seed_demo_sales(admin)
    assert (SalesLine.objects.count(), InquiryCount.objects.count()) == (lines, counts)
    from kefu.performance.periods import previous_month

    figures = month_figures(previous_month(current_month()))
    assert figures and all(f.commission > 0 for f in figures.values() if f.sales > 0)
