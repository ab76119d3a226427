from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "kefu.sales"
    label = "sales"
    verbose_name = "销售与提成"
