"""例会与带教 pages — mounted at /meetings/."""

from django.urls import path

from . import views, views_mentoring

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("export/", views.meeting_export, name="meeting_export"),
    path("series/", views.series_list, name="series_list"),
    path("series/new/", views.series_new, name="series_new"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("occurrences/<int:pk>/", views.occurrence_detail, name="occurrence_detail"),
    path(
        "occurrences/<int:pk>/attendance/",
        views.occurrence_attendance,
        name="occurrence_attendance",
    ),
    path("occurrences/<int:pk>/minutes/", views.occurrence_minutes, name="occurrence_minutes"),
    path("occurrences/<int:pk>/cancel/", views.occurrence_cancel, name="occurrence_cancel"),
    path("occurrences/<int:pk>/leave/", views.occurrence_leave, name="occurrence_leave"),
    path("occurrences/<int:pk>/report/", views.occurrence_report, name="occurrence_report"),
    path("mentoring/", views_mentoring.mentorship_list, name="mentorship_list"),
    path("mentoring/new/", views_mentoring.mentorship_new, name="mentorship_new"),
    path("mentoring/ranking/", views_mentoring.ranking, name="ranking"),
    path("mentoring/ranking/award/", views_mentoring.ranking_award, name="ranking_award"),
    path("mentoring/<int:pk>/", views_mentoring.mentorship_detail, name="mentorship_detail"),
    path(
        "mentoring/<int:pk>/training/",
        views_mentoring.mentorship_training,
        name="mentorship_training",
    ),
    path("mentoring/<int:pk>/exam/", views_mentoring.mentorship_exam, name="mentorship_exam"),
    path("mentoring/<int:pk>/end/", views_mentoring.mentorship_end, name="mentorship_end"),
    path("trainings/", views_mentoring.training_list, name="training_list"),
    path("trainings/new/", views_mentoring.training_new, name="training_new"),
]
