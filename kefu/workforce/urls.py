"""排班 pages — mounted at /workforce/."""

from django.urls import path

from . import views, views_coverage, views_edit, views_rest

app_name = "workforce"

urlpatterns = [
    path("rosters/", views.roster_list, name="roster_list"),
    path("rosters/grid/", views.roster_grid, name="roster_grid"),
    path("rosters/solve/", views_edit.roster_solve, name="roster_solve"),
    path("rosters/new-draft/", views_edit.roster_draft_new, name="roster_draft_new"),
    path("rosters/import/", views_edit.roster_import, name="roster_import"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/versions/", views.roster_versions, name="roster_versions"),
    path("rosters/<int:pk>/cell/", views_edit.roster_cell, name="roster_cell"),
    path("rosters/<int:pk>/publish/", views_edit.roster_publish, name="roster_publish"),
    path("rosters/<int:pk>/export/", views_edit.roster_export, name="roster_export"),
    path("coverage/", views_coverage.coverage, name="coverage"),
    path("staffing/", views_coverage.staffing, name="staffing"),
    path("skills/", views_coverage.skills, name="skills"),
    path("rest/", views_rest.rest_requests, name="rest_requests"),
    path("rest/<int:pk>/withdraw/", views_rest.rest_request_cancel, name="rest_request_cancel"),
]
