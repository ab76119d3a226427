from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "kefu.returns"
    label = "returns"
    verbose_name = "退换货"
