from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "kefu.compensation"
    label = "compensation"
    verbose_name = "投诉赔偿与处分扣款"
