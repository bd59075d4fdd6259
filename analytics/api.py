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
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.api.serializers import ErrorSerializer
from brands.api.throttling import BrandClientThrottle
from brands.errors import InsufficientScope
from brands.selectors import token_for_bearer
from consents.scopes import CLIENT_SCOPES
from core.actors import Actor, brand_application_actor

from . import services
from .conf import analytics_settings
from .errors import TokenRefused
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
    def actor(self) -> Actor:
        return brand_application_actor(self)


class ClientCredentialsAuthentication(BaseAuthentication):
    """A client-credentials access token with the aggregates scope.

    The order of the checks decides the answer: a token that is unknown,
    expired, or whose consent has ended is 401 ``invalid_token``; a live token
    without the scope (a consumer's code-flow token, which can never carry it)
    is 403 ``insufficient_scope``; a token with the scope that still carries a
    consumer or a consent (never issued by the server) is 401.
    """

    def authenticate(self, request: Request) -> tuple[BrandPrincipal, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _space, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value or " " in value:
            raise TokenRefused(_("use the header 'Authorization: Bearer <access token>'"))
        token = token_for_bearer(value)
        now = timezone.now()
        if token is None or token.expires <= now:
            raise TokenRefused(_("the access token is not valid: unknown, expired or revoked"))
        consent = token.consent
        if consent is not None and not consent.is_live(now):
            raise TokenRefused(_("the consent behind this token was revoked or has expired"))
        application = token.application
        brand = getattr(application, "brand", None)
        if application is None or brand is None or not application.is_usable(None):
            raise TokenRefused(_("the client behind this token is unknown or disabled"))
        scope = str(analytics_settings.AGGREGATES_SCOPE)
        if scope not in str(token.scope or "").split():
            raise InsufficientScope(_("the token needs the '%(scope)s' scope: ask /o/token/ for a "
                                      "client-credentials token (grant_type=client_credentials)"),
                                    scope=scope)
        if not token.is_client_token:
            raise TokenRefused(_("aggregates need a client-credentials token, not a consumer's token"))
        return BrandPrincipal(brand=brand, client_id=application.client_id), token

    def authenticate_header(self, request: Request) -> str:
        return REALM


class ClientCredentialsScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """OpenAPI: the OAuth 2 client-credentials flow with the aggregates scope."""

    target_class = "analytics.api.ClientCredentialsAuthentication"
    name = "oauth2ClientCredentials"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "Client credentials (confidential brand clients only): POST /o/token/ with "
                "`grant_type=client_credentials&scope=aggregates`, the client authenticated with "
                "HTTP Basic (or `client_id`/`client_secret` in the body). The token lasts at most "
                "15 minutes, has no refresh token, and reads no consumer's data."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": dict(CLIENT_SCOPES),
                }
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        return {self.name: [str(analytics_settings.AGGREGATES_SCOPE)]}


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
    # Per OAuth client, like the brand API: each call decrypts every counted vault.
    throttle_classes = [BrandClientThrottle]

    def get_authenticators(self) -> list[BaseAuthentication]:
        return [import_string(path)() for path in analytics_settings.AGGREGATES_AUTHENTICATION]

    @extend_schema(
        operation_id="aggregates",
        summary="Differentially private figures about the brand's consenting consumers",
        description=(
            "Counts and sums by segment over consumers with a live `analytics` consent to the "
            "token's brand; noisy, cells under the minimum group size suppressed. Each new "
            "release spends the brand's privacy budget (the same query again within the reuse "
            "window is free). Needs a client-credentials token with the `aggregates` scope."
        ),
        parameters=[
            OpenApiParameter("dimension", str, enum=list(DIMENSIONS), required=True),
            OpenApiParameter("months", int, description="purchases of the last N months (1-24)"),
            OpenApiParameter("epsilon", float, description="privacy budget to spend (0.1-2)"),
        ],
        responses={200: AggregateOutSerializer, 400: ErrorSerializer, 401: ErrorSerializer,
                   403: ErrorSerializer, 429: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        principal: BrandPrincipal = request.user  # type: ignore[assignment]
        query = services.aggregate_query(dimension=request.query_params.get("dimension"),
                                         months=request.query_params.get("months"),
                                         epsilon=request.query_params.get("epsilon"))
        release = services.aggregate_release(
            brand=principal.brand, query=query, actor=principal.actor,
            requested_by=principal.client_id,
            request_id=getattr(request._request, "request_id", ""),
        )
        remaining = privacy_budget_of(brand=principal.brand)["remaining_epsilon"]
        return Response(services.release_payload(release, remaining=remaining))
