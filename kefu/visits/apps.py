from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "kefu.visits"
    label = "visits"
    verbose_name = "回访"
