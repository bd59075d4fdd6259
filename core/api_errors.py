"""JSON error bodies for every API: ``{"error": code, "detail": text}``.

The one place where errors become HTTP answers. A ``SillageError`` (see
``core.errors``) is rendered with its own status and code, and ``str(error)``
(English) as the detail; the REST framework's own exceptions (validation,
throttling, missing credentials...) get the code of their status. Failures of
Sillage itself (status 500 or more) are not rendered here: they propagate.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import NotFound, SillageError, Unauthorized

API_PREFIX = "/api/"

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid_request",
    status.HTTP_401_UNAUTHORIZED: "invalid_token",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "too_large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "rate_limited",
}


class _Refusal(exceptions.APIException):
    """A SillageError in the form the REST framework renders (headers, rollback)."""

    def __init__(self, error: SillageError, context: dict[str, Any]) -> None:
        detail = error.localized() if error.localized_in_api else str(error)
        super().__init__(detail=detail, code=error.code)
        self.status_code = error.status
        self.error_code = error.code
        if isinstance(error, Unauthorized):
            # As the REST framework does for its own authentication failures:
            # the view's challenge, or 403 when the view has none to offer.
            view, request = context.get("view"), context.get("request")
            header = view.get_authenticate_header(request) if view is not None else None
            if header:
                self.auth_header = header
            else:
                self.status_code = status.HTTP_403_FORBIDDEN


def _flatten(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SillageError):
        if exc.status >= status.HTTP_500_INTERNAL_SERVER_ERROR:
            return None
        exc = _Refusal(exc, context)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "error_code", None) or _CODES.get(response.status_code, "error")
    response.data = {"error": code, "detail": _flatten(getattr(exc, "detail", response.data))}
    return response


class ErrorSerializer(serializers.Serializer):
    """The error body, as the OpenAPI schema documents it."""

    error = serializers.CharField()
    detail = serializers.CharField()


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 handler (``config.urls.handler404``): under /api/, where no
    URL pattern matched (``/api/v1/facets/a/b``, an event id that is not a
    UUID), the JSON error body like every other API answer; the 404 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        error = NotFound()
        return JsonResponse({"error": error.code, "detail": str(error)}, status=error.status)
    return defaults.page_not_found(request, exception or NotFound())
