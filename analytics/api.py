"""``GET /api/v1/aggregates``: differentially private figures for a brand (thin view).

Authentication is a hook (``ANALYTICS["AGGREGATES_AUTHENTICATION"]``, dotted
paths of DRF authentication classes): whatever class is configured must set
``request.auth`` to a ``BrandPrincipal``. The default,
``ClientCredentialsAuthentication``, accepts an OAuth access token issued by
the client-credentials grant (no consent, no user behind it) that carries the
``aggregates`` scope, and resolves the brand from the client. The rules
(who is counted, noise, thresholds, budget, audit) are in
``analytics.services.aggregate_release``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_errors import ApiError

from . import services
from .conf import option
from .selectors import DIMENSIONS, privacy_budget_of

REALM = 'Bearer realm="sillage"'


@dataclass(frozen=True)
class BrandPrincipal:
    """Who asks for aggregates: a brand, through one of its OAuth clients."""

    brand: Any
    client_id: str
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def actor(self) -> tuple[str, str]:
        return ("brand_application", self.client_id)


class TokenRefused(AuthenticationFailed):
    """401 with ``WWW-Authenticate`` (DRF adds it to authentication failures only)."""

    error_code = "invalid_token"


def _refused(detail: str) -> TokenRefused:
    return TokenRefused(detail=detail)


class ClientCredentialsAuthentication(BaseAuthentication):
    """A client-credentials access token with the aggregates scope."""

    def authenticate(self, request: Request) -> tuple[BrandPrincipal, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _space, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value or " " in value:
            raise _refused("use the header 'Authorization: Bearer <access token>'")
        try:
            from brands.selectors import token_for_bearer
        except ImportError as error:  # the brand API is not installed
            raise _refused("the access token is not valid") from error
        token = token_for_bearer(value)
        if token is None or token.expires <= timezone.now():
            raise _refused("the access token is not valid: unknown, expired or revoked")
        if getattr(token, "consent_id", None) is not None or token.user_id is not None:
            raise _refused("aggregates need a client-credentials token, not a consumer's token")
        application = token.application
        brand = getattr(application, "brand", None)
        if application is None or brand is None or not application.is_usable(None):
            raise _refused("the client behind this token is unknown or disabled")
        scope = str(option("AGGREGATES_SCOPE"))
        if scope not in str(token.scope or "").split():
            raise ApiError(status_code=403, code="insufficient_scope",
                           detail=f"the token needs the '{scope}' scope")
        return BrandPrincipal(brand=brand, client_id=application.client_id), token

    def authenticate_header(self, request: Request) -> str:
        return REALM


class IsBrandPrincipal(BasePermission):
    message = "a client-credentials access token is required: Authorization: Bearer <token>"

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, BrandPrincipal)


class CellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    segment = serializers.CharField()
    count = serializers.IntegerField(help_text="noisy number of consumers")
    sum = serializers.IntegerField(help_text="noisy total spent, whole currency units")


class AggregateOutSerializer(serializers.Serializer):  # type: ignore[type-arg]
    release_id = serializers.UUIDField()
    released_at = serializers.DateTimeField()
    dimension = serializers.ChoiceField(choices=DIMENSIONS)
    months = serializers.IntegerField()
    currency = serializers.CharField()
    cells = CellSerializer(many=True)
    privacy = serializers.DictField()


class AggregatesView(APIView):
    """One release of figures per call (spends budget), unless the same query
    was answered within the reuse window (same figures, free)."""

    permission_classes = [IsBrandPrincipal]

    def get_authenticators(self) -> list[BaseAuthentication]:
        return [import_string(path)() for path in option("AGGREGATES_AUTHENTICATION")]

    @extend_schema(
        operation_id="aggregates",
        parameters=[
            OpenApiParameter("dimension", str, enum=list(DIMENSIONS), required=True),
            OpenApiParameter("months", int, description="purchases of the last N months (1-24)"),
            OpenApiParameter("epsilon", float, description="privacy budget to spend (0.1-2)"),
        ],
        responses={200: AggregateOutSerializer},
    )
    def get(self, request: Request) -> Response:
        principal: BrandPrincipal = request.user  # type: ignore[assignment]
        try:
            query = services.aggregate_query(dimension=request.query_params.get("dimension"),
                                             months=request.query_params.get("months"),
                                             epsilon=request.query_params.get("epsilon"))
            release = services.aggregate_release(
                brand=principal.brand, query=query, actor=principal.actor,
                requested_by=principal.client_id,
                request_id=getattr(request._request, "request_id", ""),
            )
        except services.AggregateRefused as refusal:
            raise ApiError(status_code=refusal.status, code=refusal.code,
                           detail=refusal.detail) from refusal
        remaining = privacy_budget_of(brand=principal.brand)["remaining_epsilon"]
        return Response(services.release_payload(release, remaining=remaining))
