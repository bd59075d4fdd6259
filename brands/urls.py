"""Brand portal (/brands/). Webhook pages live under /brands/webhooks/."""

from django.urls import path

from . import views

app_name = "brands"

urlpatterns = [
    path("", views.brand_index, name="index"),
    path("<slug:slug>/", views.brand_detail, name="brand"),
    path("<slug:slug>/clients/new/", views.client_new, name="client_new"),
    path("<slug:slug>/clients/<str:client_id>/", views.client_detail, name="client"),
    path("<slug:slug>/clients/<str:client_id>/rotate/", views.client_rotate, name="client_rotate"),
]
