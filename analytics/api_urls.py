"""``/api/v1/aggregates`` (to be included under ``api/v1/`` once brand
client-credentials tokens exist; see docs/insights.md)."""

from django.urls import path

from .api import AggregatesView

urlpatterns = [
    path("aggregates", AggregatesView.as_view(), name="api-aggregates"),
]
