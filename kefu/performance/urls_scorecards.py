"""绩效奖惩 pages (scorecards) — 考核计分卡, included by kefu/performance/urls.py."""

from django.urls import URLPattern, path

from . import views_scorecards as views

urlpatterns: list[URLPattern] = [
    path("scorecards/", views.scorecard_list, name="scorecard_list"),
    path("scorecards/export/", views.scorecard_export, name="scorecard_export"),
    path("scorecards/<int:employee_id>/", views.scorecard_detail, name="scorecard_detail"),
]
