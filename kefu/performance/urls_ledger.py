"""绩效奖惩 pages (ledger) — included by kefu/performance/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
