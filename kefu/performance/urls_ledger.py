"""绩效奖惩 pages (ledger) — included by kefu/performance/urls.py: 奖惩台账, 申诉, 奖惩条目."""

from django.urls import URLPattern, path

from . import views_ledger as v

urlpatterns: list[URLPattern] = [
    path("incidents/", v.incident_list, name="incident_list"),
    path("incidents/export/", v.incident_export, name="incident_export"),
    path("incidents/new/", v.incident_new, name="incident_new"),
    path("incidents/amounts/", v.incident_amounts, name="incident_amounts"),
    path("incidents/confirm/", v.incident_confirm_bulk, name="incident_confirm_bulk"),
    path("incidents/import/", v.incident_import, name="incident_import"),
    path("incidents/<int:pk>/", v.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/confirm/", v.incident_confirm, name="incident_confirm"),
    path("incidents/<int:pk>/reject/", v.incident_reject, name="incident_reject"),
    path("incidents/<int:pk>/appeal/", v.incident_appeal, name="incident_appeal"),
    path("incidents/<int:pk>/decide/", v.incident_decide, name="incident_decide"),
    path("incidents/<int:pk>/revoke/", v.incident_revoke, name="incident_revoke"),
    path("appeals/", v.appeal_list, name="appeal_list"),
    path("catalogue/", v.catalogue, name="catalogue"),
]
