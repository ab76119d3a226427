"""售后服务 pages — mounted at /aftersales/."""

from django.urls import path

from . import pickers, views, views_catalogue, views_prices

app_name = "aftersales"

urlpatterns: list = [
    path("repairs/", views.repair_list, name="repair_list"),
    path("repairs/new/", views.repair_create, name="repair_create"),
    path("repairs/breaches/", views.breach_report, name="breach_report"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/stage/<str:action>/", views.repair_stage, name="repair_stage"),
    path("repairs/<int:pk>/onsite/<str:what>/", views.repair_onsite, name="repair_onsite"),
    path("repairs/<int:pk>/photos/<int:photo_pk>/", views.photo_download, name="photo_download"),
    path("warranty/", views_catalogue.warranty_lookup, name="warranty_lookup"),
    path("installations/", views_catalogue.installation_list, name="installation_list"),
    path("installations/new/", views_catalogue.installation_create, name="installation_create"),
    path(
        "installations/<int:pk>/edit/", views_catalogue.installation_edit, name="installation_edit"
    ),
    path("cards/", views_catalogue.card_list, name="card_list"),
    path("cards/<int:pk>/issue/", views_catalogue.card_issue, name="card_issue"),
    path("cards/<int:pk>/print/", views_catalogue.card_print, name="card_print"),
    path("cards/<int:pk>/pdf/", views_catalogue.card_pdf, name="card_pdf"),
    path("products/", views_catalogue.product_list, name="product_list"),
    path("products/<int:pk>/edit/", views_prices.product_edit, name="product_edit"),
    path("prices/", views_prices.price_list, name="price_list"),
    path("prices/<int:pk>/edit/", views_prices.price_edit, name="price_edit"),
    path("pick/customers/", pickers.customer_options, name="customer_options"),
    path("pick/installations/", pickers.installation_options, name="installation_options"),
]
