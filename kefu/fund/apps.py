from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "kefu.fund"
    label = "fund"
    verbose_name = "部门基金"
