"""``/api/v1/aggregates`` (included under ``api/v1/`` by config/urls.py)."""

from django.urls import path

from .api import AggregatesView

urlpatterns = [
    path("aggregates", AggregatesView.as_view(), name="api-aggregates"),
]
