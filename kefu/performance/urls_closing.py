"""绩效奖惩 pages (closing) — 月结, 奖罚通知单, 人事公布单, 工资核算表; included by
kefu/performance/urls.py. Months are ``YYYY-MM`` in the path."""

from django.urls import URLPattern, path, register_converter

from . import views_closing as v


class MonthConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "yyyymm")

urlpatterns: list[URLPattern] = [
    path("close/", v.close_list, name="close_list"),
    path("close/<yyyymm:month>/", v.close_detail, name="close_detail"),
    path("close/<yyyymm:month>/review/", v.close_review, name="close_review"),
    path("close/<yyyymm:month>/approve/", v.close_approve, name="close_approve"),
    path("close/<yyyymm:month>/reject/", v.close_reject, name="close_reject"),
    path("close/<yyyymm:month>/restart/", v.close_restart, name="close_restart"),
    path("close/<yyyymm:month>/notice/", v.notice_print, name="notice_print"),
    path("close/<yyyymm:month>/notice.pdf", v.notice_pdf, name="notice_pdf"),
    path("close/<yyyymm:month>/publication/", v.publication_print, name="publication_print"),
    path("close/<yyyymm:month>/publication.pdf", v.publication_pdf, name="publication_pdf"),
    path("close/<yyyymm:month>/payroll.xlsx", v.payroll_export, name="payroll_export"),
]
