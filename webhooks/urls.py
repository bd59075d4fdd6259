"""Brand portal pages for webhooks, under /brands/webhooks/."""

from django.urls import path

from . import views

app_name = "brand_webhooks"

urlpatterns = [
    path("", views.webhook_index, name="index"),
    path("<slug:slug>/", views.webhook_brand, name="brand"),
    path("<slug:slug>/new/", views.webhook_endpoint_new, name="endpoint_new"),
    path("<slug:slug>/<uuid:endpoint_id>/", views.webhook_endpoint_detail, name="endpoint"),
    path(
        "<slug:slug>/<uuid:endpoint_id>/rotate/",
        views.webhook_endpoint_rotate,
        name="endpoint_rotate",
    ),
    path(
        "<slug:slug>/<uuid:endpoint_id>/disable/",
        views.webhook_endpoint_disable,
        name="endpoint_disable",
    ),
    path(
        "<slug:slug>/<uuid:endpoint_id>/enable/",
        views.webhook_endpoint_enable,
        name="endpoint_enable",
    ),
    path("<slug:slug>/<uuid:endpoint_id>/test/", views.webhook_endpoint_test, name="endpoint_test"),
    path(
        "<slug:slug>/<uuid:endpoint_id>/messages/<uuid:message_id>/",
        views.webhook_message_detail,
        name="message",
    ),
]
