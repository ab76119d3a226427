"""满意度调查 pages — mounted at /surveys/."""

from django.urls import path

from . import views, views_public, views_stats

app_name = "surveys"

urlpatterns = [
    path("", views.invitation_list, name="invitation_list"),
    path("new/", views.invitation_create, name="invitation_create"),
    path("<int:pk>/", views.invitation_detail, name="invitation_detail"),
    path("<int:pk>/link/", views.invitation_link, name="invitation_link"),
    path("<int:pk>/response/", views.response_enter, name="response_enter"),
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path(
        "questionnaires/<int:pk>/default/",
        views.questionnaire_default,
        name="questionnaire_default",
    ),
    path("versions/<int:version_pk>/questions/", views.question_add, name="question_add"),
    path("versions/<int:version_pk>/publish/", views.version_publish, name="version_publish"),
    path("questions/<int:pk>/remove/", views.question_remove, name="question_remove"),
    path("questions/<int:pk>/move/<str:direction>/", views.question_move, name="question_move"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("stats/", views_stats.stats, name="stats"),
    path("stats/export/", views_stats.stats_export, name="stats_export"),
    path("p/<str:token>/", views_public.public_survey, name="public"),
]
