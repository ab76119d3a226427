from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "kefu.swaps"
    label = "swaps"
    verbose_name = "换班"
