"""The project's URLs plus /api/v1/aggregates, as it will be wired (see docs/insights.md)."""

from django.urls import include, path

from config.urls import urlpatterns as project

urlpatterns = [path("api/v1/", include("analytics.api_urls")), *project]
