"""Regulator portal, under /regulator/."""

from django.urls import path

from . import views

app_name = "regulator"

urlpatterns = [
    path("", views.search, name="search"),
    path("events/<uuid:event_id>/", views.event_detail, name="event"),
    path("statistics/", views.statistics, name="statistics"),
    path("integrity/", views.integrity, name="integrity"),
    path("export/", views.export, name="export"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
