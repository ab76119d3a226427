from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "kefu.aftersales"
    label = "aftersales"
    verbose_name = "售后服务"
