"""The Swagger UI at /api/docs/, under the site's Content-Security-Policy.

drf-spectacular's split view serves the page and its start-up script as two
requests (``?script`` for the script), so the page has no inline script; our
template (core/templates/core/swagger_ui.html) replaces its inline ``<style>``
with a static file. Swagger UI's own stylesheet embeds ``data:`` images, the one
source this page adds to the policy. Everything it loads comes from this server
(drf-spectacular-sidecar's static files, no CDN)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

from .csp import csp_allow


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "core/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        csp_allow(response, "img-src", "data:")
        return response
