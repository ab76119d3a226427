"""交接班与在线 pages — mounted at /duty/."""

from django.urls import path

from . import views, views_presence

app_name = "duty"

urlpatterns = [
    path("handovers/", views.handover_list, name="handover_list"),
    path("handovers/export/", views.handover_export, name="handover_export"),
    path("handovers/new/", views.handover_new, name="handover_new"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("handovers/<int:pk>/ack/", views.handover_ack, name="handover_ack"),
    path("flags/<int:pk>/waive/", views.flag_waive, name="flag_waive"),
    path("presence/", views_presence.presence_board, name="presence_board"),
    path("presence/widget/", views_presence.presence_widget, name="presence_widget"),
    path("presence/set/", views_presence.presence_set, name="presence_set"),
    path(
        "presence/violations/<int:pk>/excuse/",
        views_presence.violation_excuse,
        name="violation_excuse",
    ),
]
