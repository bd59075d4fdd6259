"""Root URLs: the public contract (README.md, docs/api.md)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.api_docs import SwaggerView
from core.health import healthz

handler404 = "core.api_errors.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # APIs
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/audit/", include("regulator.api.urls")),
    path("api/v1/", include("analytics.api_urls")),
    path("api/v1/", include("brands.api.urls")),
    path("o/", include("consents.oauth_urls")),
    # Portals
    path("vault/", include("vault.urls")),
    path("consents/", include("consents.urls")),
    path("activity/", include("audit.urls")),
    path("regulator/", include("regulator.urls")),
    path("brands/webhooks/", include("webhooks.urls")),
    path("brands/", include("brands.urls")),
    path("insights/", include("analytics.urls")),
    path("", include("accounts.urls")),
    path("", include("portal.urls")),
]
