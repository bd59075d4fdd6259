"""Consumer insights pages (/insights/) and the brand-portal aggregates page."""

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.insights_page, name="insights"),
    path("refresh/", views.insights_refresh_view, name="refresh"),
    path("recommendations/<str:fingerprint>/act/", views.recommendation_act_view, name="act"),
    path("recommendations/<str:fingerprint>/dismiss/", views.recommendation_dismiss_view,
         name="dismiss"),
    path("brands/<slug:slug>/aggregates/", views.brand_aggregates_page, name="brand_aggregates"),
]
