"""绩效奖惩 pages (scorecards) — included by kefu/performance/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
